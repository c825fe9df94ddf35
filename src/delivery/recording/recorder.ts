// Recording what attempts did, many at a time. While one batch's transaction runs, the outcomes that arrive queue
// up and go into the next (group commit), so the database sees a few statements per batch, not per attempt. One
// transaction writes a batch's attempts, the deliveries' new states, the retries' jobs and any webhook given up
// on, and removes the batch's queue jobs: a job is done exactly when its outcome is on record. Done jobs are deleted
// rather than marked complete: the delivery and attempt rows are the record, and completed jobs would otherwise stay
// in the queue's table, one per attempt, until pg-boss's retention sweep (once a day by default).
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { prepared } from '../../db/prepared.js';
import { inTransaction, jobDatabase } from '../../db/transaction.js';
import type { DeliveryStatus } from '../../generated/prisma/client.js';
import { newId } from '../../lib/ids.js';
import type { DeliveryRef } from '../../live/updates.js';
import type { Metrics } from '../../metrics/metrics.js';
import { ACTIVE_CHAIN, type DeliveryToAttempt } from '../sending/attempter.js';
import type { PostOutcome } from '../sending/http-client.js';
import { DELIVERY_QUEUE, deliveryJob, enqueueInTransaction, type DeliveryQueueJob } from '../queueing/queue.js';
import { nextStep } from './retry-policy.js';
import { redactedSignatures } from '../sending/signing.js';

export type AttemptEntry =
  /** Nothing to attempt (the delivery is gone, or this attempt was already made): only the job is removed. */
  | { kind: 'skipped'; job: DeliveryQueueJob }
  /** The webhook was disabled before a scheduled attempt: the delivery fails without one. */
  | { kind: 'abandoned'; job: DeliveryQueueJob; delivery: DeliveryToAttempt }
  | {
      kind: 'attempted';
      job: DeliveryQueueJob;
      delivery: DeliveryToAttempt;
      manual: boolean;
      startedAt: Date;
      /** As sent; recorded with the signatures redacted. */
      headers: Record<string, string>;
      body: string;
      outcome: PostOutcome;
    };

export type RecorderDeps = {
  pool: pg.Pool;
  boss: PgBoss;
  metrics: Metrics;
  retryScheduleMs: readonly number[];
  now?: () => Date;
  /** Told after every committed change of a delivery's state (live updates). */
  onDeliveryChanged?: (delivery: DeliveryRef) => void;
};

type Waiting = { entry: AttemptEntry; resolve: () => void; reject: (error: unknown) => void };
type DeliveryState = { attemptCount: number; status: DeliveryStatus };
/** A delivery's row after the batch; `attempt` is absent when it was only given up on. */
type DeliveryUpdate = DeliveryState & {
  nextAttemptAt: Date | null;
  attempt?: { statusCode: number | null; responseTimeMs: number; startedAt: Date };
};
type Observed = { outcome: PostOutcome; status: DeliveryStatus };
/** A delivery_attempts row, by column name. */
type AttemptRow = {
  id: string;
  delivery_id: string;
  number: number;
  started_at: Date;
  duration_ms: number;
  request_headers: Record<string, string>;
  request_body: string;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_body_truncated: boolean;
  error_kind: string | null;
  error_message: string | null;
};

/** Big enough to amortise a transaction, small enough to keep it short. */
const MAX_BATCH = 200;

