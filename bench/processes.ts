// The processes a benchmark run starts: the receiver, and the service's processes (src/main.ts, unchanged, with
// bench/probe.ts preloaded), each a child with an IPC channel. A service process that forks processes of its own
// (`npm start`'s default set, one per core) is the root of their tree: the probe reaches only the root.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProbeReply } from './probe.js';
import type { ReceiverReply, ReceiverRequest } from './receiver.js';

export const root = fileURLToPath(new URL('../', import.meta.url));
const tsx = ['--import', 'tsx', '--disable-warning=ExperimentalWarning'];

/** Request/response over a child's IPC channel: replies come back in the order asked, one per request. */
class Channel<Req extends { type: string }, Rep extends { type: string }> {
  private readonly waiting = new Map<string, ((reply: Rep) => void)[]>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Rep) => this.waiting.get(reply.type)?.shift()?.(reply));
  }

  ask<T extends Rep['type']>(request: Req, replyType: T, timeoutMs = 60_000): Promise<Extract<Rep, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${replyType} reply from pid ${this.child.pid}`)), timeoutMs);
      const queue = this.waiting.get(replyType) ?? [];
      this.waiting.set(replyType, queue);
      queue.push((reply) => {
        clearTimeout(timer);
        resolve(reply as Extract<Rep, { type: T }>);
      });
      this.child.send(request);
    });
  }

  tell(request: Req) {
    this.child.send(request);
  }
}

function exitedEarly(child: ChildProcess, what: string, stderr: () => string) {
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) {
      console.error(`bench: ${what} (pid ${child.pid}) exited with ${code ?? signal}\n${stderr()}`);
      process.exitCode = 1;
    }
  });
}
const stopping = new Set<ChildProcess>();

function captureStderr(child: ChildProcess) {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  });
  return () => text;
}

export type Receiver = {
  pid: number;
  url: (path: string) => string;
  count: () => Promise<{ ok: number; fail: number; hang: number }>;
  drain: () => Promise<Extract<ReceiverReply, { type: 'drain' }>>;
  release: () => void;
  stop: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const child = fork(`${root}bench/receiver.ts`, [], {
    execArgv: tsx,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  exitedEarly(child, 'the receiver', captureStderr(child));
  const channel = new Channel<ReceiverRequest, ReceiverReply>(child);
  const { port } = await new Promise<{ port: number }>((resolve) =>
    child.once('message', (m: ReceiverReply) => m.type === 'ready' && resolve(m)),
  );
  return {
    pid: child.pid!,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    count: () => channel.ask({ type: 'count' }, 'count'),
    drain: () => channel.ask({ type: 'drain' }, 'drain'),
    release: () => channel.tell({ type: 'release' }),
    stop: () => stop(child, () => channel.tell({ type: 'stop' })),
  };
}

function stop(child: ChildProcess, ask: () => void, timeoutMs = 40_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  stopping.add(child);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}

/** ROLE: the API, the delivery worker, or both in one process set (`npm start`'s default). */
export type ServiceRole = 'api' | 'worker' | 'all';

export type ServiceProcess<R extends ServiceRole = ServiceRole> = {
  role: R;
  pid: number;
  probe: () => Promise<ProbeReply>;
  stop: () => Promise<void>;
};

/** BENCH_PROFILE=worker,api writes V8 CPU profiles of those processes to bench/results/profiles/. */
function profileArgs(role: string) {
  const roles = (process.env.BENCH_PROFILE ?? '').split(',');
  // One directory per role: Node writes a profile per thread (the tsx loader runs in its own), the largest is main.
  return roles.includes(role) ? ['--cpu-prof', `--cpu-prof-dir=${root}bench/results/profiles/${role}`] : [];
}

/**
 * `node src/main.ts` in the given role, with bench/probe.ts preloaded (and the IPC channel it answers on). `env`
 * replaces the bench's own environment for the keys it has; a key it maps to undefined is left out (WORKERS unset).
 */
export async function startServiceProcess<R extends ServiceRole>(role: R, env: Record<string, string | undefined>): Promise<ServiceProcess<R>> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env, ROLE: role };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const child = fork(`${root}src/main.ts`, [], {
    cwd: root,
    execArgv: [...tsx, '--expose-gc', '--import', `${root}bench/probe.ts`, ...(process.env.BENCH_COUNT_QUERIES ? ['--import', `${root}bench/count-queries.ts`] : []), ...profileArgs(role)],
    env: merged,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const stderr = captureStderr(child);
  exitedEarly(child, `the ${role} process`, stderr);
  const channel = new Channel<{ type: 'probe' }, ProbeReply>(child);
  return {
    role,
    pid: child.pid!,
    probe: () => channel.ask({ type: 'probe' }, 'probe'),
    stop: () => stop(child, () => child.kill('SIGTERM')),
  };
}

export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
