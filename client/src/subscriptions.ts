// GraphQL subscriptions over graphql-ws: one lazily opened socket per client, shared by every subscription and
// closed as soon as the last one ends. Each subscription is an async iterable; `break` unsubscribes.
//
// Resuming: when the socket drops, graphql-ws reconnects and subscribes again. A message that carries a `position`
// (jobEvents, deliveryUpdates) sets the subscription's `after` variable as it arrives, so the resubscription asks
// for exactly what came after the last message received: the `for await` loop sees no gap and no duplicate.
// Subscriptions without positions (batchProgress, trainingProgress) start again from the current state.
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws/client';
import {
  ApiError,
  AuthenticationError,
  errorFromGraphQL,
  NetworkError,
  WebhooksClientError,
  type GraphQLErrorLike,
} from './errors.js';
import type { Credential, TypedDocument, VariablesArgument } from './http.js';

/** A live subscription: iterate it with `for await`; `break` or `return()` unsubscribes at once. */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
}

export type SubscriptionOptions = {
  /** How often to reconnect after the socket drops (graphql-ws backs off exponentially). Default 5. */
  retryAttempts?: number;
};

/** `http(s)://host/graphql` → `ws(s)://host/graphql`. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`url must be an http(s) URL, got ${httpUrl}`);
  }
  return url.toString();
}

const FORBIDDEN = 4403;

/** The position a message carries (its root field's `position`), if any. */
function positionOf(data: unknown): string | undefined {
  const root = data && typeof data === 'object' ? Object.values(data)[0] : undefined;
  const position = root && typeof root === 'object' ? (root as { position?: unknown }).position : undefined;
  return typeof position === 'string' ? position : undefined;
}

const isCloseEvent = (value: unknown): value is { code: number; reason: string } =>
  typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;

/** graphql-ws rejects with GraphQL errors, a close event, an error event or an Error: map each to a typed error. */
export function subscriptionError(error: unknown, url: string): WebhooksClientError {
  if (error instanceof WebhooksClientError) return error;
  if (Array.isArray(error)) return errorFromGraphQL(error as GraphQLErrorLike[]);
  if (isCloseEvent(error)) {
    if (error.code === FORBIDDEN) return new AuthenticationError(`The API key was refused (WebSocket closed with ${error.code})`);
    if (error.code >= 4000 && error.code < 4500) {
      return new ApiError(`The server closed the subscription: ${error.code} ${error.reason}`, [
        { message: error.reason, extensions: { code: `WEBSOCKET_${error.code}` } },
      ]);
    }
    return new NetworkError(`The WebSocket to ${url} closed: ${error.code} ${error.reason}`.trim(), {
      cause: error,
      status: error.code,
    });
  }
  const message = error instanceof Error ? error.message : 'connection failed';
  return new NetworkError(`Could not keep a WebSocket open to ${url}: ${message}`, { cause: error });
}

export function wsTransport(options: {
  url: string;
  /** Asked again on every (re)connection, so a refreshed token takes over from an expired one. */
  credential: Credential;
  /**
   * Whether a refused socket (4403, e.g. its token expired) should reconnect with a fresh credential, resubscribing
   * every open subscription; only with `getToken`, since a refused key stays refused.
   */
  refreshable?: boolean;
  /** With a platform key: the project to act in (`projectId` in `connection_init`). */
  projectId?: string;
  webSocketImpl?: unknown;
  retryAttempts?: number;
}) {
  const url = webSocketUrl(options.url);
  let client: WsClient | undefined;
  const connection = () =>
    (client ??= createWsClient({
      url,
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      connectionParams: async () => ({
        authorization: `Bearer ${await options.credential()}`,
        ...(options.projectId !== undefined && { projectId: options.projectId }),
      }),
      lazy: true,
      retryAttempts: options.retryAttempts ?? 5,
      // A refused key stays refused: fail at once instead of retrying (unless a fresh token may be fetched).
      shouldRetry: (error) => isCloseEvent(error) && (error.code !== FORBIDDEN || options.refreshable === true),
    }));

  /**
   * A hand-written iterator rather than an async generator: a generator's `return()` waits for the pending `next()`
   * to settle, so a caller that stops while no message is coming would leave the subscription open until the next
   * one. Here `return()` unsubscribes at once and settles the pending `next()` as done.
   */
  function subscribe<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Subscription<TResult> {
    // graphql-ws sends this same object again on every resubscription (serialised then), so `after` set here as
    // each message arrives is what a reconnection asks for; messages received but not yet taken stay queued.
    const payload = { query: document.toString(), variables: { ...(variables ?? {}) } as Record<string, unknown> };
    type Message = { data?: TResult | null; errors?: readonly GraphQLErrorLike[] };
    const received: Message[] = [];
    let ended: { error?: unknown } | null = null;
    let wake: (() => void) | null = null;
    const woken = () => {
      wake?.();
      wake = null;
    };
    const unsubscribe = connection().subscribe<TResult>(payload, {
      next: (message) => {
        const position = positionOf(message.data);
        if (position !== undefined) payload.variables.after = position;
        received.push(message as Message);
        woken();
      },
      error: (error) => {
        ended ??= { error };
        woken();
      },
      complete: () => {
        ended ??= {};
        woken();
      },
    });
    const done = { done: true, value: undefined } as const;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe(); // tells the server to stop; frees the socket when it was the last subscription
      woken();
    };
    const iterator: Subscription<TResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next(): Promise<IteratorResult<TResult>> {
        while (!closed && received.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        const message = received.shift();
        if (closed) return done;
        if (!message) {
          close();
          if (ended && 'error' in ended) throw subscriptionError(ended.error, url);
          return done;
        }
        const { data, errors } = message;
        let failure: WebhooksClientError | undefined;
        if (errors?.length) failure = errorFromGraphQL(errors);
        else if (data === undefined || data === null) failure = new ApiError('A subscription result carried no data', []);
        if (failure) {
          close();
          throw failure;
        }
        return { done: false, value: data as TResult };
      },
      async return(): Promise<IteratorResult<TResult>> {
        close();
        return done;
      },
    };
    return iterator;
  }

  return {
    subscribe,
    /** Closes the socket, ending every subscription of this client. */
    dispose: async () => {
      await client?.dispose();
      client = undefined;
    },
  };
}
