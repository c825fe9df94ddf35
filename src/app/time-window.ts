// A time window of a read or a recovery: from `since` (included) to `until` (excluded). One rule for each: `since`
// after `until` is refused, and so is a window wider than the retention (nothing older is kept to find).
import { ValidationError } from './errors.js';

export type TimeWindow = { since?: Date | undefined; until?: Date | undefined };

const DAY_MS = 86_400_000;

/** Raises ValidationError naming `since` or `until` for a window that cannot hold anything. */
export function validateWindow({ since, until }: TimeWindow, retentionDays: number): void {
  if (since && until && since.getTime() > until.getTime()) {
    throw new ValidationError('since', (f) => `${f} must not be after until`);
  }
  if (since && until && until.getTime() - since.getTime() > retentionDays * DAY_MS) {
    throw new ValidationError(
      'since',
      (f) => `${f} to until spans more than the retention (${retentionDays} days): nothing older is kept`,
    );
  }
}

/** The Prisma filter of the window on `column` (nothing for an open side). */
export const within = <C extends string>({ since, until }: TimeWindow, column: C) =>
  since || until ? ({ [column]: { ...(since && { gte: since }), ...(until && { lt: until }) } } as Record<C, { gte?: Date; lt?: Date }>) : {};
