// A webhook's health as the delivery recorder keeps it, decided without I/O: its failure streak (attempts failed in a
// row, any delivery, and whether the streak was announced) and the operational events attempts cause
// (src/events/catalog.ts), each about one webhook. `decideBatch` (`batch-decision.ts`) runs them per attempt.
import type { DeliveryToAttempt, WebhookHealth } from '../../db/sql/attempts.js';
import { FAILING_AFTER_CONSECUTIVE_FAILURES, isOperationalEventType } from '../../events/catalog.js';
import type { PostOutcome } from '../sending/http-client.js';

/** An operational event to publish, about one webhook (which does not receive it). */
export type OperationalEvent = { projectId: string; webhookId: string; type: string; data: Record<string, unknown> };

const about = (delivery: DeliveryToAttempt, type: string, data: Record<string, unknown>): OperationalEvent => ({
  projectId: delivery.projectId,
  webhookId: delivery.webhookId,
  type,
  data,
});

const webhookRef = (delivery: DeliveryToAttempt) => ({ webhook_id: delivery.webhookId, url: delivery.webhook.url });

/** `webhook.failing`: the attempt that made the streak `consecutiveFailures` long, and what it got. */
export const failing = (delivery: DeliveryToAttempt, consecutiveFailures: number, outcome: PostOutcome) =>
  about(delivery, 'webhook.failing', {
    ...webhookRef(delivery),
    consecutive_failures: consecutiveFailures,
    last_status_code: outcome.status,
    last_error: outcome.error?.message ?? null,
  });

/** `webhook.recovered`: a success ended an announced streak of `consecutiveFailures`. */
export const recovered = (delivery: DeliveryToAttempt, consecutiveFailures: number) =>
  about(delivery, 'webhook.recovered', { ...webhookRef(delivery), consecutive_failures: consecutiveFailures });

/** `webhook.disabled`: the delivery gave up and disabled its webhook. */
export const disabled = (delivery: DeliveryToAttempt, reason: string) =>
  about(delivery, 'webhook.disabled', { ...webhookRef(delivery), reason, delivery_id: delivery.id });

/**
 * `delivery.exhausted`: the delivery failed for good after `attempts`. None for a delivery of an operational event:
 * two failing ops endpoints would otherwise tell each other forever.
 */
export const exhausted = (delivery: DeliveryToAttempt, attempts: number): OperationalEvent | null =>
  isOperationalEventType(delivery.event.type)
    ? null
    : about(delivery, 'delivery.exhausted', {
        delivery_id: delivery.id,
        event_id: delivery.eventId,
        event_type: delivery.event.type,
        webhook_id: delivery.webhookId,
        attempts,
      });

/**
 * Each webhook's failure streak through a batch's attempts, in order. A failure lengthens it, and the one that makes
 * it FAILING_AFTER_CONSECUTIVE_FAILURES long announces it (once per streak); a success ends it, and announces the
 * recovery if the streak had been announced (by webhook.failing or webhook.disabled). Enabling a webhook again
 * leaves its streak alone: its next success is the recovery.
 */
export class StreakTracker {
  private readonly now = new Map<string, WebhookHealth>();

  constructor(private readonly locked: ReadonlyMap<string, WebhookHealth>) {}

  /** The streak after one more attempt; `recovered` is the length of an announced streak this success ended. */
  after(webhookId: string, succeeded: boolean): WebhookHealth & { failing: boolean; recovered: number | null } {
    const before = this.get(webhookId);
    if (succeeded) {
      const after = { consecutiveFailures: 0, failureAnnounced: false };
      this.now.set(webhookId, after);
      return { ...after, failing: false, recovered: before.failureAnnounced ? before.consecutiveFailures : null };
    }
    const consecutiveFailures = before.consecutiveFailures + 1;
    const failing = !before.failureAnnounced && consecutiveFailures >= FAILING_AFTER_CONSECUTIVE_FAILURES;
    const after = { consecutiveFailures, failureAnnounced: before.failureAnnounced || failing };
    this.now.set(webhookId, after);
    return { ...after, failing, recovered: null };
  }

  /** The streak was announced otherwise (the webhook was disabled): its end is a recovery. */
  announced(webhookId: string): void {
    this.now.set(webhookId, { ...this.get(webhookId), failureAnnounced: true });
  }

  /** The streaks that differ from those locked. */
  changed(): (WebhookHealth & { webhookId: string })[] {
    return [...this.now]
      .filter(([id, h]) => {
        const before = this.get(id, this.locked);
        return h.consecutiveFailures !== before.consecutiveFailures || h.failureAnnounced !== before.failureAnnounced;
      })
      .map(([webhookId, h]) => ({ webhookId, ...h }));
  }

  private get(webhookId: string, from: ReadonlyMap<string, WebhookHealth> = this.now): WebhookHealth {
    return from.get(webhookId) ?? this.locked.get(webhookId) ?? { consecutiveFailures: 0, failureAnnounced: false };
  }
}
