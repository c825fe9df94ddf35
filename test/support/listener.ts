// `aiplatform-webhooks listen` as a developer runs it: `node bin/cli.js listen …`, a child process that knows only
// the service's URL and a key (WEBHOOKS_URL, WEBHOOKS_API_KEY), with no database (DATABASE_URL empty).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { claimWaitingExchange, openExchange } from '../../src/db/sql/listener-exchanges.js';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { eventually } from './receiver.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type Listener = {
  output: () => string;
  /** Resolves to the first match of `pattern` in the output (stdout and stderr). */
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  /** Ctrl-C. */
  interrupt: () => void;
};

/** Where a listener connects: the service's base URL and the key it uses. */
export type ListenTarget = { httpUrl: string; key: string };

export function startListener({ httpUrl, key }: ListenTarget, ...args: string[]): Listener {
  const child = spawn(process.execPath, ['bin/cli.js', 'listen', ...args], {
    cwd: root,
    env: { ...process.env, WEBHOOKS_URL: httpUrl, WEBHOOKS_API_KEY: key, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  onCleanup(() => void child.kill('SIGKILL'));
  return {
    output: () => output,
    waitFor: (pattern) =>
      eventually(async () => output.match(pattern) ?? undefined, `${pattern} in the listener's output: ${output}`, 30_000),
    exited,
    interrupt: () => child.kill('SIGINT'),
  };
}

/** Starts a listener and waits until it is connected: it, its webhook's id, and the secret it printed (or null). */
export async function connectedListener(target: ListenTarget, ...args: string[]) {
  const listener = startListener(target, ...args);
  const [, webhookId] = await listener.waitFor(/LISTEN webhook (wh_\w+)/);
  await listener.waitFor(/Connected to /);
  const secret = listener.output().match(/shown only now:\n(whsec_\S+)/)?.[1] ?? null;
  return { listener, webhookId: webhookId!, secret };
}

/**
 * A request of the LISTEN webhook as a worker writes it and a listener's session claims it, waiting for its report
 * (no worker waits for it: a report changes the exchange alone); resolves to its id.
 */
export async function claimedListenerRequest(pool: pg.Pool, { projectId, webhookId }: { projectId: string; webhookId: string }) {
  const request = { id: randomUUID(), projectId, webhookId, deliveryId: 'del_none', eventId: 'evt_none', eventType: 'model.deployed' };
  await openExchange(pool, { ...request, headers: {}, body: '{}', timeoutMs: 600_000, replyTopic: 'nobody' });
  return (await claimWaitingExchange(pool, webhookId))!.id;
}
