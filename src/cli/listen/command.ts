// `aiplatform-webhooks listen`: receives a LISTEN webhook's deliveries over a live connection to the service and
// forwards each to a local receiver, reporting the answer back, where it is recorded as the attempt. It talks only
// to the service's API (GraphQL over HTTP and graphql-ws, with an API key holding webhooks:write, deliveries:read
// and deliveries:write): no DATABASE_URL, no DESTINATION_ALLOWLIST (the service never connects to the local
// address; the listener does). Ctrl-C ends the subscription and exits 0.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createClient as createWsClient } from 'graphql-ws/client';
import WebSocket from 'ws';
import { createClient, operations as op, webSocketUrl } from '../../../client/src/index.js';
import { forward, forwardingClient, type ListenerMessage } from './forward.js';
import { listenWebhook } from './webhook.js';

export const LISTEN_USAGE = `  cli listen --forward-to <url> [--events <a,b>] [--name <name>] [--rotate-secret]
             [--url <service>] [--api-key <key>]
                                                          receive a LISTEN webhook's deliveries here and POST each
                                                          to --forward-to (e.g. http://localhost:5000/webhook); the
                                                          webhook named --name (listen:<hostname> by default) is
                                                          reused, or created for --events (every event by default)
                                                          and its secret printed once; --url and --api-key default
                                                          to WEBHOOKS_URL (else http://localhost:4000) and
                                                          WEBHOOKS_API_KEY`;

/** Parsed `listen` options, or a usage error's message. */
function parseOptions(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'forward-to': { type: 'string' },
      events: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'rotate-secret': { type: 'boolean' },
    },
  });
  const forwardTo = values['forward-to'];
  if (!forwardTo) throw new UsageError('listen needs --forward-to <url>');
  if (!URL.canParse(forwardTo) || !/^https?:$/.test(new URL(forwardTo).protocol)) {
    throw new UsageError(`--forward-to must be an http(s) URL, got ${forwardTo}`);
  }
  const apiKey = values['api-key'] ?? env.WEBHOOKS_API_KEY;
  if (!apiKey) throw new UsageError('listen needs an API key: --api-key <key> or WEBHOOKS_API_KEY');
  const service = values.url ?? env.WEBHOOKS_URL ?? 'http://localhost:4000';
  if (!URL.canParse(service)) throw new UsageError(`--url must be the service's URL, got ${service}`);
  const events = values.events?.split(',').map((event) => event.trim()).filter(Boolean) ?? null;
  return {
    forwardTo,
    apiKey,
    graphqlUrl: new URL('/graphql', service).toString(),
    events: events?.length ? events : null,
    name: values.name ?? `listen:${hostname()}`,
    rotateSecret: values['rotate-secret'] ?? false,
  };
}

class UsageError extends Error {}

const messageOf = (error: unknown) =>
  Array.isArray(error)
    ? error.map((e: { message?: string }) => e.message).join('; ')
    : error instanceof Error
      ? error.message
      : `connection closed (${(error as { code?: number }).code ?? 'unknown'})`;

/** Runs `listen` until Ctrl-C (0) or a fatal error (1); a UsageError for bad options. */
export async function runListen(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseOptions(argv, env);
  const client = createClient({ url: options.graphqlUrl, apiKey: options.apiKey });
  const { webhook, secret, created } = await listenWebhook(client, options);
  const what = `LISTEN webhook ${webhook.id} "${options.name}" (events ${webhook.events.join(', ')})`;
  if (secret) {
    console.log(`${created ? 'Created' : 'Rotated the secret of'} ${what}. Its signing secret, shown only now:\n${secret}`);
  } else {
    console.log(`Reusing ${what}. Its signing secret was shown when it was created; --rotate-secret makes a new one.`);
  }

  const http = forwardingClient();
  let stopping = false;
  const ws = createWsClient({
    url: webSocketUrl(options.graphqlUrl),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.apiKey}` },
    // Keeps trying while the service restarts; deliveries meanwhile wait and are retried on their schedule.
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** retries, 10_000))),
    shouldRetry: (event) => (event as { code?: number }).code !== 4403,
    on: {
      closed: () => {
        if (!stopping) console.log('Connection lost; reconnecting');
      },
    },
  });

  return new Promise<number>((resolve) => {
    const end = async (code: number) => {
      if (stopping) return;
      stopping = true;
      unsubscribe();
      await ws.dispose();
      await http.agent.destroy();
      resolve(code);
    };
    const unsubscribe = ws.subscribe<{ listen: ListenerMessage }>(
      { query: op.ListenDocument.toString(), variables: { webhookId: webhook.id } },
      {
        next: ({ data, errors }) => {
          if (errors?.length || !data) {
            console.error(`listen: ${messageOf(errors)}`);
            void end(1);
            return;
          }
          const message = data.listen;
          if (message.__typename === 'ListenerReady') {
            console.log(`Connected to ${options.graphqlUrl}: forwarding deliveries to ${options.forwardTo} (Ctrl-C to stop)`);
          } else {
            void forward(client, http, options.forwardTo, message).then((line) => console.log(line));
          }
        },
        error: (error) => {
          console.error(`listen: ${messageOf(error)}`);
          void end(1);
        },
        complete: () => void end(0),
      },
    );
    process.once('SIGINT', () => {
      console.log('Stopped listening');
      void end(0);
    });
  });
}

/** The `listen` command: runs it and exits; `--help` prints its usage (exit 0), bad options it and the reason (exit 2). */
export async function listenMain(argv: string[]): Promise<never> {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(`usage:\n${LISTEN_USAGE}`);
    process.exit(0);
  }
  try {
    process.exit(await runListen(argv));
  } catch (error) {
    const usage = error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    console.error(usage ? `${(error as Error).message}\n\nusage:\n${LISTEN_USAGE}` : `listen: ${(error as Error).message}`);
    process.exit(usage ? 2 : 1);
  }
}
