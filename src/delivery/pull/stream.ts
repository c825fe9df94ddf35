// Pull delivery: a PULL webhook's deliveries are stored in order (pull_messages) and sent nowhere; its receiver reads
// them, signed at read time exactly as an HTTP receiver would get them, and acknowledges up to a cursor.
//
// - Storing (`storePullMessages`, `requeuePullMessage`) happens in the publishing or retrying transaction, with a
//   NOTIFY on the webhook's topic that Postgres sends at commit, so a waiting reader in any API process wakes.
// - Reading (`PullStream.poll`) returns the messages after a position, commit-safe (src/db/sql/pull-messages.ts);
//   with a wait, it listens on the webhook's topic first, then reads, and reads again when woken. Messages stored
//   but held back by an older transaction still running (one publishing to another webhook, or any other
//   transaction of the database server holding a transaction id) send no NOTIFY when that one ends, so while some
//   are held back the reader also checks again after a short backoff (HELD_BACK_FIRST_MS, doubling to
//   HELD_BACK_MAX_MS). The wait ends at its deadline, or when `signal` aborts (the client went away).
// - Acknowledging removes the messages up to a position; their deliveries become SUCCESS. Acknowledged messages are
//   never returned again, whatever the cursor given.
import type pg from 'pg';
import { loadDeliveriesToAttempt } from '../../db/sql/attempts.js';
import { notifyMany } from '../../db/sql/notify.js';
import {
  acknowledgePullMessages,
  insertPullMessages,
  readPullMessages,
  requeuePullMessage as requeue,
  type StreamPosition,
} from '../../db/sql/pull-messages.js';
import type { DeliveryRef } from '../../live/updates.js';
import { channelFor, type PgEventTarget } from '../../notify/pg-event-target.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { signedDelivery } from '../sending/attempter.js';
import { encodeCursor, laterPosition } from './cursor.js';

const HELD_BACK_FIRST_MS = 25;
const HELD_BACK_MAX_MS = 1_000;

/** The live topic on which a webhook's new messages are announced (payload null). */
export const pullTopic = (webhookId: string) => `pull-messages:${webhookId}`;

/** A message as its receiver reads it: `body` is the exact string `headers` sign. */
export type PulledMessage = {
  cursor: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
  body: string;
};

/** A read: its messages in order, and where the next read starts (after the last message, or the horizon). */
export type PulledPage = { messages: PulledMessage[]; nextCursor: string };

async function announce(tx: pg.ClientBase, webhookIds: string[]): Promise<void> {
  const channels = [...new Set(webhookIds)].map((id) => channelFor(pullTopic(id)));
  await notifyMany(tx, channels, channels.map(() => 'null'));
}

/** Stores a message per delivery of a PULL webhook, in the caller's transaction; readers wake at its commit. */
export async function storePullMessages(tx: pg.ClientBase, deliveries: { id: string; webhookId: string }[]): Promise<void> {
  if (deliveries.length === 0) return;
  const webhookIds = deliveries.map((d) => d.webhookId);
  await insertPullMessages(tx, deliveries.map((d) => d.id), webhookIds);
  await announce(tx, webhookIds);
}

/**
 * A manual retry of a PULL webhook's delivery: its message is stored again at the end of the stream (readers past
 * it get it again) and the delivery is PENDING. Returns false, doing nothing, for another kind's delivery.
 */
export async function requeuePullMessage(tx: pg.ClientBase, delivery: { id: string; webhookId: string }): Promise<boolean> {
  if (!(await requeue(tx, delivery.id))) return false;
  await announce(tx, [delivery.webhookId]);
  return true;
}

/** A wait that ends after `ms`, when `signal` aborts, or when `wake` is called, whichever is first. */
function nap(ms: number, signal?: AbortSignal): { done: Promise<void>; wake: () => void } {
  let wake!: () => void;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => wake(), Math.max(0, ms));
    wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    signal?.addEventListener('abort', wake, { once: true });
    if (signal?.aborted) wake();
  });
  return { done, wake };
}

export type PollOptions = { limit: number; waitMs: number; signal?: AbortSignal };

export class PullStream {
  constructor(
    private readonly deps: { pool: pg.Pool; secrets: SecretBox; target: PgEventTarget; now?: () => Date },
  ) {}

  /** The messages after `after`; with `waitMs`, waits up to that long for one when there are none. */
  async poll(webhookId: string, after: StreamPosition, { limit, waitMs, signal }: PollOptions): Promise<PulledPage> {
    // A read first: a busy stream answers without listening (one LISTEN and UNLISTEN fewer on the shared connection).
    const first = await this.read(webhookId, after, limit);
    if (waitMs <= 0 || first.page.messages.length > 0) return first.page;
    const { target } = this.deps;
    const topic = pullTopic(webhookId);
    const deadline = Date.now() + waitMs;
    let wake = () => {};
    let woken = false;
    const listener = () => {
      woken = true;
      wake();
    };
    target.addEventListener(topic, listener);
    try {
      // Listening, then reading again: a message committed after that read is announced to us.
      const listening = nap(deadline - Date.now(), signal);
      target.whenListening(topic).then(listening.wake, listening.wake);
      await listening.done;
      let backoff = HELD_BACK_FIRST_MS;
      for (;;) {
        woken = false;
        const { page, held } = await this.read(webhookId, after, limit);
        const left = deadline - Date.now();
        if (page.messages.length > 0 || left <= 0 || signal?.aborted) return page;
        if (woken) continue;
        const napping = nap(held ? Math.min(left, backoff) : left, signal);
        backoff = held ? Math.min(backoff * 2, HELD_BACK_MAX_MS) : HELD_BACK_FIRST_MS;
        wake = napping.wake;
        await napping.done;
        wake = () => {};
      }
    } finally {
      target.removeEventListener(topic, listener);
    }
  }

  /** Acknowledges the webhook's messages up to `upTo`, in the caller's transaction; returns the deliveries settled. */
  acknowledge(tx: pg.ClientBase, webhookId: string, upTo: StreamPosition): Promise<DeliveryRef[]> {
    return acknowledgePullMessages(tx, webhookId, upTo);
  }

  /** One read, signed now; `held` when later messages are stored but not readable yet. */
  private async read(webhookId: string, after: StreamPosition, limit: number): Promise<{ page: PulledPage; held: boolean }> {
    const { pool, secrets } = this.deps;
    const read = await readPullMessages(pool, webhookId, after, limit);
    const deliveries = await loadDeliveriesToAttempt(pool, read.messages.map((m) => m.deliveryId));
    const now = this.deps.now?.() ?? new Date();
    // A message acknowledged or purged between the two reads is gone: it is left out.
    const messages = read.messages.flatMap(({ deliveryId, position, storedAt }) => {
      const delivery = deliveries.get(deliveryId);
      if (!delivery) return [];
      const { headers, body } = signedDelivery(delivery, now, secrets);
      const cursor = encodeCursor({ webhookId, position, at: storedAt });
      return [{ cursor, deliveryId, eventId: delivery.eventId, eventType: delivery.event.type, headers, body }];
    });
    const last = read.messages.at(-1);
    const nextCursor = last
      ? encodeCursor({ webhookId, position: last.position, at: last.storedAt })
      : encodeCursor({ webhookId, position: laterPosition(after, read.horizon), at: read.readAt });
    return { page: { messages, nextCursor }, held: read.held };
  }
}
