// The typed client for every call the dashboard makes, and the credential it signs in with: an operator's API key,
// or a customer portal link's access token (taken from the URL fragment `#token=…`, which no server ever sees, and
// removed from the address bar at once). Either lives in this tab's sessionStorage only, gone when the tab closes.
import {
  AuthenticationError,
  createClient,
  NetworkError,
  ValidationError,
  type WebhooksClient,
} from '@aiplatform/webhooks-client';

const KEY_STORAGE = 'aiplatform-webhooks.apiKey';
const TOKEN_STORAGE = 'aiplatform-webhooks.portalToken';

export const graphqlUrl = (): string => new URL('/graphql', window.location.origin).toString();

/** What the dashboard signs in with: an operator's API key, or a portal link's access token. */
export type Credential = { kind: 'key'; apiKey: string } | { kind: 'token'; token: string };

/** A client; `onSocket` hears when its subscription socket opens and closes (for a live indicator). */
export function newClient(credential: string | Credential, onSocket?: (state: 'open' | 'closed') => void): WebhooksClient {
  const given: Credential = typeof credential === 'string' ? { kind: 'key', apiKey: credential } : credential;
  const auth = given.kind === 'key' ? { apiKey: given.apiKey } : { token: given.token };
  if (!onSocket) return createClient({ url: graphqlUrl(), ...auth });
  class ReportingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('open', () => onSocket?.('open'));
      this.addEventListener('close', () => onSocket?.('closed'));
    }
  }
  return createClient({ url: graphqlUrl(), ...auth, webSocketImpl: ReportingWebSocket });
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

/**
 * A portal link's token: taken from the fragment (`#token=…`) when the page was opened by one, which is then removed
 * from the address bar (and so from the history) and kept for this tab; else the one this tab kept; else null.
 */
export function takePortalToken(): string | null {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (match) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    let token: string;
    try {
      token = decodeURIComponent(match[1]!);
    } catch {
      token = match[1]!;
    }
    storePortalToken(token);
    return token;
  }
  try {
    return sessionStorage.getItem(TOKEN_STORAGE);
  } catch {
    return null;
  }
}

export const storePortalToken = (token: string | null): void => {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_STORAGE);
    else sessionStorage.setItem(TOKEN_STORAGE, token);
  } catch {
    // storage disabled: the token stays in memory for this page only
  }
};

/** What a token says of itself (its payload, unverified: the server decides; this only shapes the page). */
export function tokenClaims(token: string): { scopes: string[]; expiresAt: Date | null } {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const payload = JSON.parse(json) as { scp?: unknown; exp?: unknown };
    return {
      scopes: Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === 'string') : [],
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    };
  } catch {
    return { scopes: [], expiresAt: null };
  }
}

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
  Event,
  EventTypeInfo,
  FilterPreviewEvent,
  Job,
  Page,
  StatsWindow,
  PayloadFilter,
  Recovery,
  TrainingProgress,
  Webhook,
  WebhooksClient,
  WebhookStats,
  EndpointControls,
} from '@aiplatform/webhooks-client';
