// The benchmark's receiver, in its own process: answers every POST at once and records, per event id, when it
// arrived. It verifies nothing. Paths choose the answer: /ok/* 200, /fail/* 500, /hang/* never (until the sender
// gives up or `release` is asked). Times are CLOCK_MONOTONIC in ms (process.hrtime), shared by every process on
// the machine, so the load generator can subtract its own publish times.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverRequest = { type: 'count' } | { type: 'drain' } | { type: 'release' } | { type: 'stop' };
export type ReceiverReply =
  | { type: 'ready'; port: number }
  | { type: 'count'; ok: number; fail: number; hang: number }
  /** Receipts on /ok/* since the last drain: event ids and arrival times, index for index. */
  | { type: 'drain'; ids: string[]; times: Float64Array; paths: string[] };

const now = () => Number(process.hrtime.bigint()) / 1e6;

let ids: string[] = [];
let paths: string[] = [];
let times = new Float64Array(1 << 16);
const counts = { ok: 0, fail: 0, hang: 0 };
const hanging = new Set<ServerResponse>();

function record(id: string, path: string, at: number) {
  if (ids.length === times.length) {
    const grown = new Float64Array(times.length * 2);
    grown.set(times);
    times = grown;
  }
  times[ids.length] = at;
  ids.push(id);
  paths.push(path);
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    const at = now();
    const path = req.url ?? '/';
    if (path.startsWith('/ok/')) {
      counts.ok++;
      record(String(req.headers['x-event-id'] ?? ''), path, at);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '21' }).end('{"status":"received"}');
    } else if (path.startsWith('/fail/')) {
      counts.fail++;
      res.writeHead(500, { 'content-length': '5' }).end('error');
    } else {
      counts.hang++;
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port } satisfies ReceiverReply);
});

process.on('message', (message: ReceiverRequest) => {
  switch (message.type) {
    case 'count':
      process.send!({ type: 'count', ...counts } satisfies ReceiverReply);
      break;
    case 'drain': {
      const reply: ReceiverReply = { type: 'drain', ids, paths, times: times.slice(0, ids.length) };
      ids = [];
      paths = [];
      process.send!(reply);
      break;
    }
    case 'release':
      for (const res of hanging) res.destroy();
      hanging.clear();
      break;
    case 'stop':
      server.closeAllConnections();
      server.close(() => process.exit(0));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
