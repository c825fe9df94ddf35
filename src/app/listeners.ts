// Listener use cases (`aiplatform-webhooks listen`): receive a LISTEN webhook's deliveries as the requests an HTTP
// destination would get, and report how forwarding each one went; the report is recorded as the attempt.
// Receiving reveals the events' data, so it needs `deliveries:read`; a report writes an attempt, so it needs
// `deliveries:write`. Only LISTEN webhooks of the caller's project (and within a token's webhooks).
import type { Db } from '../db/prisma.js';
import {
  LISTENER_ERROR_KINDS,
  type ListenerErrorKind,
  type ListenerReport,
} from '../delivery/listening/relay.js';
import type { ListenerMessage, ListenerSessions } from '../delivery/listening/sessions.js';
import { RESPONSE_BODY_LIMIT } from '../delivery/sending/http-client.js';
import type { Principal } from '../auth/api-keys.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { subscriberOf, webhookOf, type LiveCaller } from './ownership.js';

/** A listener's report as it comes in: checked by `validateReport` before anything is written. */
export type ListenerReportInput = {
  requestId: string;
  durationMs: number;
  status?: number | null;
  headers?: unknown;
  body?: string | null;
  bodyTruncated?: boolean | null;
  error?: { kind: string; message: string } | null;
};

/** Bounds of a report: an attempt's duration (an hour is far beyond any timeout), headers, an error's message. */
const MAX_DURATION_MS = 3_600_000;
const MAX_HEADERS = 200;
const MAX_HEADERS_BYTES = 64 * 1024;
const MAX_ERROR_MESSAGE = 1_000;

export class ListenerService {
  constructor(private readonly deps: { db: Db; sessions: ListenerSessions }) {}

  /**
   * `ready` once listening, then the webhook's deliveries, each as the request to forward, claimed for this
   * listener (several listeners share them); NotFoundError for no such webhook, ValidationError for a webhook that
   * is not LISTEN.
   */
  async listen(caller: LiveCaller, webhookId: string): Promise<AsyncIterableIterator<ListenerMessage>> {
    authorize(caller.principal, 'deliveries:read', "Listening for a webhook's deliveries");
    const webhook = await webhookOf(this.deps.db, caller.principal, webhookId);
    if (webhook.kind !== 'LISTEN') {
      throw new ValidationError('webhookId', (f) => `${f} must name a LISTEN webhook; ${webhook.id} is ${webhook.kind}`);
    }
    return this.deps.sessions.open(subscriberOf(caller), webhook.id);
  }

  /**
   * Records how the listener's forward of a request went, as that delivery's attempt. NotFoundError when no such
   * request waits for a report: unknown, another project's, already reported, or past its deadline (the attempt was
   * then recorded as a timeout).
   */
  async report(principal: Principal, input: ListenerReportInput): Promise<{ requestId: string }> {
    authorize(principal, 'deliveries:write', "Reporting a listener's forward");
    const report = validateReport(input);
    const recorded = await this.deps.sessions.report(
      { projectId: principal.projectId, webhookIds: principal.webhookIds ?? null },
      input.requestId,
      report,
    );
    if (!recorded) {
      throw new NotFoundError(
        `No request ${input.requestId} is waiting for a report (already reported, or past its deadline and recorded as a timeout)`,
      );
    }
    return { requestId: input.requestId };
  }
}

const isListenerErrorKind = (kind: string): kind is ListenerErrorKind => (LISTENER_ERROR_KINDS as readonly string[]).includes(kind);

/** The report as stored: an answer (`status`, its headers and body) or, without one, an `error`; never both. */
function validateReport(input: ListenerReportInput): ListenerReport {
  const { durationMs, status = null, error = null } = input;
  if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_DURATION_MS) {
    throw new ValidationError('durationMs', (f) => `${f} must be an integer from 0 to ${MAX_DURATION_MS}`);
  }
  if (status === null) {
    if (!error) throw new ValidationError('error', (f) => `${f} is required when there is no status (the receiver did not answer)`);
    if (!isListenerErrorKind(error.kind)) {
      throw new ValidationError('error.kind', (f) => `${f} must be one of ${LISTENER_ERROR_KINDS.join(', ')}`);
    }
    if (error.message.length > MAX_ERROR_MESSAGE) {
      throw new ValidationError('error.message', (f) => `${f} must be at most ${MAX_ERROR_MESSAGE} characters`);
    }
    return { durationMs, status: null, headers: {}, body: null, bodyTruncated: false, error: { kind: error.kind, message: error.message } };
  }
  if (error) throw new ValidationError('error', (f) => `${f} must be left out when there is a status (the receiver answered)`);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new ValidationError('status', (f) => `${f} must be an HTTP status from 100 to 599`);
  }
  const body = input.body ?? '';
  if (body.length > RESPONSE_BODY_LIMIT) {
    throw new ValidationError('body', (f) => `${f} must be at most ${RESPONSE_BODY_LIMIT} characters (cut it and set bodyTruncated)`);
  }
  return { durationMs, status, headers: validateHeaders(input.headers ?? {}), body, bodyTruncated: input.bodyTruncated ?? false, error: null };
}

function validateHeaders(headers: unknown): Record<string, string> {
  const entries = typeof headers === 'object' && headers !== null && !Array.isArray(headers) ? Object.entries(headers) : null;
  if (!entries || entries.some(([, value]) => typeof value !== 'string')) {
    throw new ValidationError('headers', (f) => `${f} must be an object of header names to string values`);
  }
  if (entries.length > MAX_HEADERS || Buffer.byteLength(JSON.stringify(headers)) > MAX_HEADERS_BYTES) {
    throw new ValidationError('headers', (f) => `${f} must hold at most ${MAX_HEADERS} headers, ${MAX_HEADERS_BYTES} bytes in all`);
  }
  return Object.fromEntries(entries.map(([name, value]) => [name.toLowerCase(), value as string]));
}
