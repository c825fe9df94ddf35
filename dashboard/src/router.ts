// A small History API router: the dashboard's screens are paths under /dashboard, which the service answers
// with index.html (SPA fallback), so every screen can be reloaded, bookmarked and opened in a new tab.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/dashboard';

export type Route =
  | { name: 'webhooks' }
  | { name: 'webhook'; id: string; deliveryId: string | null }
  | { name: 'jobs'; jobId: string | null }
  | { name: 'events' }
  | { name: 'activity' }
  | { name: 'not-found'; path: string };

const segment = (value: string) => encodeURIComponent(value);

export const paths = {
  webhooks: () => `${BASE}/`,
  webhook: (id: string, deliveryId?: string | null) =>
    `${BASE}/webhooks/${segment(id)}${deliveryId ? `/deliveries/${segment(deliveryId)}` : ''}`,
  jobs: (jobId?: string | null) => `${BASE}/jobs${jobId ? `/${segment(jobId)}` : ''}`,
  events: () => `${BASE}/events`,
  activity: () => `${BASE}/activity`,
};

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const [first, second, third, fourth] = parts;
  if (parts.length === 0 || (first === 'webhooks' && parts.length === 1)) return { name: 'webhooks' };
  if (first === 'webhooks' && second && (parts.length === 2 || (third === 'deliveries' && fourth && parts.length === 4))) {
    return { name: 'webhook', id: second, deliveryId: fourth ?? null };
  }
  if (first === 'jobs' && parts.length <= 2) return { name: 'jobs', jobId: second ?? null };
  if (first === 'events' && parts.length === 1) return { name: 'events' };
  if (first === 'activity' && parts.length === 1) return { name: 'activity' };
  return { name: 'not-found', path: pathname };
}

const NAVIGATED = 'dashboard:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The current path; re-renders on back/forward and on navigate(). */
export function usePathname(): string {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPathname(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return pathname;
}

/** An ordinary link (open in new tab, copy address) that navigates in place on a plain click. */
export function followLink(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}
