// What a process of a set tells its primary about itself.
import { answerWorkers, tellPrimary } from './ipc.js';

const READY = 'process-set:ready';

/** In a process of a set: it serves now (at `httpUrl`, unless it runs no HTTP). */
export function reportReady(httpUrl: string | undefined): void {
  tellPrimary(READY, { httpUrl });
}

/** In the primary: `ready` is called with each process's id and URL as it reports ready. */
export function onReady(ready: (workerId: number, httpUrl: string | undefined) => void): void {
  answerWorkers(READY, (worker, body) => ready(worker.id, (body as { httpUrl: string | undefined }).httpUrl));
}
