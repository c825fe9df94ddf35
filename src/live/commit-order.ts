// Following rows in commit order: the engine of a resumable stream whose rows change in place or are written by
// many transactions at once (a webhook's deliveries, a project's operational events). The rule that makes it
// gap-free lives in the read itself (`deliveryChangesAfter` in src/db/sql/deliveries.ts, `operationalEventsAfter` in
// src/db/sql/events.ts): each row carries the id of the transaction that last wrote it, and only rows below the
// commit horizon (src/db/sql/commit-horizon.ts: every transaction of this database below it has ended) are read,
// in (xid, id) order; so a row committed later always comes after every position already handed out, even when its
// transaction started first.
//
// This module does the waiting: it reads pages after the last position until none is full, then waits for a
// notification (`wake`, one flag however many arrived), or, when committed rows were held back behind a
// transaction still in flight, for a short timer: that transaction may touch nothing this stream hears about.
// It reads at the subscriber's pace, so a slow subscriber never makes it hold more than one page; a row changed
// twice before it is read is sent once, as it is then.
//
// To follow another table this way (as events' `commit_xid` does for webhookHealth): give it an `xid8` column
// defaulting to `pg_current_xact_id()` (plus a BEFORE UPDATE trigger setting it, if rows change in place) and an
// index on (scope, xid, id); a read shaped like `deliveryChangesAfter` with `COMMIT_HORIZON`; a `Stream` of
// src/live/positions.ts for its positions (with a time in them if retention applies); then `inCommitOrder` with
// a `CommitOrderWake` notified from the stream's topic.
import { CoalescingBuffer } from './coalescing-buffer.js';

/** One page read after a position: rows with their positions, and whether committed rows wait behind the horizon. */
export type CommitOrderedPage<T, P> = { rows: { row: T; position: P }[]; heldBack: boolean };

/** How soon to read again when committed rows were held back behind a transaction still in flight. */
export const HELD_BACK_RECHECK_MS = 100;

/** A wake-up flag for `inCommitOrder`: push on every notification; close to end the stream. */
export class CommitOrderWake {
  readonly flag = new CoalescingBuffer<true>();
  private timer: NodeJS.Timeout | undefined;

  notify(): void {
    this.flag.push('changed', true);
  }

  /** Wakes the stream after `ms` (once, however often asked before then). */
  soon(ms: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.notify();
    }, ms);
  }

  close(): void {
    clearTimeout(this.timer);
    this.flag.close();
  }
}

/** Every row after `from`, in commit order, each with its position; then each later one as `wake` says. */
export async function* inCommitOrder<T, P>(options: {
  from: P;
  pageSize: number;
  read: (after: P, limit: number) => Promise<CommitOrderedPage<T, P>>;
  wake: CommitOrderWake;
}): AsyncGenerator<{ row: T; position: P }> {
  const { pageSize, read, wake } = options;
  let position = options.from;
  const drain = async function* () {
    let page: CommitOrderedPage<T, P>;
    do {
      page = await read(position, pageSize);
      for (const entry of page.rows) {
        position = entry.position;
        yield entry;
      }
    } while (page.rows.length === pageSize);
    if (page.heldBack) wake.soon(HELD_BACK_RECHECK_MS);
  };
  yield* drain();
  for await (const _ of wake.flag) yield* drain();
}
