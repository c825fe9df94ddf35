// The worker's side of a LISTEN webhook's attempt. The service never connects to a listener's machine: the
// listener (`aiplatform-webhooks listen`) holds a connection to an API process, which may not be this process. So
// the attempt goes through Postgres: the signed request is written to `listener_exchanges` and announced on the
// webhook's topic; an API process holding a listener session for the webhook claims it (src/delivery/listening/
// sessions.ts), hands it to the listener, and writes back the listener's report, announced on this process's reply
// topic. The report becomes the attempt's outcome, recorded like an HTTP one (retries, disabling, the log).
//
// Guarantees: an attempt never waits for a listener past the attempt timeout (a timer, whatever the database or the
// listener do; after it, one statement takes the exchange back, and the recorder needs the database anyway);
// unclaimed by then it fails as NO_LISTENER ("No listener is connected"), claimed but unanswered as TIMEOUT; the
// exchange row is deleted when the attempt ends (a crashed worker's rows are deleted by the next exchange opened, a
// minute after their deadline). A report whose notification was lost is still read when the timer ends.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DeliveryToAttempt } from '../../db/sql/attempts.js';
import { closeExchange, openExchange, type ListenerExchangeEnd } from '../../db/sql/listener-exchanges.js';
import type { PgEventTarget } from '../../notify/pg-event-target.js';
import { statusError, type ErrorKind, type PostOutcome } from '../sending/http-client.js';

/** Announced (payload `{}`) when a request for the webhook's listeners is waiting to be claimed. */
export const listenerRequestsTopic = (webhookId: string) => `listener-requests:${webhookId}`;

/** How a listener's forward failed without an HTTP answer; an answer's status is judged by the service. */
export const LISTENER_ERROR_KINDS = ['TIMEOUT', 'CONNECTION_REFUSED', 'DNS_FAILURE', 'NETWORK_ERROR'] as const satisfies readonly ErrorKind[];
export type ListenerErrorKind = (typeof LISTENER_ERROR_KINDS)[number];

/**
 * What a listener reports of one forward (validated by src/app/listeners.ts before it is stored): the local
 * receiver's answer (`status`, `headers`, `body` cut to RESPONSE_BODY_LIMIT), or, with no answer, `error`.
 */
export type ListenerReport = Omit<PostOutcome, 'error'> & { error: { kind: ListenerErrorKind; message: string } | null };

export const NO_LISTENER_MESSAGE = 'No listener is connected';
export const LISTENER_LATE_MESSAGE = 'The listener did not answer in time';

/** The attempt's outcome from how its exchange ended. */
export function outcomeOf(end: ListenerExchangeEnd | null, elapsedMs: number): PostOutcome {
  const failed = (kind: ErrorKind, message: string): PostOutcome => ({
    durationMs: elapsedMs,
    status: null,
    headers: {},
    body: null,
    bodyTruncated: false,
    error: { kind, message },
  });
  if (!end?.claimed) return failed('NO_LISTENER', NO_LISTENER_MESSAGE);
  if (!end.report) return failed('TIMEOUT', LISTENER_LATE_MESSAGE);
  const report = end.report as ListenerReport;
  if (report.status === null) return { ...failed(report.error!.kind, report.error!.message), durationMs: report.durationMs };
  return {
    durationMs: report.durationMs,
    status: report.status,
    headers: report.headers,
    body: report.body,
    bodyTruncated: report.bodyTruncated,
    error: statusError(report.status),
  };
}

export class ListenerRelay {
  /** This process's reply topic: reports for its attempts are announced here. */
  private readonly replyTopic = `listener-reports:${randomUUID()}`;
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly deps: { pool: pg.Pool; target: PgEventTarget; timeoutMs: number }) {
    deps.target.addEventListener(this.replyTopic, (event) => {
      const { requestId } = ((event as CustomEvent).detail ?? {}) as { requestId?: string };
      if (requestId) this.waiting.get(requestId)?.();
    });
  }

  /** Hands the signed request to a listener of the webhook and resolves to its outcome within the timeout. */
  async send(delivery: DeliveryToAttempt, headers: Record<string, string>, body: string): Promise<PostOutcome> {
    const { pool, target, timeoutMs } = this.deps;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([target.whenListening(this.replyTopic), answered]);
      await Promise.race([
        openExchange(pool, {
          id,
          projectId: delivery.projectId,
          webhookId: delivery.webhookId,
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          eventType: delivery.event.type,
          headers,
          body,
          timeoutMs: Math.max(0, timeoutMs - elapsed()),
          replyTopic: this.replyTopic,
        }),
        answered,
      ]);
      target.dispatchEvent(new CustomEvent(listenerRequestsTopic(delivery.webhookId), { detail: {} }));
      await answered;
      return outcomeOf(await closeExchange(pool, id), elapsed());
    } catch (error) {
      // The database failed us: no listener can have been reached through it.
      closeExchange(pool, id).catch(() => {});
      return { ...outcomeOf(null, elapsed()), error: { kind: 'NETWORK_ERROR', message: `Relay to listeners failed: ${(error as Error).message}` } };
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }
}
