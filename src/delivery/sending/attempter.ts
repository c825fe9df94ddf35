// Making delivery attempts: read what a batch of jobs needs (one joined query for the whole batch), decide per
// job whether there is anything to attempt, sign, POST, and hand each outcome to the recorder.
import type pg from 'pg';
import type { DeliveryStatus, WebhookStatus } from '../../generated/prisma/client.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { AttemptRecorder } from '../recording/recorder.js';
import { postJson, type DeliveryClient } from './http-client.js';
import { deliveryBody, wireTimestamp } from './payload.js';
import type { DeliveryQueueJob } from '../queueing/queue.js';
import { signedHeaders } from './signing.js';

/** The states in which a delivery's retry schedule is still running. */
export const ACTIVE_CHAIN: readonly DeliveryStatus[] = ['PENDING', 'RETRYING'];

type SigningKeys = { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null };

/** A delivery as an attempt needs it, with its webhook and event. */
export type DeliveryToAttempt = {
  id: string;
  projectId: string;
  webhookId: string;
  eventId: string;
  status: DeliveryStatus;
  attemptCount: number;
  webhook: SigningKeys & { url: string; status: WebhookStatus };
  event: { id: string; type: string; timestamp: Date; data: unknown };
};

type DeliveryRow = {
  id: string;
  project_id: string;
  webhook_id: string;
  event_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  url: string;
  webhook_status: WebhookStatus;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  event_type: string;
  event_data: unknown;
  event_timestamp: Date;
};

/** Secrets that sign a delivery now: the current one, and the previous one during its grace period. */
export function signingSecrets(webhook: SigningKeys, now: Date, box: SecretBox): string[] {
  const previousValid = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now;
  const sealed = previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
  return sealed.map((value) => box.open(value));
}

/** How a job's request ended: before the timeout (answered, with any status, or refused), timed out, or never sent. */
export type RequestEnd = 'finished' | 'timed-out' | 'not-sent';

export type AttempterDeps = {
  pool: pg.Pool;
  client: DeliveryClient;
  secrets: SecretBox;
  recorder: AttemptRecorder;
  timeoutMs: number;
  now?: () => Date;
};

export class DeliveryAttempter {
  private readonly now: () => Date;

  constructor(private readonly deps: AttempterDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Per job: `sent` once its request has ended (or there is nothing to send), `recorded` once its outcome is
   * committed and the job done. Recording is batched, so it lags; only `sent` needs a delivery slot.
   */
  run(jobs: readonly DeliveryQueueJob[]): { sent: Promise<RequestEnd>; recorded: Promise<void> }[] {
    const loading = this.load(jobs.map((job) => job.data.deliveryId));
    return jobs.map((job) => {
      let markSent!: (end: RequestEnd) => void;
      const sent = new Promise<RequestEnd>((resolve) => (markSent = resolve));
      const recorded = loading
        .then((deliveries) => this.runOne(job, deliveries.get(job.data.deliveryId), markSent))
        .finally(() => markSent('not-sent')); // no-op when the request was sent
      return { sent, recorded };
    });
  }

  private async runOne(job: DeliveryQueueJob, delivery: DeliveryToAttempt | undefined, markSent: (end: RequestEnd) => void) {
    const { recorder } = this.deps;
    // Deleted together with its webhook: nothing to attempt.
    if (!delivery) return recorder.record({ kind: 'skipped', job });
    const data = job.data;
    const manual = 'manual' in data;
    if (!('manual' in data)) {
      // A job re-run after a crash, or overtaken by a manual retry, must not attempt twice.
      if (delivery.attemptCount >= data.attempt || !ACTIVE_CHAIN.includes(delivery.status)) {
        return recorder.record({ kind: 'skipped', job });
      }
      // A test event is how a disabled webhook's receiver is checked before re-enabling it: it is sent anyway.
      if (delivery.webhook.status === 'DISABLED' && !data.test) return recorder.record({ kind: 'abandoned', job, delivery });
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
    const outcome = await postJson(this.deps.client, delivery.webhook.url, headers, body, this.deps.timeoutMs);
    markSent(outcome.error?.kind === 'TIMEOUT' ? 'timed-out' : 'finished');
    return recorder.record({ kind: 'attempted', job, delivery, manual, startedAt, headers, body, outcome });
  }

  private async load(ids: string[]): Promise<Map<string, DeliveryToAttempt>> {
    const { rows } = await this.deps.pool.query<DeliveryRow>(
      `SELECT d.id, d.project_id, d.webhook_id, d.event_id, d.status::text AS status, d.attempt_count,
             w.url, w.status::text AS webhook_status, w.secret, w.previous_secret, w.previous_secret_expires_at,
             e.type AS event_type, e.data AS event_data, e.timestamp AS event_timestamp
      FROM deliveries d
      JOIN webhooks w ON w.id = d.webhook_id
      JOIN events e ON e.id = d.event_id
      WHERE d.id = ANY($1::text[])`,
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          projectId: row.project_id,
          webhookId: row.webhook_id,
          eventId: row.event_id,
          status: row.status,
          attemptCount: row.attempt_count,
          webhook: {
            url: row.url,
            status: row.webhook_status,
            secret: row.secret,
            previousSecret: row.previous_secret,
            previousSecretExpiresAt: row.previous_secret_expires_at,
          },
          event: { id: row.event_id, type: row.event_type, timestamp: row.event_timestamp, data: row.event_data },
        },
      ]),
    );
  }
}
