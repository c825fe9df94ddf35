// Keyset paging for lists ordered newest first by a time column and id (deliveries and audit entries by
// `createdAt`, the event log by `timestamp`): a page starts after the last row of the one before.

/** The last row of the previous page, in list order: the key of the list's index (`createdAt` holds its time). */
export type OlderThan = { createdAt: Date; id: string };

/** The rows after `olderThan` in a newest-first list ordered by `column`, id (nothing when there is no previous page). */
export const olderThan = <C extends 'createdAt' | 'timestamp'>(last: OlderThan | undefined, column: C) =>
  last
    ? {
        OR: [
          { [column]: { lt: last.createdAt } } as Record<C, { lt: Date }>,
          { [column]: last.createdAt, id: { lt: last.id } } as Record<C, Date> & { id: { lt: string } },
        ],
      }
    : {};
