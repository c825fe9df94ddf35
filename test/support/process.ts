// The real service as a child process (`tsx src/main.ts`), for tests that kill or signal it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { TEST_ENCRYPTION_KEY } from './service.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceProcess = {
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: () => Record<string, unknown>[];
  waitForLog: (predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * One process of the service (WORKERS=1, no primary: what the tests of a killed or stopped worker mean), or a
 * process set when `env` sets WORKERS.
 */
export function spawnService(env: Record<string, string>): ServiceProcess {
  // Node itself with tsx as a loader (not the tsx CLI, which runs Node as a grandchild that a kill would miss).
  const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not a log line (e.g. a warning)
      }
    }
  });
  child.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    logs: () => lines,
    exited,
    waitForLog: async (predicate, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(predicate);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error('the service process exited');
        if (Date.now() > deadline) throw new Error('timed out waiting for a log line');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The log line a service process writes once it is up. */
export const serviceReady = (line: Record<string, unknown>) => line.msg === 'AI Platform Webhooks is running';

/**
 * A worker-only process's environment, on the database at `databaseUrl`: it delivers to loopback receivers and opens
 * what an in-process test service sealed. `extra` adds or overrides variables.
 */
export const workerEnv = (databaseUrl: string, extra: Record<string, string> = {}) => ({
  DATABASE_URL: databaseUrl,
  ROLE: 'worker',
  DESTINATION_ALLOWLIST: '127.0.0.0/8',
  SECRET_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  ...extra,
});

/** Whether a process with this pid still exists (signal 0 checks without signalling). */
export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
