// The delivery counters' fold. Triggers on `deliveries` add each statement's change per key (project, webhook,
// status, event type) to the writing backend's row of that key, its slot (see the migrations `delivery_counts` and
// `delivery_count_slots`); folding replaces a key's rows with one row of their sum in slot 0, so a listing's total
// stays the sum of a few rows (`src/housekeeping/delivery-count-folds.ts` decides when).
import type pg from 'pg';
import type { Queryable } from './queryable.js';

/** What a fold did: how many rows it folded. */
export type Fold = { folded: number };

/** Which keys a fold covers: every key, or only those a backend wrote since the last fold (a row in a slot). */
export type FoldedKeys = 'every' | 'written';

const ROWS_OF: Record<FoldedKeys, string> = {
  every: 'delivery_counts',
  // A range of the slots' index (`delivery_counts_slot_key`: rows written since the last fold), then those keys'
  // rows by the key's index, instead of the whole table.
  written: `(SELECT c.* FROM delivery_counts c WHERE (c.webhook_id, c.project_id, c.status, c.event_type) IN (
    SELECT webhook_id, project_id, status, event_type FROM delivery_counts WHERE slot <> 0
  )) AS written`,
};

const foldOver = (rows: string) => `
  WITH scattered AS (
    SELECT webhook_id, array_agg(id) AS ids FROM ${rows}
    GROUP BY webhook_id, project_id, status, event_type
    HAVING count(*) > 1 OR bool_or(slot <> 0)
  ), live AS (
    SELECT id FROM webhooks WHERE id IN (SELECT webhook_id FROM scattered) FOR KEY SHARE SKIP LOCKED
  ), doomed AS (
    SELECT unnest(ids) AS id FROM scattered WHERE webhook_id IN (SELECT id FROM live)
  ), unlocked AS (
    -- A row a writer's transaction in flight has changed waits for the next fold, and so does a key left with one
    -- folded row besides it.
    SELECT c.id, c.webhook_id, c.project_id, c.status, c.event_type, c.slot
    FROM delivery_counts c JOIN unnest(ARRAY(SELECT id FROM doomed)) AS d(id) ON c.id = d.id
    FOR UPDATE OF c SKIP LOCKED
  ), foldable AS (
    SELECT unnest(array_agg(id)) AS id FROM unlocked
    GROUP BY webhook_id, project_id, status, event_type
    HAVING count(*) > 1 OR bool_or(slot <> 0)
  ), folded AS (
    DELETE FROM delivery_counts c USING unnest(ARRAY(SELECT id FROM foldable)) AS d(id) WHERE c.id = d.id
    RETURNING c.webhook_id, c.project_id, c.status, c.event_type, c.delta
  ), summed AS (
    INSERT INTO delivery_counts (webhook_id, project_id, status, event_type, delta)
    SELECT webhook_id, project_id, status, event_type, sum(delta) FROM folded
    GROUP BY webhook_id, project_id, status, event_type
    HAVING sum(delta) <> 0
  )
  SELECT count(*) AS folded FROM folded`;

const FOLDS: Record<FoldedKeys, string> = { every: foldOver(ROWS_OF.every), written: foldOver(ROWS_OF.written) };

/**
 * Replaces the rows of each key that has several, or a row in a slot, with one row of their sum in slot 0 (none when
 * it is 0): every key, or only the keys written since the last fold. One statement, which deletes exactly the rows it
 * sums: rows a writer's transaction in flight holds, and rows written meanwhile, stay for the next run, and readers
 * see the rows before or after, never in between. A writer never waits for the fold for long: its next change to a
 * row the fold deleted makes a new row. Webhooks are locked against deletion while their rows are folded, and a
 * webhook already being deleted is skipped, so a sum is never written back for a webhook whose rows its deletion has
 * just dropped. The rows are deleted by joining their ids as an array (`unnest(ARRAY(…))`), whatever the planner's
 * estimates: why, in docs/performance.md ("Why the code is as it is").
 */
export async function foldDeliveryCounts(db: Queryable, keys: FoldedKeys = 'every'): Promise<Fold> {
  const { rows } = await db.query<{ folded: string }>(FOLDS[keys]);
  return { folded: Number(rows[0]!.folded) };
}

/** The advisory lock that lets one process fold at a time: folds running together only wait on each other's rows. */
export const FOLD_LOCK = 0x64656c63; // 'delc'

/** Takes FOLD_LOCK for the rest of the transaction `tx`, unless another holds it: then false, at once. */
export async function tryFoldLock(tx: pg.ClientBase): Promise<boolean> {
  const { rows } = await tx.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS taken', [FOLD_LOCK]);
  return rows[0]!.taken;
}
