// What the processes of a set ask their primary (node:cluster IPC): a request names a kind, the primary answers it
// with the handler it registered for that kind. The primary keeps what the whole set shares (the subscription caps'
// counts, the one /metrics); a process of the set holds no answer of its own.
import cluster, { type Worker } from 'node:cluster';

const CHANNEL = 'aiplatform-webhooks';
/** A primary that does not answer within this is gone or stuck: the request fails rather than hang a client. */
const ANSWER_TIMEOUT_MS = 5_000;

type Request = { channel: typeof CHANNEL; kind: string; id: number | null; body: unknown };
type Answer = { channel: typeof CHANNEL; id: number; body?: unknown; error?: string };

const isOurs = (message: unknown): message is Request & Answer =>
  typeof message === 'object' && message !== null && (message as { channel?: unknown }).channel === CHANNEL;

let nextId = 0;
const waiting = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
let listening = false;

/** Asks the primary; resolves with its answer. Only in a process of a set. */
export function askPrimary<T>(kind: string, body: unknown): Promise<T> {
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isOurs(message)) return;
      const request = waiting.get(message.id);
      if (!request) return;
      waiting.delete(message.id);
      clearTimeout(request.timer);
      if (message.error !== undefined) request.reject(new Error(message.error));
      else request.resolve(message.body);
    });
  }
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary did not answer ${kind} in ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    waiting.set(id, { resolve: resolve as (body: unknown) => void, reject, timer });
    process.send!({ channel: CHANNEL, kind, id, body } satisfies Request);
  });
}

/** Tells the primary something that needs no answer. Messages of one process reach the primary in order. */
export function tellPrimary(kind: string, body: unknown): void {
  if (process.connected) process.send!({ channel: CHANNEL, kind, id: null, body } satisfies Request);
}

/** In the primary: answers every request of `kind` from any process of the set. */
export function answerWorkers(kind: string, handle: (worker: Worker, body: unknown) => unknown): void {
  cluster.on('message', (worker, message: unknown) => {
    if (!isOurs(message) || message.kind !== kind) return;
    void (async () => {
      let answer: Answer;
      try {
        const body = await handle(worker, message.body);
        if (message.id === null) return;
        answer = { channel: CHANNEL, id: message.id, body };
      } catch (error) {
        if (message.id === null) return;
        answer = { channel: CHANNEL, id: message.id, error: (error as Error).message };
      }
      if (worker.isConnected()) worker.send(answer);
    })();
  });
}
