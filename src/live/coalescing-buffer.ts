// What one subscriber has yet to receive. Values wait under a key; a newer value for a key that is still waiting
// replaces the older one in place (latest wins), so a slow subscriber holds at most one value per key, however fast
// values arrive. A final value is never replaced or dropped: it is delivered after
// everything waiting before it and ends the stream.

type Waiter<T> = (result: IteratorResult<T, undefined>) => void;

export class CoalescingBuffer<T> implements AsyncIterableIterator<T, undefined> {
  private readonly waiting = new Map<string, T>();
  private final: { value: T } | null = null;
  private ended = false;
  private waiter: Waiter<T> | null = null;
  /** Values waiting to be taken (a final value counts). */
  get size(): number {
    return this.waiting.size + (this.final ? 1 : 0);
  }

  push(key: string, value: T, { final = false } = {}): void {
    if (this.ended || this.final) return; // nothing is delivered after the final value
    if (final) {
      this.final = { value };
    } else {
      this.waiting.set(key, value); // an existing key keeps its place in line
    }
    this.wake();
  }

  /** Ends the stream now; values still waiting are dropped. */
  close(): void {
    this.ended = true;
    this.waiting.clear();
    this.final = null;
    this.wake();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.waiter) return Promise.reject(new Error('CoalescingBuffer has one reader'));
    const taken = this.take();
    if (taken) return Promise.resolve(taken);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private take(): IteratorResult<T, undefined> | null {
    const first = this.waiting.entries().next();
    if (!first.done) {
      this.waiting.delete(first.value[0]);
      return { done: false, value: first.value[1] };
    }
    if (this.final) {
      const { value } = this.final;
      this.final = null;
      this.ended = true;
      return { done: false, value };
    }
    return this.ended ? { done: true, value: undefined } : null;
  }

  private wake() {
    if (!this.waiter) return;
    const taken = this.take();
    if (!taken) return;
    const resolve = this.waiter;
    this.waiter = null;
    resolve(taken);
  }
}
