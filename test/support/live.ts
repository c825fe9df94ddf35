// Real clients for live subscriptions: graphql-ws (the `graphql-ws` package over `ws`) and SSE (fetch with
// `accept: text/event-stream`), each recording what it receives; and a TCP proxy that can stop reading, to play a
// slow client.
import net from 'node:net';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { onCleanup } from './cleanup.js';
import { freePort } from '../../src/lib/free-port.js';
export { freePort };

export type Message = { data?: any; errors?: { message: string; extensions?: any }[] };

/** What one subscription received, in order, and how it ended. */
export class Recording {
  readonly messages: Message[] = [];
  completed = false;
  error: unknown = null;
  private changed: (() => void) | null = null;

  add(message: Message) {
    this.messages.push(message);
    this.changed?.();
  }

  end(error: unknown = null) {
    this.completed = error === null;
    this.error = error;
    this.changed?.();
  }

  /** The `field` of every message's data. */
  values(field: string): any[] {
    return this.messages.map((m) => m.data?.[field]);
  }

  /** Waits until `done()` holds; fails with what was received after `timeoutMs`. */
  async until(done: (r: Recording) => boolean, what: string, timeoutMs = 15_000): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.messages).slice(-2_000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.changed = null;
    }
    return this;
  }

  count = (n: number, timeoutMs?: number) => this.until((r) => r.messages.length >= n, `${n} messages`, timeoutMs);
  finished = (timeoutMs?: number) => this.until((r) => r.completed || r.error !== null, 'completion', timeoutMs);
}

export type WsConnection = {
  client: Client;
  subscribe: (query: string, variables?: Record<string, unknown>) => Recording & { unsubscribe: () => void };
  close: () => Promise<void>;
};

/** A graphql-ws connection authenticated in connection_init, as a browser would. */
export function connectWs(httpUrl: string, key: string, options: Partial<ClientOptions> = {}): WsConnection {
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    ...options,
  });
  onCleanup(() => client.dispose());
  return {
    client,
    subscribe: (query, variables) => {
      const recording = new Recording() as Recording & { unsubscribe: () => void };
      recording.unsubscribe = client.subscribe(
        { query, variables },
        { next: (m) => recording.add(m as Message), error: (e) => recording.end(e ?? 'error'), complete: () => recording.end() },
      );
      return recording;
    },
    close: () => client.dispose() as Promise<void>,
  };
}

/** One subscription over SSE (Yoga's "distinct connections" mode: one request per subscription). */
export function subscribeSse(
  httpUrl: string,
  key: string | null,
  query: string,
  variables?: Record<string, unknown>,
): Recording & { status: Promise<number>; abort: () => void } {
  const recording = new Recording() as Recording & { status: Promise<number>; abort: () => void };
  const controller = new AbortController();
  recording.abort = () => controller.abort();
  onCleanup(() => controller.abort());
  recording.status = (async () => {
    const response = await fetch(`${httpUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    void (async () => {
      if (!response.ok || !response.body) return recording.end(`HTTP ${response.status}`);
      const decoder = new TextDecoder();
      let text = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            if (event === 'next' && data) recording.add(JSON.parse(data));
            if (event === 'complete') return recording.end();
          }
        }
        recording.end('stream ended without complete');
      } catch (error) {
        if (!controller.signal.aborted) recording.end(error);
      }
    })();
    return response.status;
  })();
  return recording;
}

/**
 * A TCP proxy to `targetPort` on loopback. `pause()` stops reading from the target (which then sees a client that
 * reads slowly); `cut()` drops every connection and refuses new ones until `restore()`.
 */
export async function startProxy(targetPort: number) {
  const pairs = new Map<net.Socket, net.Socket>(); // upstream → client
  let paused = false;
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    pairs.set(upstream, client);
    client.pipe(upstream);
    if (!paused) upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const upstream of pairs.keys()) upstream.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    pause: () => {
      paused = true;
      for (const [upstream, client] of pairs) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    resume: () => {
      paused = false;
      for (const [upstream, client] of pairs) upstream.pipe(client);
    },
    cut: () => {
      down = true;
      for (const [upstream, client] of pairs) {
        upstream.destroy();
        client.destroy();
      }
    },
    restore: () => {
      down = false;
    },
    /** Connections open through the proxy. */
    connections: () => pairs.size,
  };
}

/** A loopback port nothing listens on right now. */
