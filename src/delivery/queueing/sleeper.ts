// How the delivery worker's loop waits: until woken, or for a time. A wake is never lost: one that comes while the
// loop is not sleeping makes its next sleep return at once, unless the loop forgets it first (`forget`, when it is
// about to fetch: that fetch sees whatever the wake announced). Once stopped, every sleep returns at once.

export class Sleeper {
  /** Woken since the last sleep (or `forget`). */
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private stopped = false;

  /** Ends the current sleep, or the next one at once. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** Forgets the wakes so far. */
  forget(): void {
    this.woken = false;
  }

  /** Ends the current sleep and every later one at once. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Until woken (at once if woken since the last sleep or `forget`), or for `ms` (null: only until woken). */
  sleep(ms: number | null): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === null ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.woken = false;
        this.wakeSleeper = null;
        resolve();
      };
      this.wakeSleeper = done;
    });
  }
}
