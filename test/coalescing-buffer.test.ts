import { describe, expect, it } from 'vitest';
import { CoalescingBuffer } from '../src/live/coalescing-buffer.js';

const drain = async <T>(buffer: CoalescingBuffer<T>) => {
  const taken: T[] = [];
  for await (const value of buffer) taken.push(value);
  return taken;
};

describe('CoalescingBuffer', () => {
  it('keeps only the latest value per key, however many arrive while nobody reads', async () => {
    const buffer = new CoalescingBuffer<number>();
    for (let i = 1; i <= 10_000; i++) {
      buffer.push('state', i);
      expect(buffer.size).toBe(1);
    }
    expect(await buffer.next()).toEqual({ done: false, value: 10_000 });
  });

  it('delivers keys in the order they first waited, each with its latest value', async () => {
    const buffer = new CoalescingBuffer<string>();
    buffer.push('a', 'a1');
    buffer.push('b', 'b1');
    buffer.push('a', 'a2');
    buffer.push('c', 'c1', { final: true });
    expect(await drain(buffer)).toEqual(['a2', 'b1', 'c1']);
  });

  it('never replaces or drops a final value, delivers it last and then ends', async () => {
    const buffer = new CoalescingBuffer<string>();
    buffer.push('state', 'running');
    buffer.push('state', 'completed', { final: true });
    buffer.push('state', 'running again'); // after the end: ignored
    buffer.push('other', 'x', { final: true });
    expect(buffer.size).toBe(2);
    expect(await drain(buffer)).toEqual(['running', 'completed']);
    expect(await buffer.next()).toEqual({ done: true, value: undefined });
  });

  it('wakes a waiting reader when a value arrives', async () => {
    const buffer = new CoalescingBuffer<number>();
    const next = buffer.next();
    buffer.push('k', 1);
    expect(await next).toEqual({ done: false, value: 1 });
  });

  it('ends a waiting reader when closed, dropping what waits', async () => {
    const buffer = new CoalescingBuffer<number>();
    const next = buffer.next();
    buffer.close();
    expect(await next).toEqual({ done: true, value: undefined });
    const other = new CoalescingBuffer<number>();
    other.push('k', 1);
    await other.return();
    expect(await other.next()).toEqual({ done: true, value: undefined });
  });
});
