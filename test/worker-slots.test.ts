// The delivery worker's bookkeeping, without a database: its slots (src/delivery/queueing/slots.ts) and its sleeper
// (src/delivery/queueing/sleeper.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Sleeper } from '../src/delivery/queueing/sleeper.js';
import { DeliverySlots, type SlotJob } from '../src/delivery/queueing/slots.js';

const job = (id: string, groupId: string | null = 'wh_a'): SlotJob => ({ id, groupId });
const slots = (limits: Partial<{ concurrency: number; webhookMaxInFlight: number; slowAfterMs: number }> = {}) =>
  new DeliverySlots<SlotJob>({ concurrency: 4, webhookMaxInFlight: 2, slowAfterMs: 1000, ...limits });

/** Takes jobs as the worker does: in hand, then each request started at `now`. */
function dispatch(s: DeliverySlots<SlotJob>, jobs: SlotJob[], now = 0) {
  s.take(jobs);
  for (const j of jobs) s.requestStarted(j, now);
}

describe('DeliverySlots', () => {
  it('frees a slot when a request ends, before its outcome is recorded', () => {
    const s = slots();
    expect(s.free()).toBe(4);
    const jobs = [job('1'), job('2', 'wh_b'), job('3', 'wh_c')];
    dispatch(s, jobs);
    expect(s.free()).toBe(1);
    expect(s.inHandCount).toBe(3);
    s.requestEnded(jobs[0]!);
    expect(s.free()).toBe(2);
    expect(s.inHandCount).toBe(3); // still in hand until recorded: the heartbeat keeps it claimed
    expect(s.jobsInHand().map((j) => j.id)).toEqual(['1', '2', '3']);
    s.completed(jobs[0]!);
    expect(s.jobsInHand().map((j) => j.id)).toEqual(['2', '3']);
    expect(s.free()).toBe(2);
  });

  it('lets at most as many answered outcomes wait for recording as there are slots', () => {
    const s = slots({ concurrency: 2 });
    const first = [job('1', 'wh_1'), job('2', 'wh_2')];
    dispatch(s, first);
    for (const j of first) s.requestEnded(j);
    expect(s.free()).toBe(2); // both answered, neither recorded
    const second = [job('3', 'wh_3'), job('4', 'wh_4')];
    dispatch(s, second);
    for (const j of second) s.requestEnded(j);
    expect(s.free()).toBe(0); // 4 in hand = 2 × concurrency: a slow database slows fetching
    s.completed(first[0]!);
    expect(s.free()).toBe(1);
  });

  it("tells whether a completed job's webhook was at its in-flight limit here", () => {
    const s = slots({ webhookMaxInFlight: 2 });
    const [a1, a2, b1] = [job('a1', 'wh_a'), job('a2', 'wh_a'), job('b1', 'wh_b')];
    dispatch(s, [a1, a2, b1]);
    expect(s.completed(b1)).toEqual({ webhookWasAtLimit: false });
    expect(s.completed(a1)).toEqual({ webhookWasAtLimit: true });
    expect(s.completed(a2)).toEqual({ webhookWasAtLimit: false }); // a1 had left: one of two
    // Counted from zero again: the webhook's count was dropped, not left at 0 or below.
    const a3 = job('a3', 'wh_a');
    dispatch(s, [a3]);
    expect(s.completed(a3)).toEqual({ webhookWasAtLimit: false });
  });

  it('keeps no per-webhook count for a job without a group', () => {
    const s = slots();
    const loose = job('x', null);
    dispatch(s, [loose], 0);
    expect(s.slowWebhooks(10_000)).toEqual([]);
    s.requestEnded(loose);
    expect(s.completed(loose)).toEqual({ webhookWasAtLimit: false });
    expect(s.free()).toBe(4);
  });

  it('finds the webhooks whose every slot waits longer than the slow threshold', () => {
    const s = slots({ webhookMaxInFlight: 2, slowAfterMs: 1000 });
    const [a1, a2, b1, c1, c2] = [job('a1', 'wh_a'), job('a2', 'wh_a'), job('b1', 'wh_b'), job('c1', 'wh_c'), job('c2', 'wh_c')];
    dispatch(s, [a1, a2, b1], 0);
    dispatch(s, [c1], 0);
    dispatch(s, [c2], 500);
    expect(s.slowWebhooks(1000)).toEqual([]); // exactly at the threshold is not slow yet
    // wh_a: both slots slow; wh_b: one request, under its limit of 2; wh_c: one of two slow.
    expect(s.slowWebhooks(1001)).toEqual(['wh_a']);
    expect(s.slowWebhooks(1501)).toEqual(['wh_a', 'wh_c']);
    s.requestEnded(a1); // answered: no longer waiting, even before it is recorded
    expect(s.slowWebhooks(5000)).toEqual(['wh_c']);
  });
});

describe('Sleeper', () => {
  let sleeper: Sleeper;
  beforeEach(() => {
    vi.useFakeTimers();
    sleeper = new Sleeper();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether `promise` has settled once pending callbacks ran. */
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    return done;
  };

  it('sleeps for the time given, unless woken first', async () => {
    const timed = sleeper.sleep(1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(timed)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(timed)).toBe(true);

    const woken = sleeper.sleep(1000);
    await vi.advanceTimersByTimeAsync(10);
    sleeper.wake();
    expect(await settled(woken)).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // the timer of a woken sleep is cleared
  });

  it('sleeps without a time only until woken', async () => {
    const untilWoken = sleeper.sleep(null);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(await settled(untilWoken)).toBe(false);
    sleeper.wake();
    expect(await settled(untilWoken)).toBe(true);
  });

  it('never loses a wake: one that came while awake ends the next sleep at once, and only that one', async () => {
    sleeper.wake();
    sleeper.wake(); // wakes do not add up
    expect(await settled(sleeper.sleep(null))).toBe(true);
    expect(await settled(sleeper.sleep(null))).toBe(false);
  });

  it('forgets the wakes before a fetch, which sees whatever they announced', async () => {
    sleeper.wake();
    sleeper.forget();
    expect(await settled(sleeper.sleep(1000))).toBe(false);
  });

  it('forgets a wake once it ended a sleep', async () => {
    const first = sleeper.sleep(null);
    sleeper.wake();
    expect(await settled(first)).toBe(true);
    expect(await settled(sleeper.sleep(null))).toBe(false);
  });

  it('once stopped, ends the current sleep and every later one at once', async () => {
    const current = sleeper.sleep(null);
    sleeper.stop();
    expect(await settled(current)).toBe(true);
    expect(await settled(sleeper.sleep(null))).toBe(true);
    expect(await settled(sleeper.sleep(60_000))).toBe(true);
  });
});