export class AttemptRecorder {
  private readonly now: () => Date;
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Resolves once the entry is committed with its job's removal; rejects if it could not be recorded. */
  record(entry: AttemptEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      // Entries of the same event-loop turn share the first transaction.
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush() {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        await this.commit(batch.map((w) => w.entry));
        for (const w of batch) w.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // One entry the database refuses must not fail the others: record them one by one.
        else for (const w of batch) await this.commit([w.entry]).then(w.resolve, w.reject);
      }
    }
    this.flushing = false;
  }

  private async commit(entries: AttemptEntry[]) {
    const { pool, boss } = this.deps;
    const { changed, observed, disabledWebhooks } = await inTransaction(pool, async (tx) => {
      const written = await this.write(tx, entries);
      // Fenced to the attempts fetched: a job whose claim lapsed meanwhile is left to whoever holds it now.
      const jobs = entries.map(({ job }) => ({ id: job.id, retryCount: job.retryCount }));
      await boss.deleteJob(DELIVERY_QUEUE, jobs, { db: jobDatabase(tx) });
      return written;
    });
    const { metrics } = this.deps;
    for (const { outcome, status } of observed) {
      metrics.attempts.inc({ outcome: outcome.error?.kind ?? 'SUCCESS' });
      metrics.attemptDuration.observe(outcome.durationMs / 1000);
      if (status === 'SUCCESS' || status === 'FAILED') metrics.deliveriesFinished.inc({ status });
    }
    if (disabledWebhooks > 0) metrics.webhooksDisabled.inc(disabledWebhooks);
    for (const delivery of changed) this.deps.onDeliveryChanged?.(delivery);
  }

  private async write(tx: pg.ClientBase, entries: AttemptEntry[]) {
    const observed: Observed[] = [];
    const touched = entries.filter((e) => e.kind !== 'skipped');
    if (touched.length === 0) return { changed: [], observed, disabledWebhooks: 0 };
    const sorted = (ids: string[]) => [...new Set(ids)].sort();
    // Lock order matches a webhook's deletion (webhooks, then their deliveries), and within each table every
    // batch locks in id order, so batches and deletions never deadlock. KEY SHARE holds off a delete but not other
    // attempts, nor this transaction disabling the webhook below.
    const webhookIds = sorted(touched.map((e) => e.delivery.webhookId));
    const { rows: webhooks } = await tx.query<{ id: string; status: string }>(
      'SELECT id, status::text AS status FROM webhooks WHERE id = ANY($1::text[]) ORDER BY id FOR KEY SHARE',
      [webhookIds],
    );
    const disabled = new Set(webhooks.filter((w) => w.status === 'DISABLED').map((w) => w.id));
    // Serialises attempts on one delivery (a manual retry may race a scheduled one, in another batch).
    const { rows: locked } = await tx.query<{ id: string; attempt_count: number; status: DeliveryStatus }>(
      'SELECT id, attempt_count, status::text AS status FROM deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [sorted(touched.map((e) => e.delivery.id))],
    );
    const current = new Map<string, DeliveryState>(
      locked.map((row) => [row.id, { attemptCount: row.attempt_count, status: row.status }]),
    );

    const attempts: AttemptRow[] = [];
    const updates = new Map<string, DeliveryUpdate>();
    const retries: ReturnType<typeof deliveryJob>[] = [];
    const toDisable = new Map<string, string>();
    for (const entry of touched) {
      const { delivery } = entry;
      const state = current.get(delivery.id);
      if (!state) continue; // deleted meanwhile
      if (entry.kind === 'abandoned') {
        if (!ACTIVE_CHAIN.includes(state.status)) continue; // finished meanwhile (a manual retry succeeded)
        state.status = 'FAILED';
        updates.set(delivery.id, { ...updates.get(delivery.id), ...state, nextAttemptAt: null });
        continue;
      }
      const { outcome } = entry;
      const number = state.attemptCount + 1;
      attempts.push({
        id: newId('att'),
        delivery_id: delivery.id,
        number,
        started_at: entry.startedAt,
        duration_ms: outcome.durationMs,
        request_headers: redactedSignatures(entry.headers),
        request_body: entry.body,
        response_status: outcome.status,
        response_headers: outcome.status === null ? null : outcome.headers,
        response_body: outcome.body,
        response_body_truncated: outcome.bodyTruncated,
        error_kind: outcome.error?.kind ?? null,
        error_message: outcome.error?.message ?? null,
      });
      const step = nextStep(
        number,
        { ok: outcome.error === null, status: outcome.status, retryAfterHeader: outcome.headers['retry-after'] },
        this.deps.retryScheduleMs,
        this.now(),
      );
      // A manual retry of a finished delivery is a single extra attempt, and so is any attempt made while the
      // webhook is disabled (a manual retry, a test event): its retries would only be abandoned. Otherwise the
      // schedule continues.
      const chainActive = !disabled.has(delivery.webhookId) && (!entry.manual || ACTIVE_CHAIN.includes(state.status));
      let nextAttemptAt: Date | null = null;
      if (step.kind === 'succeeded') {
        state.status = 'SUCCESS';
      } else if (step.kind === 'retry' && chainActive) {
        state.status = 'RETRYING';
        nextAttemptAt = new Date(this.now().getTime() + step.delayMs);
        retries.push(deliveryJob(delivery.webhookId, { deliveryId: delivery.id, attempt: number + 1 }, nextAttemptAt));
      } else {
        state.status = 'FAILED';
        if (step.kind === 'give-up' && (chainActive || outcome.status === 410)) {
          toDisable.set(delivery.webhookId, `${step.reason} (delivery ${delivery.id})`);
        }
      }
      state.attemptCount = number;
      updates.set(delivery.id, {
        ...state,
        nextAttemptAt,
        attempt: { statusCode: outcome.status, responseTimeMs: outcome.durationMs, startedAt: entry.startedAt },
      });
      observed.push({ outcome, status: state.status });
    }

    if (attempts.length > 0) {
      // One parameter for the whole batch: the rows as JSON, read back as delivery_attempts rows.
      await tx.query(
        prepared('INSERT INTO delivery_attempts SELECT * FROM json_populate_recordset(NULL::delivery_attempts, $1::json)', [
          JSON.stringify(attempts),
        ]),
      );
    }
    const changed = await updateDeliveries(tx, updates);
    await enqueueInTransaction(this.deps.boss, tx, retries);
    let disabledWebhooks = 0;
    for (const webhookId of sorted([...toDisable.keys()])) {
      const { rowCount } = await tx.query(
        `UPDATE webhooks SET status = 'DISABLED', disabled_reason = $2, disabled_at = $3, updated_at = now()
         WHERE id = $1 AND status = 'ACTIVE'`,
        [webhookId, toDisable.get(webhookId), this.now()],
      );
      disabledWebhooks += rowCount ?? 0;
    }
    return { changed, observed, disabledWebhooks };
  }
}

