// 1. ceiling: what this machine does without the service, against which everything else is reported.
import { Agent, request } from 'undici';
import { newId } from '../../src/lib/ids.js';
import { deliveryBody, wireTimestamp } from '../../src/delivery/sending/payload.js';
import { signedHeaders } from '../../src/delivery/sending/signing.js';
import { generateWebhookSecret } from '../../src/webhooks/secrets.js';
import { alone } from '../cpu.js';
import { now, progressEvent } from '../load.js';
import { round } from '../stats.js';
import { fmt, withCpu, type Context, type Outcome } from './context.js';
import type { CeilingMetric, Metrics } from './metrics.js';

/** A plain undici loop signing and POSTing the same payloads to the same receiver, at the worker's concurrency. */
export async function ceiling(ctx: Context): Promise<Outcome<CeilingMetric>> {
  const { world, plan } = ctx;
  const concurrency = Number(plan.concurrency);
  const agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: concurrency });
  const secret = generateWebhookSecret();
  const url = world.receiver.url('/ok/ceiling');
  const webhookId = newId('wh');
  const template = progressEvent('ceiling').data;
  let sent = 0;
  const loop = async (until: number) => {
    while (now() < until) {
      const at = new Date();
      const event = { id: newId('evt'), type: 'batch.progress', timestamp: at, data: template };
      const body = deliveryBody(event, 0);
      const headers = signedHeaders({
        body,
        messageId: newId('del'),
        webhookId,
        eventId: event.id,
        eventTimestamp: wireTimestamp(at),
        secrets: [secret],
        now: at,
      });
      const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
      sent++;
    }
  };
  const run = (seconds: number) => {
    const until = now() + seconds * 1000;
    return Promise.all(Array.from({ length: concurrency }, () => loop(until)));
  };
  await run(1); // warm-up: connections, JIT
  sent = 0;
  const [seconds, cpu] = await withCpu(ctx, { loadgen: alone(process.pid) }, async () => {
    const started = now();
    await run(plan.ceilingSeconds);
    return (now() - started) / 1000;
  });
  await agent.close();
  await world.receiver.drain();
  const metrics: Metrics<CeilingMetric> = {
    posts_per_s: Math.round(sent / seconds),
    concurrency,
    loadgen_cpu_s_per_1k: round((cpu.service.loadgen * 1000) / sent, 3),
  };
  return { metrics, line: `ceiling: ${fmt(metrics, ['posts_per_s', 'concurrency', 'loadgen_cpu_s_per_1k'])}` };
}
