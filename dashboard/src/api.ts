// The typed client for every call the dashboard makes, and the API key it signs in with. The key lives in
// sessionStorage only: it is never put in a URL, and it is gone when the tab closes.
import {
  AuthenticationError,
  createClient,
  NetworkError,
  ValidationError,
  type WebhooksClient,
} from '@aiplatform/webhooks-client';

const KEY_STORAGE = 'aiplatform-webhooks.apiKey';

export const graphqlUrl = (): string => new URL('/graphql', window.location.origin).toString();

/** A client; `onSocket` hears when its subscription socket opens and closes (for a live indicator). */
export function newClient(apiKey: string, onSocket?: (state: 'open' | 'closed') => void): WebhooksClient {
  if (!onSocket) return createClient({ url: graphqlUrl(), apiKey });
  class ReportingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('open', () => onSocket?.('open'));
      this.addEventListener('close', () => onSocket?.('closed'));
    }
  }
  return createClient({ url: graphqlUrl(), apiKey, webSocketImpl: ReportingWebSocket });
}

export const storedKey = (): string | null => {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null; // storage disabled: the operator signs in again on reload
  }
};

export const storeKey = (key: string | null): void => {
  try {
    if (key === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // storage disabled: the key stays in memory for this page only
  }
};

/** A sentence for an operator: what went wrong and, where it helps, what to do. */
export function describeError(error: unknown): string {
  if (error instanceof AuthenticationError) return 'The API key was refused. Sign out and sign in with a valid key.';
  if (error instanceof ValidationError) return error.message;
  if (error instanceof NetworkError) return `The service could not be reached (${error.message}).`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export { AuthenticationError, NotFoundError, ValidationError } from '@aiplatform/webhooks-client';
export type {
  BatchProgress,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  DeliveryWithAttempts,
  EventTypeInfo,
  Job,
  Page,
  TrainingProgress,
  Webhook,
  WebhooksClient,
} from '@aiplatform/webhooks-client';
