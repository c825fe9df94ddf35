// The dashboard: sign in, then webhooks, deliveries, jobs and the event catalog behind one navigation bar.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { newClient, storedKey, storeKey } from './api.js';
import { Toasts } from './components/toasts.js';
import { Link } from './components/ui.js';
import { SessionContext, useSession, type Session } from './hooks.js';
import { EventsPage } from './pages/events.js';
import { JobsPage } from './pages/jobs.js';
import { SignIn } from './pages/sign-in.js';
import { WebhookPage } from './pages/webhook.js';
import { WebhooksPage } from './pages/webhooks.js';
import { parseRoute, paths, usePathname, type Route } from './router.js';

export function App() {
  const [apiKey, setApiKey] = useState(storedKey);
  const session = useMemo<Session | null>(
    () =>
      apiKey
        ? {
            apiKey,
            client: newClient(apiKey),
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
  'not-found': 'Not found',
};

function Shell() {
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const { signOut } = useSession();
  const first = useRef(true);

  // After in-page navigation, move focus to the new screen's heading (as a page load would) and name the tab.
  useEffect(() => {
    document.title = `${TITLES[route.name]} · AI Platform Webhooks`;
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#page-title')?.focus();
  }, [route.name, route.name === 'webhook' ? route.id : '', route.name === 'jobs' ? route.jobId : '']);

  const section = route.name === 'webhook' ? 'webhooks' : route.name;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={paths.webhooks()} class="brand">
          AI Platform Webhooks
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
              <Link href={paths.events()} {...(section === 'events' ? { 'aria-current': 'page' as const } : {})}>
                Event catalog
              </Link>
            </li>
          </ul>
        </nav>
        <button type="button" class="sign-out" onClick={signOut}>
          Sign out
        </button>
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
