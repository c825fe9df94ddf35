// What follows an attempt (src/delivery/recording/retry-policy.ts): done, a retry after the scheduled delay (or
// the receiver's Retry-After, within bounds), or giving up.
import { describe, expect, it } from 'vitest';
import { nextStep, retryAfterMs } from '../src/delivery/recording/retry-policy.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const SCHEDULE = [1_000, 10_000, 60_000];
const failed = (status: number | null, retryAfterHeader?: string) => ({ ok: false, status, retryAfterHeader });

describe('nextStep', () => {
  it('is done after a successful attempt, whatever its number', () => {
    expect(nextStep(1, { ok: true, status: 200 }, SCHEDULE, NOW)).toEqual({ kind: 'succeeded' });
    expect(nextStep(99, { ok: true, status: 204 }, SCHEDULE, NOW)).toEqual({ kind: 'succeeded' });
  });

  it('retries after each scheduled delay in turn, then gives up: at most schedule.length + 1 attempts', () => {
    expect(nextStep(1, failed(500), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 1_000 });
    expect(nextStep(2, failed(null), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(nextStep(3, failed(502), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 60_000 });
    expect(nextStep(4, failed(500), SCHEDULE, NOW)).toEqual({ kind: 'give-up', reason: 'A delivery failed 4 attempts in a row' });
    expect(nextStep(1, failed(500), [], NOW)).toEqual({ kind: 'give-up', reason: 'A delivery failed 1 attempts in a row' });
  });

  it('gives up at once on 410 Gone', () => {
    expect(nextStep(1, failed(410), SCHEDULE, NOW)).toEqual({ kind: 'give-up', reason: 'The receiver answered 410 Gone' });
  });

  it("honours a 429's or 503's Retry-After, never below the scheduled delay nor beyond twice it", () => {
    expect(nextStep(2, failed(429, '15'), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 15_000 });
    expect(nextStep(2, failed(503, '1'), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(nextStep(2, failed(429, '3600'), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 20_000 });
    const inTwelveSeconds = new Date(NOW.getTime() + 12_000).toUTCString();
    expect(nextStep(2, failed(503, inTwelveSeconds), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 12_000 });
    // Unreadable, or from another status: the schedule.
    expect(nextStep(2, failed(429, 'soon'), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(nextStep(2, failed(500, '15'), SCHEDULE, NOW)).toEqual({ kind: 'retry', delayMs: 10_000 });
    // No retry left: a Retry-After does not add one.
    expect(nextStep(4, failed(429, '1'), SCHEDULE, NOW).kind).toBe('give-up');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, or an HTTP date from now (never in the past)', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 7 ', NOW)).toBe(7_000);
    expect(retryAfterMs('0', NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW.getTime() + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(retryAfterMs(new Date(NOW.getTime() - 90_000).toUTCString(), NOW)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    expect(retryAfterMs(undefined, NOW)).toBeNull();
    expect(retryAfterMs('', NOW)).toBeNull();
    expect(retryAfterMs('in a bit', NOW)).toBeNull();
    expect(retryAfterMs('Someday, 99 Smarch', NOW)).toBeNull();
  });
});
