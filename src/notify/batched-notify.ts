// Sends the NOTIFYs asked for in one turn of the event loop as one statement. A publish announces every delivery
// it created (one NOTIFY each: 10 for an event to 10 webhooks, 1,000 for a fan-out) and concurrent delivery
// attempts announce theirs together; one round trip instead of one each. Order within a batch is kept.
export type SendBatch = (channels: string[], payloads: string[]) => Promise<unknown>;

export function batchedNotify(send: SendBatch): (channel: string, payload: string) => Promise<void> {
  let batch: { channels: string[]; payloads: string[]; sent: Promise<void> } | null = null;
  return (channel, payload) => {
    if (!batch) {
      const next = { channels: [] as string[], payloads: [] as string[], sent: Promise.resolve() };
      next.sent = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          batch = null;
          send(next.channels, next.payloads).then(() => resolve(), reject);
        }),
      );
      batch = next;
    }
    batch.channels.push(channel);
    batch.payloads.push(payload);
    return batch.sent;
  };
}
