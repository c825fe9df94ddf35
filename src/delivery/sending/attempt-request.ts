// An attempt's request: what its record keeps of it, and what every read shows. The body is a function of the event
// and retry_count, and the headers of the delivery, the event, the signing instant and the signatures' count, so
// the record keeps only what none of those give (`RequestRecord`), and `attemptRequest` rebuilds the rest. It is
// the one place a read gets an attempt's request from (GraphQL's `DeliveryAttempt.requestHeaders`/`requestBody`,
// which the dashboard and the typed client read).
//
// What it rebuilds is what the attempt record copied before it stopped copying (migration
// 20261206020000_attempt_request_record): the body exactly as sent; the headers as sent with every signature
// redacted to its scheme and every custom header's value shown as REDACTED, their keys in the order the stored
// jsonb gave them. An attempt recorded before that migration keeps its copy, and is shown as stored.
import { deliveryBody, wireTimestamp } from './payload.js';
import { REDACTED, redactedHeaders } from './signing.js';

/** What an attempt sent beyond its event, its delivery and the instant it was signed (its start). */
export type SentRequest = {
  /** The body's retry_count: the delivery's attempts when the request was made. */
  retryCount: number;
  /** How many secrets signed it (two during a rotation's grace period). */
  signatures: number;
  /** The trace context sent, when its webhook propagates one. */
  traceparent: string | null;
  /** The names of the webhook's custom headers sent (never their values). */
  headerNames: readonly string[];
};

/** A SentRequest as an attempt's row keeps it: a column holding the usual value is null, and costs no byte. */
export type RequestRecord = {
  /** Null when it is the attempt's number - 1; kept for an attempt that overtook another (manual and scheduled). */
  retryCount: number | null;
  /** Null for one signature. */
  signatureCount: number | null;
  traceparent: string | null;
  /** Null for none. */
  headerNames: string[] | null;
};

export function requestRecord(sent: SentRequest, number: number): RequestRecord {
  return {
    retryCount: sent.retryCount === number - 1 ? null : sent.retryCount,
    signatureCount: sent.signatures === 1 ? null : sent.signatures,
    traceparent: sent.traceparent,
    headerNames: sent.headerNames.length === 0 ? null : [...sent.headerNames],
  };
}

/** An attempt as read, with what its request is rebuilt from. */
export type RecordedAttempt = RequestRecord & {
  number: number;
  startedAt: Date;
  /** The copies of an attempt recorded before the migration named above; null for every later one. */
  requestHeaders: unknown;
  requestBody: string | null;
  delivery: {
    id: string;
    webhookId: string;
    eventId: string;
    event: { id: string; type: string; timestamp: Date; data: unknown };
  };
};

/** The request an attempt made, as every read shows it (see the top of this file). */
export function attemptRequest(attempt: RecordedAttempt): { headers: unknown; body: string } {
  if (attempt.requestBody !== null) return { headers: attempt.requestHeaders, body: attempt.requestBody };
  const { delivery } = attempt;
  const body = deliveryBody(delivery.event, attempt.retryCount ?? attempt.number - 1);
  const signed = redactedHeaders(
    {
      body,
      messageId: delivery.id,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      eventTimestamp: wireTimestamp(delivery.event.timestamp),
      now: attempt.startedAt,
    },
    attempt.signatureCount ?? 1,
  );
  // As the attempter sends them: the custom headers first, the service's over them.
  const headers = {
    ...Object.fromEntries((attempt.headerNames ?? []).map((name) => [name, REDACTED])),
    ...signed,
    ...(attempt.traceparent !== null && { traceparent: attempt.traceparent }),
  };
  return { headers: inJsonbKeyOrder(headers), body };
}

/** jsonb's order of an object's keys (shorter first, then bytewise), in which stored headers were always read. */
const inJsonbKeyOrder = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).sort(([a], [b]) => a.length - b.length || Buffer.compare(Buffer.from(a), Buffer.from(b))),
  );
