import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from './support/api.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { startFixture, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

beforeAll(async () => {
  ({ receiver, service, key, api } = await startFixture({ RETRY_SCHEDULE: '1h' }));
});

const scrape = async () => {
  const response = await fetch(`${service.httpUrl}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts attempts by outcome, their latency, and disabled webhooks', async () => {
    receiver.on('/gone', behaviours.status(410));
    for (const [path, type] of [['/ok', 'batch.completed'], ['/gone', 'batch.failed']] as const) {
      await api.createWebhook(receiver.url(path), [type]);
      await api.publish(type, { job_id: 'metrics' });
    }
    // Both attempts are recorded (in either order: they may be in flight together), and the 410 disabled its webhook.
    const text = await eventually(async () => {
      const t = await scrape();
      const recorded = value(t, 'webhooks_delivery_attempt_duration_seconds_count') === 2;
      return recorded && value(t, 'webhooks_disabled_total') === 1 ? t : undefined;
    }, 'both attempts to be recorded and the 410 to disable its webhook');
    expect(value(text, 'webhooks_delivery_attempts_total{outcome="SUCCESS"}')).toBe(1);
    expect(value(text, 'webhooks_delivery_attempts_total{outcome="HTTP_STATUS"}')).toBe(1);
    expect(value(text, 'webhooks_deliveries_finished_total{status="SUCCESS"}')).toBe(1);
    expect(value(text, 'webhooks_deliveries_finished_total{status="FAILED"}')).toBe(1);
    expect(value(text, 'webhooks_delivery_attempt_duration_seconds_count')).toBe(2);
    expect(value(text, 'webhooks_disabled')).toBe(1);
    expect(value(text, 'webhooks_oldest_pending_delivery_age_seconds')).toBe(0);
    expect(text).toMatch(/^webhooks_queue_depth \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('counts the events published and the test events sent, by type; an idempotent repeat not again', async () => {
    const published = (text: string, type: string) => value(text, `webhooks_events_published_total{type="${type}"}`) ?? 0;
    const before = await scrape();
    const data = { job_id: 'metrics-published' };
    await api.publish('batch.submitted', data, 'metrics-once');
    await api.publish('batch.submitted', data, 'metrics-once');
    await api.publish('batch.submitted', data);
    await api.publish('batch.completed', data);
    const created = await api.createWebhook(receiver.url('/published'), ['vision.completed']);
    const tested = await service.gql(key, `mutation($id: ID!) { testWebhook(id: $id) { __typename } }`, { id: created.id });
    expect(tested.body.data.testWebhook.__typename).toBe('Delivery');
    const after = await scrape();
    expect(published(after, 'batch.submitted') - published(before, 'batch.submitted')).toBe(2);
    expect(published(after, 'batch.completed') - published(before, 'batch.completed')).toBe(1);
    expect(published(after, 'webhook.test') - published(before, 'webhook.test')).toBe(1);
  });
});
