// Sends the NOTIFYs asked for in one turn of the event loop as one statement (`perTurn`). A publish's own NOTIFYs go
// out with its insert (src/events/publisher.ts); this is for the rest: concurrent delivery attempts announce theirs
// together, one round trip instead of one each. Order within a batch is kept.
import { perTurn } from '../lib/per-turn.js';

export type SendBatch = (channels: string[], payloads: string[]) => Promise<unknown>;

export function batchedNotify(send: SendBatch): (channel: string, payload: string) => Promise<void> {
  const notify = perTurn<[channel: string, payload: string], void>(async (notices) => {
    await send(
      notices.map(([channel]) => channel),
      notices.map(([, payload]) => payload),
    );
    return [];
  });
  return (channel, payload) => notify([channel, payload]);
}
