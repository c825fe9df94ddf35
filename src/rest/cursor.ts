// Cursors of the newest-first lists (deliveries, audit events, the event log): opaque to clients, the (created_at, id)
// of the last row of a page (an event's timestamp for created_at), the key of the list's index.
import { RestError } from './errors.js';

export type ListPosition = { createdAt: Date; id: string };

export const encodeCursor = (row: ListPosition) =>
  Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');

/** The position a `next_cursor` names; a 422 naming `cursor` for anything else. */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(at as string);
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch {
    // answered below
  }
  throw new RestError(422, 'validation_failed', 'cursor: not a cursor from next_cursor', 'cursor');
}

/**
 * A page read with one row more than `limit` (`take: limit + 1`), as REST answers it: the rows to show, and the
 * cursor of the next page (null on the last). `positionOf` reads a row's position (the row itself by default).
 */
export function cursorPage<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => ListPosition = (row) => row as ListPosition,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}

/** A window's bound as a request gave it, as a time (the schema checked its form). */
export const instantOf = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
