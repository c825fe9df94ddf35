// A real HTTP receiver on loopback whose answer per path is programmable; it records every request raw.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';

export type ReceivedRequest = { path: string; headers: IncomingMessage['headers']; body: string; at: number };
type Behaviour = (req: IncomingMessage, res: ServerResponse, count: number) => void;

export const behaviours = {
  accept: (): Behaviour => (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"received"}'),
  status: (status: number, headers: Record<string, string> = {}, body = ''): Behaviour => (_req, res) =>
    res.writeHead(status, headers).end(body),
  /** Fails the first `n` requests with `status`, then accepts. */
  failTimes: (n: number, status = 500): Behaviour => (req, res, count) =>
    count <= n ? res.writeHead(status).end('not yet') : behaviours.accept()(req, res, count),
  /** Answers as `behaviour` does, `ms` after the request arrived. */
  after: (ms: number, behaviour: Behaviour): Behaviour => (req, res, count) => {
    setTimeout(() => behaviour(req, res, count), ms);
  },
  /** Never answers; the connection is closed when the receiver stops. */
  hang: (): Behaviour => () => {},
  redirect: (to: string): Behaviour => (_req, res) => res.writeHead(302, { location: to }).end(),
};

export type Receiver = {
  url: (path: string) => string;
  on: (path: string, behaviour: Behaviour) => void;
  requests: (path?: string) => ReceivedRequest[];
  waitFor: (path: string, count: number, timeoutMs?: number) => Promise<ReceivedRequest[]>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const routes = new Map<string, Behaviour>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const count = received.filter((r) => r.path === path).length;
      (routes.get(path) ?? behaviours.accept())(req, res, count);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const requests = (path?: string) => received.filter((r) => path === undefined || r.path === path);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    on: (path, behaviour) => routes.set(path, behaviour),
    requests,
    waitFor: async (path, count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (requests(path).length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} requests on ${path} within ${timeoutMs} ms, got ${requests(path).length}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return requests(path);
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
