// What a batch of attempt outcomes changes, decided without I/O: given the batch's entries and the state of their
// deliveries and webhooks as the recording transaction locked them, the attempts to insert, the deliveries' new rows,
// the retries to schedule, the webhooks to disable, their failure streaks and the operational events all that causes
// (`failure-streaks.ts`). The recorder (`recorder.ts`) reads that state, applies the decision
// (`src/db/sql/attempts.ts`) and commits it with the removal of the batch's jobs.
import type {
  DeliveryState,
  DeliveryToAttempt,
  DeliveryUpdate,
  NewAttempt,
  WebhookHealth,
  WebhookToDisable,
} from '../../db/sql/attempts.js';
import type { DeliveryStatus, WebhookStatus } from '../../generated/prisma/client.js';
import type { CountedAttempt } from '../../webhooks/stats.js';
import { ACTIVE_CHAIN } from '../sending/attempter.js';
import type { PostOutcome } from '../sending/http-client.js';
import { requestRecord, type SentRequest } from '../sending/attempt-request.js';
import { deliveryJob, type DeliveryQueueJob } from '../queueing/queue.js';
import { nextStep } from './retry-policy.js';
import { disabled, exhausted, failing, recovered, StreakTracker, type OperationalEvent } from './failure-streaks.js';

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
      /** When the request was signed and sent. */
      startedAt: Date;
      /** What the record keeps of the request (src/delivery/sending/attempt-request.ts). */
      request: SentRequest;
      outcome: PostOutcome;
    };

/** The batch's deliveries and webhooks as locked (those deleted meanwhile are missing). */
export type LockedState = {
  deliveries: ReadonlyMap<string, DeliveryState>;
  webhooks: ReadonlyMap<string, WebhookStatus>;
  health: ReadonlyMap<string, WebhookHealth>;
};

/** An attempt's outcome and the status it left its delivery in (for the metrics). */
export type Observed = { outcome: PostOutcome; status: DeliveryStatus };

export type BatchDecision = {
  attempts: NewAttempt[];
  /** One per delivery changed, whatever number of the batch's entries were about it. */
  deliveries: DeliveryUpdate[];
  retries: ReturnType<typeof deliveryJob>[];
  webhooksToDisable: WebhookToDisable[];
  /** The webhooks whose failure streak changed, as it now stands. */
  health: (WebhookHealth & { webhookId: string })[];
  /** What the batch causes, in order, each about one webhook (which does not receive it). */
  operationalEvents: OperationalEvent[];
  observed: Observed[];
  /** The attempts to count in their webhooks' stats, in order (src/webhooks/stats.ts). */
  counted: CountedAttempt[];
};

export type DecisionRules = {
  retryScheduleMs: readonly number[];
  now: () => Date;
};

/** Decides what the entries change; entries of one delivery in one batch are applied in order (attempt numbers run on). */
export function decideBatch(entries: readonly AttemptEntry[], locked: LockedState, rules: DecisionRules): BatchDecision {
  const { retryScheduleMs, now } = rules;
  const current = new Map([...locked.deliveries].map(([id, state]) => [id, { ...state }]));
  const attempts: NewAttempt[] = [];
  const updates = new Map<string, DeliveryUpdate>();
  const retries: ReturnType<typeof deliveryJob>[] = [];
  const toDisable = new Map<string, WebhookToDisable>();
  const observed: Observed[] = [];
  const counted: CountedAttempt[] = [];
  const streaks = new StreakTracker(locked.health);
  const operationalEvents: OperationalEvent[] = [];
  const announce = (event: OperationalEvent | null) => {
    if (event) operationalEvents.push(event);
  };
  for (const entry of entries) {
    if (entry.kind === 'skipped') continue;
    const { delivery } = entry;
    const state = current.get(delivery.id);
    if (!state) continue; // deleted meanwhile
    if (entry.kind === 'abandoned') {
      if (!ACTIVE_CHAIN.includes(state.status)) continue; // finished meanwhile (a manual retry succeeded)
      state.status = 'FAILED';
      updates.set(delivery.id, { ...updates.get(delivery.id), id: delivery.id, ...state, nextAttemptAt: null });
      announce(exhausted(delivery, state.attemptCount));
      continue;
    }
    const { outcome } = entry;
    const number = state.attemptCount + 1;
    attempts.push({
      deliveryId: delivery.id,
      number,
      startedAt: entry.startedAt,
      durationMs: outcome.durationMs,
      request: requestRecord(entry.request, number),
      responseStatus: outcome.status,
      responseHeaders: outcome.status === null ? null : outcome.headers,
      responseBody: outcome.body,
      responseBodyTruncated: outcome.bodyTruncated,
      errorKind: outcome.error?.kind ?? null,
      errorMessage: outcome.error?.message ?? null,
    });
    const step = nextStep(
      number,
      { ok: outcome.error === null, status: outcome.status, retryAfterHeader: outcome.headers['retry-after'] },
      retryScheduleMs,
      now(),
    );
    // A manual retry of a finished delivery is a single extra attempt, and so is any attempt made while the
    // webhook is disabled (a manual retry, a test event): its retries would only be abandoned. Otherwise the
    // schedule continues.
    const webhookDisabled = locked.webhooks.get(delivery.webhookId) === 'DISABLED';
    const chainActive = !webhookDisabled && (!entry.manual || ACTIVE_CHAIN.includes(state.status));
    let nextAttemptAt: Date | null = null;
    const wasActive = ACTIVE_CHAIN.includes(state.status);
    const streak = streaks.after(delivery.webhookId, step.kind === 'succeeded');
    if (streak.recovered !== null) announce(recovered(delivery, streak.recovered));
    if (streak.failing) announce(failing(delivery, streak.consecutiveFailures, outcome));
    if (step.kind === 'succeeded') {
      state.status = 'SUCCESS';
    } else if (step.kind === 'retry' && chainActive) {
      state.status = 'RETRYING';
      nextAttemptAt = new Date(now().getTime() + step.delayMs);
      const { trace } = entry.job.data; // a retry stays in its publish's trace
      retries.push(deliveryJob(delivery.webhookId, { deliveryId: delivery.id, attempt: number + 1, ...(trace && { trace }) }, nextAttemptAt));
    } else {
      state.status = 'FAILED';
      if (step.kind === 'give-up' && (chainActive || outcome.status === 410)) {
        const reason = `${step.reason} (delivery ${delivery.id})`;
        // `disableWebhooks` disables only an active webhook, once.
        if (!toDisable.has(delivery.webhookId) && locked.webhooks.get(delivery.webhookId) === 'ACTIVE') {
          streaks.announced(delivery.webhookId);
          announce(disabled(delivery, reason));
        }
        toDisable.set(delivery.webhookId, { webhookId: delivery.webhookId, reason, at: now() });
      }
      if (wasActive) announce(exhausted(delivery, number));
    }
    state.attemptCount = number;
    updates.set(delivery.id, {
      id: delivery.id,
      ...state,
      nextAttemptAt,
      attempt: { statusCode: outcome.status, responseTimeMs: outcome.durationMs, startedAt: entry.startedAt },
    });
    observed.push({ outcome, status: state.status });
    counted.push({ webhookId: delivery.webhookId, startedAt: entry.startedAt, succeeded: outcome.error === null, durationMs: outcome.durationMs });
  }
  return {
    attempts,
    deliveries: [...updates.values()],
    retries,
    webhooksToDisable: [...toDisable.values()],
    health: streaks.changed(),
    operationalEvents,
    observed,
    counted,
  };
}
