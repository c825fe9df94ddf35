// The dashboard: sign in, then webhooks, deliveries, jobs, the project's activity (event log and every delivery) and the
// event catalog behind one navigation bar. Opened
// by a customer portal link (`/dashboard/#token=…`), it is that project's portal instead: signed in by the link's
// token, without the operator's sign-in, offering only what the token's scopes allow; an expired or refused link
// says so and to ask for a new one.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AuthenticationError, newClient, storedKey, storeKey, takePortalToken, tokenClaims, type Credential } from './api.js';
import { Toasts } from './components/toasts.js';
import { Link, Loading } from './components/ui.js';
import { BrandingContext, DEFAULT_BRANDING, SessionContext, useBranding, useSession, type Branding, type Session } from './hooks.js';
import { ActivityPage } from './pages/activity.js';
import { EventsPage } from './pages/events.js';
import { JobsPage } from './pages/jobs.js';
import { SignIn } from './pages/sign-in.js';
import { WebhookPage } from './pages/webhook.js';
import { WebhooksPage } from './pages/webhooks.js';
import { parseRoute, paths, usePathname, type Route } from './router.js';

/** The platform's name and accent colour (PORTAL_NAME, PORTAL_ACCENT_COLOR), read once; the defaults until then. */
function useLoadedBranding(): Branding {
  const [branding, setBranding] = useState(DEFAULT_BRANDING);
  useEffect(() => {
    fetch('/dashboard/branding.json')
      .then((response) => (response.ok ? response.json() : null))
      .then((body: { name?: unknown; accent_color?: unknown } | null) => {
        if (!body) return;
        const name = typeof body.name === 'string' && body.name ? body.name : DEFAULT_BRANDING.name;
        const accentColor = typeof body.accent_color === 'string' && /^#[0-9a-f]{3,6}$/i.test(body.accent_color) ? body.accent_color : null;
        if (accentColor) document.documentElement.style.setProperty('--accent', accentColor);
        setBranding({ name, accentColor });
      })
      .catch(() => {});
  }, []);
  return branding;
}

export function App() {
  const branding = useLoadedBranding();
  const [portalToken] = useState(takePortalToken);
  return (
    <BrandingContext.Provider value={branding}>
      {portalToken ? <Portal token={portalToken} /> : <Operator />}
    </BrandingContext.Provider>
  );
}

function Operator() {
  const [apiKey, setApiKey] = useState(storedKey);
  const session = useMemo<Session | null>(
    () =>
      apiKey
        ? {
            credential: { kind: 'key', apiKey },
            client: newClient(apiKey),
            portal: false,
            can: () => true,
            signOut: () => {
              storeKey(null);
              setApiKey(null);
            },
          }
        : null,
    [apiKey],
  );
  useEffect(() => () => void session?.client.close(), [session]);
  if (!session) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return <Signed session={session} />;
}

type PortalState = 'checking' | 'ready' | 'ended';

/** The portal: the link's token checked with one call, then the dashboard for its project; the ended page after. */
function Portal({ token }: { token: string }) {
  const [state, setState] = useState<PortalState>('checking');
  const claims = useMemo(() => tokenClaims(token), [token]);
  const session = useMemo<Session>(() => {
    const credential: Credential = { kind: 'token', token };
    return {
      credential,
      client: newClient(credential),
      portal: true,
      can: (scope) => claims.scopes.includes(scope),
      // The tab keeps the token: reloaded, the page checks it again and shows the same ended page.
      signOut: () => setState('ended'),
    };
  }, [token, claims]);
  useEffect(() => () => void session.client.close(), [session]);
  useEffect(() => {
    let stopped = false;
    session.client.webhooks.list({ first: 1 }).then(
      () => !stopped && setState((s) => (s === 'checking' ? 'ready' : s)),
      (error: unknown) => {
        if (stopped) return;
        if (error instanceof AuthenticationError) session.signOut();
        else setState((s) => (s === 'checking' ? 'ready' : s)); // the screens show the error and a retry
      },
    );
    // The page ends with its token (the server refuses it from then on anyway).
    const left = claims.expiresAt ? claims.expiresAt.getTime() - Date.now() : Infinity;
    const timer = Number.isFinite(left) && left < 2 ** 31 - 1 ? setTimeout(session.signOut, Math.max(0, left)) : undefined;
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session]);
  if (state === 'ended') return <LinkEnded expired={claims.expiresAt !== null && claims.expiresAt.getTime() <= Date.now()} />;
  if (state === 'checking') {
    return (
      <main id="main" class="sign-in">
        <Loading what="the portal" />
      </main>
    );
  }
  return <Signed session={session} />;
}

