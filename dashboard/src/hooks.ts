// Loading data and following live subscriptions, with the loading, error and ended states every screen shows.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { newClient, type Credential, type WebhooksClient } from './api.js';

export type Session = {
  client: WebhooksClient;
  credential: Credential;
  signOut: () => void;
  /** Opened by a customer portal link (a token for one project) rather than an operator's key. */
  portal: boolean;
  /** Whether the page offers what needs the scope: a portal token's scopes; an operator's key is not narrowed. */
  can: (scope: 'webhooks:write' | 'deliveries:write') => boolean;
};

export type Branding = { name: string; accentColor: string | null };
export const DEFAULT_BRANDING: Branding = { name: 'AI Platform Webhooks', accentColor: null };
export const BrandingContext = createContext<Branding>(DEFAULT_BRANDING);
export const useBranding = (): Branding => useContext(BrandingContext);

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}

export type Async<T> =
  | { status: 'loading'; data: T | undefined; error: undefined }
  | { status: 'ready'; data: T; error: undefined }
  | { status: 'error'; data: T | undefined; error: unknown };

/**
 * Runs `load` now and whenever `deps` change; `reload()` runs it again. A result that arrives after a newer
 * load started is dropped. The previous data stays visible while reloading.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<Async<T>>({ status: 'loading', data: undefined, error: undefined });
  const [version, setVersion] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setState((previous) => ({ status: 'loading', data: previous.data, error: undefined }));
    load().then(
      (data) => run === latest.current && setState({ status: 'ready', data, error: undefined }),
      (error: unknown) => run === latest.current && setState((previous) => ({ status: 'error', data: previous.data, error })),
    );
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  /** Changes the data in place (e.g. a row after a mutation) without loading again. */
  const update = useCallback((change: (data: T) => T) => {
    setState((previous) => (previous.data === undefined ? previous : { ...previous, data: change(previous.data) }));
  }, []);
  return { ...state, reload, update };
}

export type LiveStatus = { state: 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error'; error?: unknown };

/**
 * Follows a subscription of the typed client while mounted. Each live view has its own client (and so its own
 * WebSocket), closed on unmount: closing it ends the subscription on the server at once, even while no message
 * is pending (returning an async generator that is waiting for its next message only takes effect after it).
 */
export function useLive<T>(
  subscribe: (client: WebhooksClient) => AsyncIterable<T>,
  onValue: (value: T) => void,
  deps: readonly unknown[],
): LiveStatus & { restart: () => void } {
  const { credential } = useSession();
  const [status, setStatus] = useState<LiveStatus>({ state: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const handler = useRef(onValue);
  handler.current = onValue;
  useEffect(() => {
    let stopped = false;
    const client = newClient(credential, (socket) => {
      if (stopped) return;
      setStatus((s) => (s.state === 'ended' || s.state === 'error' ? s : { state: socket === 'open' ? 'live' : 'reconnecting' }));
    });
    setStatus({ state: 'connecting' });
    (async () => {
      try {
        for await (const value of subscribe(client)) {
          if (stopped) return;
          setStatus({ state: 'live' });
          handler.current(value);
        }
        if (!stopped) setStatus({ state: 'ended' });
      } catch (error) {
        if (!stopped) setStatus({ state: 'error', error });
      }
    })();
    return () => {
      stopped = true;
      void client.close();
    };
  }, [credential, attempt, ...deps]);
  return { ...status, restart: () => setAttempt((a) => a + 1) };
}
