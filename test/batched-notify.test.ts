import { describe, expect, it } from 'vitest';
import { batchedNotify } from '../src/notify/batched-notify.js';

describe('batchedNotify', () => {
  it('sends the notifications of one event-loop turn as one batch, in order, and later ones in the next', async () => {
    const sent: [string[], string[]][] = [];
    const notify = batchedNotify(async (channels, payloads) => void sent.push([channels, payloads]));
    await Promise.all([notify('a', '1'), notify('b', '2'), notify('a', '3')]);
    await notify('c', '4');
    expect(sent).toEqual([
      [['a', 'b', 'a'], ['1', '2', '3']],
      [['c'], ['4']],
    ]);
  });

  it('rejects every notification of a batch that could not be sent', async () => {
    const notify = batchedNotify(() => Promise.reject(new Error('connection lost')));
    const results = await Promise.allSettled([notify('a', '1'), notify('b', '2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
