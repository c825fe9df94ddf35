// One POST to a receiver: keep-alive connections, a hard timeout over the whole exchange, redirects never
// followed, destinations vetted by the SSRF guard, and the response body kept up to 64 KiB.
import { Agent, request, errors } from 'undici';
import { DestinationNotAllowedError, type DestinationPolicy } from './destination-policy.js';

export const RESPONSE_BODY_LIMIT = 64 * 1024;

/** Why an attempt failed: recorded on the attempt (`errorKind`) and as the attempts metric's `outcome`. */
export const ERROR_KINDS = [
  'HTTP_STATUS',
  'TIMEOUT',
  'CONNECTION_REFUSED',
  'DNS_FAILURE',
  'NETWORK_ERROR',
  'DESTINATION_NOT_ALLOWED',
  // A LISTEN webhook's attempt that no listener claimed before the timeout (src/delivery/listening/relay.ts).
  'NO_LISTENER',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export type PostOutcome = {
  durationMs: number;
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
  bodyTruncated: boolean;
  error: { kind: ErrorKind; message: string } | null;
};

/** What a receiver's answer means: a 2xx is delivered, any other status is an HTTP_STATUS failure. */
export const statusError = (status: number): PostOutcome['error'] =>
  status >= 200 && status < 300 ? null : { kind: 'HTTP_STATUS', message: `The receiver answered ${status}` };

export type DeliveryClient = { agent: Agent; policy: DestinationPolicy };

export function createDeliveryClient(policy: DestinationPolicy): DeliveryClient {
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connections: 50,
    // Every connection's addresses pass the guard; the socket connects to exactly the vetted address.
    connect: { lookup: policy.lookup },
  });
  return { agent, policy };
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break; // leaving the loop destroys the stream: no need to read the rest
  }
  const all = Buffer.concat(chunks);
  // Postgres text cannot hold NUL: stored as U+FFFD, like any other byte that is not UTF-8.
  const text = all.subarray(0, limit).toString('utf8').replaceAll('\u0000', '\uFFFD');
  return { text, truncated: all.length > limit };
}

function classify(error: unknown): { kind: ErrorKind; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  if (code === 'EDESTINATIONNOTALLOWED') return { kind: 'DESTINATION_NOT_ALLOWED', message: (err.cause ?? err).message };
  if (err.name === 'TimeoutError' || error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return { kind: 'TIMEOUT', message: 'The receiver did not answer in time' };
  }
  if (code === 'ECONNREFUSED') return { kind: 'CONNECTION_REFUSED', message: 'Connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'DNS_FAILURE', message: `DNS lookup failed (${code})` };
  return { kind: 'NETWORK_ERROR', message: err.cause?.message ?? err.message };
}

const flatHeaders = (headers: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]])),
  );

export async function postJson(
  client: DeliveryClient,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const { hostname } = new URL(url);
    if (client.policy.allowsLiteralHost(hostname) === false) throw new DestinationNotAllowedError(hostname);
    const response = await request(url, { method: 'POST', headers, body, dispatcher: client.agent, signal });
    const { text, truncated } = await readLimited(response.body, RESPONSE_BODY_LIMIT);
    return {
      durationMs: elapsed(),
      status: response.statusCode,
      headers: flatHeaders(response.headers),
      body: text,
      bodyTruncated: truncated,
      error: statusError(response.statusCode),
    };
  } catch (error) {
    const failure = signal.aborted ? { kind: 'TIMEOUT' as const, message: `No complete answer within ${timeoutMs} ms` } : classify(error);
    return { durationMs: elapsed(), status: null, headers: {}, body: null, bodyTruncated: false, error: failure };
  }
}
