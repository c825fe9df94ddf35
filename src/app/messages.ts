// Pull delivery's use cases for a principal: read a PULL webhook's messages (optionally waiting for one), and
// acknowledge them up to a cursor. The stream's rules are in src/delivery/pull/stream.ts; what is decided here:
//
// - Reading reveals event data and the signed requests: `deliveries:read`. Acknowledging settles deliveries:
//   `deliveries:write`. Only a PULL webhook has messages (another kind: a ConflictError).
// - Without a cursor a read starts at the oldest unacknowledged message; with one, after it. A cursor is refused
//   (ValidationError naming `after`, or `cursor` for an acknowledgement) when malformed, another webhook's, or
//   older than the retention period: never a silent restart from the start.
// - `limit` 1 to MAX_LIMIT; `wait` 0 to MAX_WAIT_SECONDS seconds. A read that waits holds one of the caller's live
//   subscription slots (src/live/subscription-limits.ts, per connection and per project) until it answers.
// - Acknowledging is idempotent: every message up to the cursor is settled (its delivery SUCCESS, `lastAttemptAt`
//   the acknowledgement; no attempt row, since nothing was sent) and never returned again, whatever cursor a later
//   read gives. Not audited, like publishing: it is the pull receiver's hot path, and each settled delivery is its
//   own record.
import type pg from 'pg';
import type { Db } from '../db/prisma.js';
import { inTransaction } from '../db/transaction.js';
import { STREAM_START } from '../db/sql/pull-messages.js';
import { decodeCursor } from '../delivery/pull/cursor.js';
import type { PulledPage, PullStream } from '../delivery/pull/stream.js';
import type { Webhook } from '../generated/prisma/client.js';
import type { LiveNotifier } from '../live/updates.js';
import type { SubscriptionLimits } from '../live/subscription-limits.js';
import { authorize } from './authorization.js';
import { ConflictError, ValidationError } from './errors.js';
import { webhookOf, type LiveCaller } from './ownership.js';
import type { Principal } from '../auth/api-keys.js';

export const MAX_LIMIT = 100;
export const MAX_WAIT_SECONDS = 30;

export type MessageRead = {
  /** A message's `cursor` or a read's `nextCursor`; none: from the oldest unacknowledged message. */
  after?: string | undefined;
  limit?: number | undefined;
  /** Seconds to wait for a message when there is none. */
  wait?: number | undefined;
  /** Aborted when the caller goes away: a waiting read ends then. */
  signal?: AbortSignal | undefined;
};

export type MessageServiceDeps = {
  db: Db;
  pool: pg.Pool;
  stream: PullStream;
  limits: SubscriptionLimits;
  live: LiveNotifier;
  retentionDays: number;
};

function inRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, (name) => `${name}: must be an integer from ${min} to ${max}`);
  }
  return value;
}

export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /** Up to `limit` messages after `after`; waits up to `wait` seconds for one when there are none. */
  async read(caller: LiveCaller, webhookId: string, input: MessageRead = {}): Promise<PulledPage> {
    const { principal } = caller;
    authorize(principal, 'deliveries:read', "Reading a webhook's messages");
    const limit = inRange(input.limit ?? MAX_LIMIT, 'limit', 1, MAX_LIMIT);
    const waitSeconds = inRange(input.wait ?? 0, 'wait', 0, MAX_WAIT_SECONDS);
    const webhook = await this.pullWebhook(principal, webhookId);
    const after = input.after === undefined ? STREAM_START : decodeCursor(input.after, 'after', webhook.id, this.expiry());
    const release = waitSeconds > 0 ? await this.deps.limits.acquire(caller.connection, principal.projectId) : () => {};
    try {
      return await this.deps.stream.poll(webhook.id, after, { limit, waitMs: waitSeconds * 1000, signal: input.signal });
    } finally {
      release();
    }
  }

  /** Settles every message up to `cursor` (inclusive); returns how many were settled now (0 when repeated). */
  async acknowledge(principal: Principal, webhookId: string, cursor: string): Promise<{ acknowledged: number }> {
    authorize(principal, 'deliveries:write', "Acknowledging a webhook's messages");
    const webhook = await this.pullWebhook(principal, webhookId);
    const upTo = decodeCursor(cursor, 'cursor', webhook.id, this.expiry());
    const settled = await inTransaction(this.deps.pool, (tx) => this.deps.stream.acknowledge(tx, webhook.id, upTo));
    for (const delivery of settled) this.deps.live.deliveryChanged(delivery);
    return { acknowledged: settled.length };
  }

  private async pullWebhook(principal: Principal, id: string): Promise<Webhook> {
    const webhook = await webhookOf(this.deps.db, principal, id);
    if (webhook.kind !== 'PULL') {
      throw new ConflictError(
        `Webhook ${id} is of kind ${webhook.kind.toLowerCase()}: its deliveries are sent, not read; ` +
          'only a pull webhook has messages',
      );
    }
    return webhook;
  }

  /** Cursors reached before this are expired: messages after them may have been purged. */
  private expiry(): Date {
    return new Date(Date.now() - this.deps.retentionDays * 86_400_000);
  }
}
