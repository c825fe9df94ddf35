// The origin a request reached the service at (`http://localhost:4000`): the base of a portal link when PUBLIC_URL
// is not set. From the Host header and the connection's TLS; no forwarding header is trusted (set PUBLIC_URL behind
// a proxy).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** A Fastify request (its `raw`) or a plain upgrade request (graphql-ws). */
export function requestOrigin(request: object): string {
  const raw = ('raw' in request ? request.raw : request) as IncomingMessage;
  const host = raw.headers?.host && /^[\w.-]+(:\d{1,5})?$|^\[[\da-f:.]+\](:\d{1,5})?$/i.test(raw.headers.host) ? raw.headers.host : 'localhost';
  const secure = Boolean((raw.socket as TLSSocket | undefined)?.encrypted);
  return `${secure ? 'https' : 'http'}://${host}`;
}
