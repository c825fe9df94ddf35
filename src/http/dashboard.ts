// The operators' dashboard at /dashboard: the single-page app that `npm run dashboard:build` writes to
// dashboard/dist (npm install runs it). Public like any web page: it signs in itself with an API key, which only
// its GraphQL calls carry. Paths that name no file get index.html, so every screen of the app can be reloaded.
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DASHBOARD_PREFIX = '/dashboard';
export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

/** How the page looks and where it may be framed (PORTAL_NAME, PORTAL_ACCENT_COLOR, PORTAL_FRAME_ANCESTORS). */
export type PortalSettings = {
  /** Origins that may frame the page (CSP frame-ancestors); none when empty. */
  frameAncestors: readonly string[];
  name: string;
  accentColor: string | undefined;
};

export const DEFAULT_PORTAL: PortalSettings = { frameAncestors: [], name: 'AI Platform Webhooks', accentColor: undefined };

/**
 * Scripts, styles and connections to this origin only (graphql-ws included); no plugins, no form posts elsewhere;
 * framed only by the origins configured (none by default: the page has destructive buttons). X-Frame-Options, for
 * browsers without frame-ancestors, says DENY unless some origin may frame it (it cannot name several).
 */
export function securityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const ancestors = frameAncestors.length ? frameAncestors.join(' ') : "'none'";
  return {
    'content-security-policy':
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; " +
      `base-uri 'none'; form-action 'self'; frame-ancestors ${ancestors}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(frameAncestors.length === 0 && { 'x-frame-options': 'DENY' }),
  };
}

/** A request for a file (has an extension) gets a 404 when missing; anything else is a screen of the app. */
const looksLikeFile = (url: string) => /\.[a-z0-9]+$/i.test(url.split('?')[0] ?? '');

export async function dashboardRoutes(
  app: FastifyInstance,
  options: { root?: string; portal?: PortalSettings } = {},
): Promise<void> {
  const root = options.root ?? DASHBOARD_DIST;
  const portal = options.portal ?? DEFAULT_PORTAL;
  const headers = securityHeaders(portal.frameAncestors);
  const branding = { name: portal.name, accent_color: portal.accentColor ?? null };
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_req, reply) => {
        reply.headers(headers);
      });

      if (!existsSync(join(root, 'index.html'))) {
        app.log.warn({ root }, 'The dashboard is not built: run npm run dashboard:build');
        const notBuilt = async (_req: FastifyRequest, reply: FastifyReply) =>
          reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run dashboard:build`.\n');
        scope.get('/', notBuilt);
        scope.get('/*', notBuilt);
        return;
      }

      // The platform's name and accent colour, which the page applies (read at start, before signing in).
      scope.get('/branding.json', async (_req, reply) => reply.header('cache-control', 'no-cache').send(branding));

      const assets = join(root, 'assets') + sep;
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        index: false,
        // Hashed asset names never change content: cache them for good. index.html is checked on every load.
        setHeaders: (reply, path) => {
          reply.header('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
      const page = async (_req: FastifyRequest, reply: FastifyReply) =>
        reply.header('cache-control', 'no-cache').sendFile('index.html', root);
      scope.get('/', page);
      scope.setNotFoundHandler(async (req, reply) => {
        if ((req.method === 'GET' || req.method === 'HEAD') && !looksLikeFile(req.url)) return page(req, reply);
        return reply.code(404).type('text/plain').send('Not found\n');
      });
    },
    { prefix: DASHBOARD_PREFIX },
  );
}
