// A webhook receiver that verifies every delivery and handles each event once, as the spec's best practices say:
// verify the raw body, answer 2xx quickly, skip events already processed (deliveries are retried, so the same
// event_id can arrive more than once), and answer non-2xx only when the event should be sent again.
//
//   WEBHOOK_SECRET=your-webhook-secret PORT=5000 npx tsx client/examples/receiver.ts
//
// In your own project import from '@aiplatform/webhooks-client' instead of '../src/index.js'.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from '../src/index.js';

/** Remembers processed event ids. Use a table with a unique key on event_id in production, not memory. */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
}

export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly ids = new Set<string>();
  async has(eventId: string) {
    return this.ids.has(eventId);
  }
  async add(eventId: string) {
    this.ids.add(eventId);
  }
}

export type ReceiverOptions = {
  secret: string;
  /** Called once per event_id; throw to have the delivery retried. */
  onEvent?: (event: WebhookEvent) => void | Promise<void>;
  processed?: ProcessedEvents;
  path?: string;
  /** Where handling failures are reported; console.error by default. */
  onError?: (error: unknown) => void;
};

/** The example's own handling: each event type's data is typed. */
export function describeEvent(event: WebhookEvent): string {
  switch (event.event_type) {
    case 'optimization.completed':
      return `Optimization ${event.data.job_id} completed: objective ${event.data.result.objective_value}`;
    case 'vision.completed':
      return `Vision analysis ${event.data.job_id} found ${event.data.detections.length} objects`;
    case 'batch.progress':
      return `Batch ${event.data.job_id}: ${event.data.processed_images}/${event.data.total_images} images`;
    case 'training.progress':
      return `Training ${event.data.job_id}: round ${event.data.round}/${event.data.total_rounds}, accuracy ${event.data.accuracy}`;
    default:
      return `${event.event_type} for job ${event.data.job_id}`;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function createReceiver(options: ReceiverOptions): Server {
  const { secret, path = '/webhook', processed = new MemoryProcessedEvents() } = options;
  const onEvent = options.onEvent ?? ((event: WebhookEvent) => console.log(describeEvent(event)));
  // Concurrent deliveries of one event (a retry racing a slow first attempt) share one handling.
  const inFlight = new Map<string, Promise<void>>();

  const handleOnce = async (event: WebhookEvent): Promise<'processed' | 'duplicate'> => {
    const running = inFlight.get(event.event_id);
    if (running) {
      await running;
      return 'duplicate';
    }
    if (await processed.has(event.event_id)) return 'duplicate';
    const handling = (async () => {
      await onEvent(event);
      await processed.add(event.event_id); // only after success, so a failed handling is retried
    })();
    inFlight.set(event.event_id, handling);
    try {
      await handling;
      return 'processed';
    } finally {
      inFlight.delete(event.event_id);
    }
  };

  return createServer(async (req, res) => {
    const reply = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== path) return reply(404, { error: 'Not found' });
    try {
      const event = verifyWebhook(await readBody(req), req.headers, secret);
      const outcome = await handleOnce(event);
      reply(200, { status: outcome === 'processed' ? 'received' : 'already processed' });
    } catch (error) {
      if (error instanceof WebhookVerificationError) return reply(401, { error: error.message, reason: error.reason });
      (options.onError ?? ((e: unknown) => console.error('Failed to process webhook:', e)))(error);
      reply(500, { error: 'Processing failed; send it again' });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('Set WEBHOOK_SECRET to the webhook secret');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 5000);
  createReceiver({ secret }).listen(port, () => console.log(`Receiving webhooks on http://localhost:${port}/webhook`));
}
