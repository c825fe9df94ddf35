// The API side of a LISTEN webhook's attempts (the worker's side: src/delivery/listening/relay.ts). A listener
// session is one `listen` subscription: it takes a live-subscription slot, listens on the webhook's requests topic,
// and claims waiting requests one at a time, as its consumer asks for the next one (so a slow listener does not
// claim what it cannot forward yet, and the others take it). Several sessions on one webhook, on any API process,
// share its requests: each is claimed once. A report is written back and announced to the waiting worker.
import type pg from 'pg';
import { claimWaitingExchange, releaseExchange, reportExchange, type ListenerExchangeRequest } from '../../db/sql/listener-exchanges.js';
import type { SubscriptionLimits } from '../../live/subscription-limits.js';
import type { Subscriber } from '../../live/updates.js';
import type { PgEventTarget } from '../../notify/pg-event-target.js';
import { listenerRequestsTopic, type ListenerReport } from './relay.js';

/** A request handed to a listener: forward `body` with `headers` and report within `timeoutMs`. */
export type ListenerRequest = Omit<ListenerExchangeRequest, 'remainingMs'> & { timeoutMs: number };
/** What a session sends: `ready` once, when it is listening (requests waiting or new reach it from then on), then requests. */
export type ListenerMessage = { kind: 'ready'; webhookId: string } | ({ kind: 'request' } & ListenerRequest);

/** Of the time left when a request is claimed, what the report's way back is given (at most a second). */
const REPORT_MARGIN = { share: 0.2, maxMs: 1_000 };

export class ListenerSessions {
  constructor(private readonly deps: { pool: pg.Pool; target: PgEventTarget; limits: SubscriptionLimits }) {}

  /**
   * `ready`, then the webhook's requests, each claimed for this session as the consumer asks for it: those waiting
   * at once, then each new one. Takes a subscription slot (or throws the limit's error); ending the iterator gives
   * it back.
   */
  async open(sub: Subscriber, webhookId: string): Promise<AsyncIterableIterator<ListenerMessage>> {
    const { pool, target, limits } = this.deps;
    const release = await limits.acquire(sub.connection, sub.projectId);
    const topic = listenerRequestsTopic(webhookId);
    // Set by every announcement (and by a reconnection, after which announcements may have been missed): the
    // session looks for a waiting request again before it sleeps.
    let poked = false;
    let wake: (() => void) | null = null;
    let closed = false;
    const onNotice = () => {
      poked = true;
      wake?.();
    };
    target.addEventListener(topic, onNotice);
    const stop = () => {
      if (closed) return;
      closed = true;
      target.removeEventListener(topic, onNotice);
      release();
      wake?.();
    };
    const claims = (async function* (): AsyncGenerator<ListenerMessage> {
      await target.whenListening(topic);
      yield { kind: 'ready', webhookId };
      while (!closed) {
        poked = false;
        const request = await claimWaitingExchange(pool, webhookId);
        if (closed) {
          // Ended while claiming: the request goes back to the webhook's other listeners, if any.
          if (request) await releaseExchange(pool, request.id).then(() => target.dispatchEvent(new CustomEvent(topic, { detail: {} })));
          return;
        }
        if (request) {
          const { remainingMs, ...rest } = request;
          const margin = Math.min(REPORT_MARGIN.maxMs, remainingMs * REPORT_MARGIN.share);
          yield { kind: 'request', ...rest, timeoutMs: Math.max(0, Math.floor(remainingMs - margin)) };
        } else if (!poked) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      }
    })();
    const iterator: AsyncIterableIterator<ListenerMessage> = {
      next: () => (closed ? Promise.resolve({ done: true, value: undefined }) : claims.next()),
      return: async () => {
        stop(); // wakes the claim loop if it sleeps
        claims.return(undefined).catch(() => {});
        return { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        stop();
        return claims.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }

  /** Stores the report of a claimed request and tells its worker; false when there is no such request waiting. */
  async report(
    principal: { projectId: string; webhookIds: readonly string[] | null },
    requestId: string,
    report: ListenerReport,
  ): Promise<boolean> {
    const replyTopic = await reportExchange(this.deps.pool, {
      id: requestId,
      projectId: principal.projectId,
      webhookIds: principal.webhookIds,
      report,
    });
    if (replyTopic === null) return false;
    this.deps.target.dispatchEvent(new CustomEvent(replyTopic, { detail: { requestId } }));
    return true;
  }
}
