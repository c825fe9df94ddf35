// The delivery counters' fold. Triggers on `deliveries` append each statement's change per key (project, webhook,
// status, event type) to `delivery_counts` (see the migration of that name); folding replaces a key's rows with one
// row of their sum, so a listing's total stays the sum of a few rows (`src/housekeeping/delivery-count-folds.ts`
// decides when).
import type pg from 'pg';
import type { Queryable } from './queryable.js';

/** What a fold did: how many rows it folded, and the newest row id it saw (where the next partial fold starts). */
export type Fold = { folded: number; newest: bigint | null };

/** The rows a full fold reads: every key's. */
const EVERY_KEY = 'delivery_counts';
/**
 * The rows a partial fold reads: those of the keys with a row newer than id `$1` (a range of the primary key, then
 * those keys' rows by the key's index), instead of the whole table.
 */
const KEYS_APPENDED_SINCE = `(SELECT c.* FROM delivery_counts c WHERE (c.webhook_id, c.project_id, c.status, c.event_type) IN (
    SELECT webhook_id, project_id, status, event_type FROM delivery_counts WHERE id > $1::bigint
  )) AS recent`;

const foldOver = (keys: string) => `
  WITH scattered AS (
    SELECT webhook_id, array_agg(id) AS ids FROM ${keys}
    GROUP BY webhook_id, project_id, status, event_type
    HAVING count(*) > 1
  ), live AS (
    SELECT id FROM webhooks WHERE id IN (SELECT webhook_id FROM scattered) FOR KEY SHARE SKIP LOCKED
  ), doomed AS (
    SELECT unnest(ids) AS id FROM scattered WHERE webhook_id IN (SELECT id FROM live)
  ), folded AS (
    DELETE FROM delivery_counts c USING unnest(ARRAY(SELECT id FROM doomed)) AS d(id) WHERE c.id = d.id
    RETURNING c.webhook_id, c.project_id, c.status, c.event_type, c.delta
  ), summed AS (
    INSERT INTO delivery_counts (webhook_id, project_id, status, event_type, delta)
    SELECT webhook_id, project_id, status, event_type, sum(delta) FROM folded
    GROUP BY webhook_id, project_id, status, event_type
    HAVING sum(delta) <> 0
    RETURNING id
  )
  -- The sums just written count as seen: the next partial fold need not look at their keys again.
  SELECT (SELECT count(*) FROM folded) AS folded,
    GREATEST((SELECT max(id) FROM delivery_counts), (SELECT max(id) FROM summed)) AS newest`;

const FULL_FOLD = foldOver(EVERY_KEY);
const PARTIAL_FOLD = foldOver(KEYS_APPENDED_SINCE);

/**
 * Replaces the rows of each key that has several with one row of their sum (none when it is 0): every key, or with
 * `since`, only the keys that have a row newer than that id (the next fold's `since` is this one's `newest`). One
 * statement, which deletes exactly the rows it sums: rows appended meanwhile stay for the next run, and readers see
 * the rows before or after, never in between. Webhooks are locked against deletion while their rows are folded, and
 * a webhook already being deleted is skipped, so a sum is never written back for a webhook whose rows its deletion
 * has just dropped. The rows are deleted by joining their ids as an array (`unnest(ARRAY(…))`), whatever the
 * planner's estimates: why, in docs/performance.md ("Why the code is as it is").
 */
export async function foldDeliveryCounts(db: Queryable, since: bigint | null = null): Promise<Fold> {
  const { rows } = await (since === null ? db.query<FoldRow>(FULL_FOLD) : db.query<FoldRow>(PARTIAL_FOLD, [since.toString()]));
  const row = rows[0]!;
  return { folded: Number(row.folded), newest: row.newest === null ? null : BigInt(row.newest) };
}

/** count(*) and max(id), as pg reads bigint: text. */
type FoldRow = { folded: string; newest: string | null };

/** The advisory lock that lets one process fold at a time: folds running together only wait on each other's rows. */
export const FOLD_LOCK = 0x64656c63; // 'delc'

/** Takes FOLD_LOCK for the rest of the transaction `tx`, unless another holds it: then false, at once. */
export async function tryFoldLock(tx: pg.ClientBase): Promise<boolean> {
  const { rows } = await tx.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS taken', [FOLD_LOCK]);
  return rows[0]!.taken;
}
