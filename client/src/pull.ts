// Pull delivery: a `pull` webhook's receiver reads its messages over the REST API (`GET /v1/webhooks/{id}/messages`,
// long polling) instead of being POSTed to, verifies each one like a POSTed request, and acknowledges it.
//
//   for await (const message of client.pull(webhookId, { secret })) {
//     handle(message.event);
//     await message.ack(); // this message and every one before it: never returned again
//   }
//
// A new `pull()` without `after` starts at the oldest unacknowledged message, so a message read but not acknowledged
// before a crash is read again (at least once). The loop runs until you `break`, or `signal` aborts.
import {
  ApiError,
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  ValidationError,
  type WebhooksClientError,
} from './errors.js';
import type { WebhookEvent } from './events.js';
import { describe, type Credential, type FetchLike } from './http.js';
import { verifyWebhook, type VerifyOptions } from './verify.js';

/** A message as the API returns it: `body` is the exact string `headers` sign. */
export type RawMessage = {
  cursor: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  headers: Record<string, string>;
  body: string;
};

export type MessagePage = { messages: RawMessage[]; next_cursor: string };

export type ReadMessagesOptions = {
  /** A message's `cursor` or a read's `next_cursor`; without it, from the oldest unacknowledged message. */
  after?: string;
  /** At most this many messages, 1 to 100 (100 by default). */
  limit?: number;
  /** Seconds to wait for a message when there is none yet, 0 to 30. */
  wait?: number;
  signal?: AbortSignal;
};

export type PullOptions = Omit<ReadMessagesOptions, 'wait'> & {
  /** Seconds each read waits for a message when there is none, 0 to 30 (30 by default). */
  wait?: number;
  /**
   * The webhook's signing secret (or secrets, during a rotation): each message is verified with `verifyWebhook`
   * before it is yielded, and a message that fails throws a WebhookVerificationError from the loop. Without it,
   * `event` is the parsed body, unverified (the API itself is authenticated).
   */
  secret?: string | readonly string[];
  verify?: VerifyOptions;
};

/** A message read by `pull`: its event, the signed request it came as, and `ack()`. */
export type PulledMessage = {
  cursor: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
  body: string;
  event: WebhookEvent;
  /** Acknowledges this message and every earlier one of the webhook: they are delivered, never returned again. */
  ack: () => Promise<void>;
};

/** Calls one REST route under the API's `/v1` base; answers its JSON or throws the matching client error. */
export type RestCall = <T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal) => Promise<T>;

export function restTransport(options: {
  baseUrl: () => string;
  credential: Credential;
  fetch: FetchLike;
  headers: Record<string, string>;
}): RestCall {
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
    const url = `${options.baseUrl().replace(/\/$/, '')}${path}`;
    let response: Response;
    try {
      response = await options.fetch(url, {
        method,
        headers: {
          ...options.headers,
          authorization: `Bearer ${await options.credential()}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(signal && { signal }),
      });
    } catch (cause) {
      throw new NetworkError(`Could not reach ${url}: ${describe(cause)}`, { cause });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new NetworkError(`${url} answered HTTP ${response.status} with a body that is not JSON`, { cause, status: response.status });
    }
    if (!response.ok) throw restError(response.status, json);
    return json as T;
  };
}

/** The client error for a REST error answer, `{ error: { code, message, field? } }`. */
function restError(status: number, json: unknown): WebhooksClientError {
  const error = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error ?? {};
  const message = error.message ?? `HTTP ${status}`;
  if (status === 401) return new AuthenticationError(message);
  if (status === 403) return new ForbiddenError(message, undefined);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message);
  if (status === 422 && error.field !== undefined) return new ValidationError(message, error.field);
  return new ApiError(message, [{ message, extensions: { code: error.code } }], status);
}

const query = ({ after, limit, wait }: ReadMessagesOptions) => {
  const params = new URLSearchParams();
  if (after !== undefined) params.set('after', after);
  if (limit !== undefined) params.set('limit', String(limit));
  if (wait !== undefined) params.set('wait', String(wait));
  const text = params.toString();
  return text ? `?${text}` : '';
};

export function messagesApi(rest: RestCall) {
  const path = (webhookId: string) => `/webhooks/${encodeURIComponent(webhookId)}/messages`;
  const read = (webhookId: string, options: ReadMessagesOptions = {}): Promise<MessagePage> =>
    rest<MessagePage>('GET', `${path(webhookId)}${query(options)}`, undefined, options.signal);
  const ack = (webhookId: string, cursor: string): Promise<{ acknowledged: number }> =>
    rest('POST', `${path(webhookId)}/ack`, { cursor });

  async function* pull(webhookId: string, options: PullOptions = {}): AsyncGenerator<PulledMessage, void, undefined> {
    const { secret, verify, signal, limit } = options;
    const wait = options.wait ?? 30;
    let after = options.after;
    while (!signal?.aborted) {
      let page: MessagePage;
      try {
        page = await read(webhookId, { ...(after !== undefined && { after }), ...(limit !== undefined && { limit }), wait, ...(signal && { signal }) });
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      for (const raw of page.messages) {
        const event = secret === undefined ? (JSON.parse(raw.body) as WebhookEvent) : verifyWebhook(raw.body, raw.headers, secret, verify);
        yield {
          cursor: raw.cursor,
          deliveryId: raw.delivery_id,
          eventId: raw.event_id,
          eventType: raw.event_type,
          headers: raw.headers,
          body: raw.body,
          event,
          ack: async () => {
            await ack(webhookId, raw.cursor);
          },
        };
      }
      after = page.next_cursor;
    }
  }

  return { read, ack, pull };
}
