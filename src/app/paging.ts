// Keyset paging for lists ordered newest first by (created_at, id): a page starts after the last row of the one before.

/** The last row of the previous page, in list order: the key of the list's index. */
export type OlderThan = { createdAt: Date; id: string };

/** The rows after `olderThan` in a newest-first list (nothing when there is no previous page). */
export const olderThan = (last: OlderThan | undefined) =>
  last ? { OR: [{ createdAt: { lt: last.createdAt } }, { createdAt: last.createdAt, id: { lt: last.id } }] } : {};
