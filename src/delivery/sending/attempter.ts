// Making delivery attempts: read what a batch of jobs needs (one joined query for the whole batch), decide per
// job whether there is anything to attempt, wait for the webhook's rate limit if it has one, sign, add its custom
// headers, POST (traced as the attempt's span), and hand each outcome to the recorder.
import type pg from 'pg';
import { loadDeliveriesToAttempt, type DeliveryToAttempt } from '../../db/sql/attempts.js';
import type { DeliveryStatus } from '../../generated/prisma/client.js';
import { inSpan, SpanKind, activeTraceparent } from '../../observability/tracing.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { openHeaders } from '../../webhooks/endpoint-controls.js';
import type { Deferred, WebhookRateLimits } from '../queueing/rate-limit.js';
import type { AttemptRecorder } from '../recording/recorder.js';
import type { ListenerRelay } from '../listening/relay.js';
import { postJson, type DeliveryClient, type PostOutcome } from './http-client.js';
import { deliveryBody, wireTimestamp } from './payload.js';
import type { DeliveryQueueJob } from '../queueing/queue.js';
import { signedHeaders } from './signing.js';
import type { SentRequest } from './attempt-request.js';

/** The states in which a delivery's retry schedule is still running. */
export const ACTIVE_CHAIN: readonly DeliveryStatus[] = ['PENDING', 'RETRYING'];

type SigningKeys = Pick<DeliveryToAttempt['webhook'], 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>;

/** Secrets that sign a delivery now: the current one, and the previous one during its grace period. */
export function signingSecrets(webhook: SigningKeys, now: Date, box: SecretBox): string[] {
  const previousValid = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now;
  const sealed = previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
  return sealed.map((value) => box.open(value));
}

/**
 * A delivery as its receiver gets it: the body of its next attempt and the headers signed at `now` with its
 * webhook's valid secrets (`signatures` of them). POSTed to an HTTP webhook (with its custom headers); read from
 * `/messages` for a PULL one. An attempt's record rebuilds the same from what it keeps (`attemptRequest` in
 * ./attempt-request.ts).
 */
export function signedDelivery(
  delivery: Pick<DeliveryToAttempt, 'id' | 'webhookId' | 'eventId' | 'attemptCount' | 'event'> & { webhook: SigningKeys },
  now: Date,
  box: SecretBox,
): { headers: Record<string, string>; body: string; signatures: number } {
  const body = deliveryBody(delivery.event, delivery.attemptCount);
  const secrets = signingSecrets(delivery.webhook, now, box);
  const headers = signedHeaders({
    body,
    messageId: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    eventTimestamp: wireTimestamp(delivery.event.timestamp),
    secrets,
    now,
  });
  return { headers, body, signatures: secrets.length };
}

/**
 * How a job's request ended: before the timeout (answered, with any status, or refused), timed out, or never sent;
 * or deferred: put back in the queue to wait for its webhook's rate limit.
 */
export type RequestEnd = 'finished' | 'timed-out' | 'not-sent' | Deferred;

export type AttempterDeps = {
  pool: pg.Pool;
  client: DeliveryClient;
  secrets: SecretBox;
  recorder: AttemptRecorder;
  rateLimits: WebhookRateLimits;
  /** Hands a LISTEN webhook's requests to its listeners. */
  listeners: ListenerRelay;
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
   * committed and the job done. Recording is batched, so it lags; only `sent` needs a delivery slot. `loading`: the
   * jobs' deliveries, if the caller started reading them already (`load`).
   */
  run(
    jobs: readonly DeliveryQueueJob[],
    loading = this.load(jobs.map((job) => job.data.deliveryId)),
  ): { sent: Promise<RequestEnd>; recorded: Promise<void> }[] {
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

    const { rateLimitPerSecond } = delivery.webhook;
    if (rateLimitPerSecond !== null) {
      const deferred = await this.deps.rateLimits.admit(job, delivery.webhookId, rateLimitPerSecond);
      if (deferred) return markSent(deferred);
    }

    const attributes = {
      'webhooks.webhook_id': delivery.webhookId,
      'webhooks.delivery_id': delivery.id,
      'webhooks.attempt': delivery.attemptCount + 1,
    };
    const attempt = await inSpan('deliver attempt', { kind: SpanKind.CLIENT, traceparent: data.trace, attributes }, async (span) => {
      const startedAt = this.now();
      const { headers: signed, body, signatures } = signedDelivery(delivery, startedAt, this.deps.secrets);
      const traceparent = delivery.webhook.propagateTraceContext ? activeTraceparent() : undefined;
      // The custom headers' names never clash with the service's (src/webhooks/endpoint-controls.ts); the attempt's
      // record keeps their names, never their values, and no signature (./attempt-request.ts).
      const custom = openHeaders(this.deps.secrets, delivery.webhook.sealedHeaders);
      const headers = {
        ...Object.fromEntries(custom.map(({ name, value }) => [name, value])),
        ...signed,
        ...(traceparent && { traceparent }),
      };
      const outcome = await this.send(delivery, headers, body);
      if (outcome.status !== null) span?.setAttribute('http.response.status_code', outcome.status);
      if (outcome.error) span?.setAttribute('error.type', outcome.error.kind);
      const request: SentRequest = {
        retryCount: delivery.attemptCount,
        signatures,
        traceparent: traceparent ?? null,
        headerNames: custom.map(({ name }) => name),
      };
      return { startedAt, request, outcome };
    });
    // A LISTEN webhook with no listener held its slot for the whole timeout, as a receiver that never answers does.
    const timedOut = attempt.outcome.error?.kind === 'TIMEOUT' || attempt.outcome.error?.kind === 'NO_LISTENER';
    markSent(timedOut ? 'timed-out' : 'finished');
    return recorder.record({ kind: 'attempted', job, delivery, manual, ...attempt });
  }

  /**
   * Hands the signed request to the webhook's destination: POSTed to an HTTP webhook's URL, relayed to a LISTEN
   * webhook's listeners. A PULL webhook's deliveries are never queued (their messages are read), so none reaches here.
   */
  private send(delivery: DeliveryToAttempt, headers: Record<string, string>, body: string): Promise<PostOutcome> {
    const { kind, url } = delivery.webhook;
    if (kind === 'HTTP') return postJson(this.deps.client, url!, headers, body, this.deps.timeoutMs);
    if (kind === 'LISTEN') return this.deps.listeners.send(delivery, headers, body);
    throw new Error(`A ${kind} webhook's delivery was queued for sending; its messages are pulled, not sent`);
  }

  /** What the attempts of these deliveries need, read in one statement. */
  load(ids: string[]): Promise<Map<string, DeliveryToAttempt>> {
    return loadDeliveriesToAttempt(this.deps.pool, ids);
  }
}