/** Every delivery's new row in one statement; columns of an attempt are kept when the delivery had none. */
async function updateDeliveries(tx: pg.ClientBase, updates: Map<string, DeliveryUpdate>): Promise<DeliveryRef[]> {
  if (updates.size === 0) return [];
  const rows = [...updates].map(([id, u]) => ({ id, ...u }));
  const { rows: changed } = await tx.query<{ id: string; project_id: string; webhook_id: string }>(
    `UPDATE deliveries AS d SET
      status = u.status::delivery_status,
      next_attempt_at = u.next_attempt_at,
      attempt_count = u.attempt_count,
      status_code = CASE WHEN u.attempted THEN u.status_code ELSE d.status_code END,
      response_time_ms = CASE WHEN u.attempted THEN u.response_time_ms ELSE d.response_time_ms END,
      last_attempt_at = CASE WHEN u.attempted THEN u.last_attempt_at ELSE d.last_attempt_at END,
      updated_at = now()
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::boolean[], $6::int[], $7::int[], $8::timestamptz[])
      AS u(id, status, next_attempt_at, attempt_count, attempted, status_code, response_time_ms, last_attempt_at)
    WHERE d.id = u.id
    RETURNING d.id, d.project_id, d.webhook_id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.status),
      rows.map((r) => r.nextAttemptAt),
      rows.map((r) => r.attemptCount),
      rows.map((r) => r.attempt !== undefined),
      rows.map((r) => r.attempt?.statusCode ?? null),
      rows.map((r) => r.attempt?.responseTimeMs ?? null),
      rows.map((r) => r.attempt?.startedAt ?? null),
    ],
  );
  return changed.map((row) => ({ id: row.id, projectId: row.project_id, webhookId: row.webhook_id }));
}
