// One delivery attempt, start to finish: sign, POST, record the attempt, and decide what comes next
// (success, a retry on the schedule, or giving up and disabling the webhook), atomically with the next job.
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import type { Delivery, DeliveryStatus, Prisma, Webhook } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { postJson, type DeliveryClient, type PostOutcome } from './http-client.js';
import { deliveryBody, wireTimestamp } from './payload.js';
import { deliveryJob, enqueueInTransaction, type DeliveryJob } from './queue.js';
import { nextStep } from './retry-policy.js';
import { signedHeaders } from './signing.js';

export type AttemptSettings = {
  timeoutMs: number;
  retryScheduleMs: readonly number[];
};

export type AttemptDeps = {
  db: Db;
  boss: PgBoss;
  client: DeliveryClient;
  secrets: SecretBox;
  settings: AttemptSettings;
  now?: () => Date;
  metrics: Metrics;
  /** Told after every change of a delivery's state (live updates). */
  onDeliveryChanged?: (delivery: Delivery) => void;
};

/** Secrets that sign a delivery now: the current one, and the previous one during its grace period. */
export function signingSecrets(webhook: Webhook, now: Date, box: SecretBox): string[] {
  const previousValid = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now;
  const sealed = previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
  return sealed.map((value) => box.open(value));
}

const ACTIVE_CHAIN: readonly DeliveryStatus[] = ['PENDING', 'RETRYING'];

export class DeliveryAttempter {
  private readonly now: () => Date;

  constructor(private readonly deps: AttemptDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async run(job: DeliveryJob): Promise<void> {
    const { db } = this.deps;
    const delivery = await db.delivery.findUnique({
      where: { id: job.deliveryId },
      include: { webhook: true, event: true },
    });
    // Deleted together with its webhook; Prisma reads relations one query at a time, so the webhook may vanish
    // between the reads even when the delivery was found.
    if (!delivery || !delivery.webhook || !delivery.event) return;
    const manual = 'manual' in job;
    if (!manual) {
      // A job re-run after a crash, or overtaken by a manual retry, must not attempt twice.
      if (delivery.attemptCount >= job.attempt || !ACTIVE_CHAIN.includes(delivery.status)) return;
      if (delivery.webhook.status === 'DISABLED') {
        await this.settle(job.deliveryId, { status: 'FAILED', nextAttemptAt: null });
        return;
      }
    }

    const startedAt = this.now();
    const body = deliveryBody(delivery.event, delivery.attemptCount);
    const headers = signedHeaders({
      body,
      messageId: delivery.id,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      eventTimestamp: wireTimestamp(delivery.event.timestamp),
      secrets: signingSecrets(delivery.webhook, startedAt, this.deps.secrets),
      now: startedAt,
    });
    const outcome = await postJson(this.deps.client, delivery.webhook.url, headers, body, this.deps.settings.timeoutMs);
    await this.record({ delivery, manual, startedAt, headers, body, outcome });
  }

  private async record(a: {
    delivery: Delivery;
    manual: boolean;
    startedAt: Date;
    headers: Record<string, string>;
    body: string;
    outcome: PostOutcome;
  }) {
    const { db, boss, settings } = this.deps;
    const { outcome } = a;
    let disabledWebhook = false;
    const updated = await db.$transaction(async (tx) => {
      // Lock order matches a webhook's deletion (webhook, then its deliveries), so the two never deadlock: KEY
      // SHARE holds off a delete but not other attempts, nor this transaction disabling the webhook below.
      await tx.$queryRaw`SELECT 1 FROM webhooks WHERE id = ${a.delivery.webhookId} FOR KEY SHARE`;
      // Serialises attempts on one delivery (a manual retry may race a scheduled one).
      const [locked] = await tx.$queryRaw<{ attempt_count: number; status: DeliveryStatus }[]>`
        SELECT attempt_count, status FROM deliveries WHERE id = ${a.delivery.id} FOR UPDATE`;
      if (!locked) return null;
      const number = locked.attempt_count + 1;
      await tx.deliveryAttempt.create({
        data: {
          id: newId('att'),
          deliveryId: a.delivery.id,
          number,
          startedAt: a.startedAt,
          durationMs: outcome.durationMs,
          requestHeaders: a.headers,
          requestBody: a.body,
          responseStatus: outcome.status,
          responseHeaders: outcome.status === null ? undefined : outcome.headers,
          responseBody: outcome.body,
          responseBodyTruncated: outcome.bodyTruncated,
          errorKind: outcome.error?.kind ?? null,
          errorMessage: outcome.error?.message ?? null,
        },
      });
      const step = nextStep(
        number,
        { ok: outcome.error === null, status: outcome.status, retryAfterHeader: outcome.headers['retry-after'] },
        settings.retryScheduleMs,
        this.now(),
      );
      // A manual retry of a finished delivery is a single extra attempt; otherwise the schedule continues.
      const chainActive = !a.manual || ACTIVE_CHAIN.includes(locked.status);
      let next: Prisma.DeliveryUpdateInput;
      if (step.kind === 'succeeded') {
        next = { status: 'SUCCESS', nextAttemptAt: null };
      } else if (step.kind === 'retry' && chainActive) {
        const at = new Date(this.now().getTime() + step.delayMs);
        next = { status: 'RETRYING', nextAttemptAt: at };
        await enqueueInTransaction(boss, tx, [
          deliveryJob(a.delivery.webhookId, { deliveryId: a.delivery.id, attempt: number + 1 }, at),
        ]);
      } else {
        next = { status: 'FAILED', nextAttemptAt: null };
        if (step.kind === 'give-up' && (chainActive || outcome.status === 410)) {
          const { count } = await tx.webhook.updateMany({
            where: { id: a.delivery.webhookId, status: 'ACTIVE' },
            data: { status: 'DISABLED', disabledReason: `${step.reason} (delivery ${a.delivery.id})`, disabledAt: this.now() },
          });
          disabledWebhook = count > 0;
        }
      }
      return tx.delivery.update({
        where: { id: a.delivery.id },
        data: {
          ...next,
          attemptCount: number,
          statusCode: outcome.status,
          responseTimeMs: outcome.durationMs,
          lastAttemptAt: a.startedAt,
        },
      });
    });
    if (!updated) return;
    this.observe(outcome, updated.status, disabledWebhook);
    this.deps.onDeliveryChanged?.(updated);
  }

  private observe(outcome: PostOutcome, status: DeliveryStatus, disabledWebhook: boolean) {
    const { metrics } = this.deps;
    metrics.attempts.inc({ outcome: outcome.error?.kind ?? 'SUCCESS' });
    metrics.attemptDuration.observe(outcome.durationMs / 1000);
    if (status === 'SUCCESS' || status === 'FAILED') metrics.deliveriesFinished.inc({ status });
    if (disabledWebhook) metrics.webhooksDisabled.inc();
  }

  private async settle(id: string, data: Prisma.DeliveryUpdateInput) {
    const updated = await this.deps.db.delivery.update({ where: { id }, data });
    this.deps.onDeliveryChanged?.(updated);
  }
}
