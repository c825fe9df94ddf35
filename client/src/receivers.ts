// Framework adapters for verifyWebhook. Both read the raw body themselves: re-serialising a parsed body (as the
// spec's Express example does) changes the bytes and breaks every signature.
import type { WebhookEvent } from './events.js';
import { verifyWebhook, WebhookVerificationError, type VerifyOptions } from './verify.js';

/** Verifies a Fetch API `Request` (Cloudflare Workers, Deno, Bun, Next.js route handlers, Hono…). */
export async function verifyWebhookRequest(
  request: Request,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const body = new Uint8Array(await request.arrayBuffer());
  return verifyWebhook(body, request.headers, secret, options);
}

/** What the middleware needs of Node's IncomingMessage (and so of Express's Request). */
export type NodeRequestLike = AsyncIterable<Uint8Array | string> & {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: unknown;
  readableEnded?: boolean;
  webhookEvent?: WebhookEvent;
};

/** What the middleware needs of Node's ServerResponse (and so of Express's Response). */
export type NodeResponseLike = {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
};

export type MiddlewareOptions = VerifyOptions & {
  /** Largest body accepted, in bytes. Default 1 MiB. */
  limitBytes?: number;
  /** Answers a request that failed verification; by default 401 with `{ error, reason }`. */
  onInvalid?: (error: WebhookVerificationError, req: NodeRequestLike, res: NodeResponseLike) => void;
};

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

async function rawBody(req: NodeRequestLike, limitBytes: number): Promise<Uint8Array | string> {
  // express.raw() / express.text() / frameworks that keep the raw body leave it here.
  for (const candidate of [req.rawBody, req.body]) {
    if (isBytes(candidate) || typeof candidate === 'string') return candidate;
  }
  if (req.body !== undefined || req.readableEnded) {
    throw new Error(
      'webhookMiddleware needs the raw body, but a body parser already consumed it: mount webhookMiddleware before ' +
        "express.json(), or give its route express.raw({ type: 'application/json' })",
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const encoder = new TextEncoder();
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    size += bytes.length;
    if (size > limitBytes) throw new WebhookVerificationError('invalid_payload', `The body is larger than ${limitBytes} bytes`);
    chunks.push(bytes);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

const unauthorized = (error: WebhookVerificationError, _req: NodeRequestLike, res: NodeResponseLike) => {
  res.statusCode = 401;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: error.message, reason: error.reason }));
};

/**
 * Express / Connect / plain `node:http` middleware: verifies the request and puts the event on `req.webhookEvent`
 * (and `req.body`), or answers 401. Mount it before any JSON body parser.
 *
 *   app.post('/webhook', webhookMiddleware(process.env.WEBHOOK_SECRET!), (req, res) => { … req.body … })
 */
export function webhookMiddleware(secret: string | readonly string[], options: MiddlewareOptions = {}) {
  const { limitBytes = 1024 * 1024, onInvalid = unauthorized, ...verifyOptions } = options;
  return (req: NodeRequestLike, res: NodeResponseLike, next: (error?: unknown) => void): void => {
    rawBody(req, limitBytes)
      .then((body) => {
        const event = verifyWebhook(body, req.headers, secret, verifyOptions);
        req.webhookEvent = event;
        req.body = event;
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof WebhookVerificationError) onInvalid(error, req, res);
        else next(error);
      });
  };
}