function LinkEnded({ expired }: { expired: boolean }) {
  const { name } = useBranding();
  useEffect(() => {
    document.title = `Link expired · ${name}`;
  }, [name]);
  return (
    <main id="main" class="sign-in">
      <section class="sign-in-card portal-ended" aria-labelledby="ended-title">
        <h1 id="ended-title">{expired ? 'This link has expired' : 'This link is invalid or has expired'}</h1>
        <p>
          {expired
            ? 'Portal links work for a limited time, and this one has ended.'
            : 'This portal link was refused: it may have expired, or been revoked.'}{' '}
          Ask whoever sent it for a new link.
        </p>
      </section>
    </main>
  );
}

function Signed({ session }: { session: Session }) {
  return (
    <SessionContext.Provider value={session}>
      <Toasts>
        <Shell />
      </Toasts>
    </SessionContext.Provider>
  );
}

const TITLES: Record<Route['name'], string> = {
  webhooks: 'Webhooks',
  webhook: 'Webhook',
  jobs: 'Jobs',
  events: 'Event catalog',
  activity: 'Activity',
  'not-found': 'Not found',
};

function Shell() {
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const { signOut, portal } = useSession();
  const { name } = useBranding();
  const first = useRef(true);

  // After in-page navigation, move focus to the new screen's heading (as a page load would) and name the tab.
  useEffect(() => {
    document.title = `${TITLES[route.name]} · ${name}`;
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#page-title')?.focus();
  }, [name, route.name, route.name === 'webhook' ? route.id : '', route.name === 'jobs' ? route.jobId : '']);

  const section = route.name === 'webhook' ? 'webhooks' : route.name;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={paths.webhooks()} class="brand">
          {name}
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href={paths.webhooks()} {...(section === 'webhooks' ? { 'aria-current': 'page' as const } : {})}>
                Webhooks
              </Link>
            </li>
            <li>
              <Link href={paths.jobs()} {...(section === 'jobs' ? { 'aria-current': 'page' as const } : {})}>
                Jobs
              </Link>
            </li>
            <li>
              <Link href={paths.activity()} {...(section === 'activity' ? { 'aria-current': 'page' as const } : {})}>
                Activity
              </Link>
            </li>
            <li>
              <Link href={paths.events()} {...(section === 'events' ? { 'aria-current': 'page' as const } : {})}>
                Event catalog
              </Link>
            </li>
          </ul>
        </nav>
        {!portal && (
          <button type="button" class="sign-out" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'webhooks':
      return <WebhooksPage />;
    case 'webhook':
      return <WebhookPage key={route.id} id={route.id} deliveryId={route.deliveryId} />;
    case 'jobs':
      return <JobsPage jobId={route.jobId} />;
    case 'events':
      return <EventsPage />;
    case 'activity':
      return <ActivityPage />;
    case 'not-found':
      return (
        <section>
          <h1 id="page-title" tabIndex={-1}>
            Not found
          </h1>
          <p>
            Nothing lives at <span class="mono">{route.path}</span>. <Link href={paths.webhooks()}>Go to the webhooks</Link>.
          </p>
        </section>
      );
  }
}
