// What happens after an attempt: done, retry later on the schedule, or give up (and disable the webhook).

export type AttemptResult = { ok: boolean; status: number | null; retryAfterHeader?: string | undefined };

export type NextStep =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'give-up'; reason: string };

/** Retry-After as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/**
 * `attemptNumber` is 1 for the first attempt. The schedule lists the delay before each retry, so a delivery
 * makes at most `schedule.length + 1` attempts.
 */
export function nextStep(attemptNumber: number, result: AttemptResult, scheduleMs: readonly number[], now: Date): NextStep {
  if (result.ok) return { kind: 'succeeded' };
  if (result.status === 410) return { kind: 'give-up', reason: 'The receiver answered 410 Gone' };
  const step = scheduleMs[attemptNumber - 1];
  if (step === undefined) {
    return { kind: 'give-up', reason: `A delivery failed ${attemptNumber} attempts in a row` };
  }
  if (result.status === 429 || result.status === 503) {
    const asked = retryAfterMs(result.retryAfterHeader, now);
    // Honour the receiver's wish, but never beyond twice the scheduled delay.
    if (asked !== null) return { kind: 'retry', delayMs: Math.max(step, Math.min(asked, step * 2)) };
  }
  return { kind: 'retry', delayMs: step };
}
