// Webhook stats (Webhook.stats(window), GET /v1/webhooks/{id}/stats): a real receiver answering with known delays
// and 500s, the real worker recording, and the stats read back exact (counts, rate, consecutive failures, last
// times; percentiles within the histogram's 12%) on GraphQL and REST; refusals on both transports.
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { behaviours, eventually, type Receiver } from './support/receiver.js';
import { expectError, restClient, SECOND_PRECISION_UTC, startRestFixture } from './support/rest.js';
import type { TestApi } from './support/api.js';
import type { TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let projectId: string;
let api: TestApi;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  // One attempt in flight per webhook, so the receiver's answers go in the order it numbers them.
  ({ service, receiver, key, projectId, api, rest } = await startRestFixture({ WEBHOOK_MAX_IN_FLIGHT: '1', RETRY_SCHEDULE: '50ms,50ms', JOB_POLL_INTERVAL: '500ms' }));
});

const STATS = `query($id: ID!, $window: StatsWindow!) { webhook(id: $id) { ... on Webhook { stats(window: $window) {
  window since attempts successes failures successRate p50ResponseTimeMs p95ResponseTimeMs consecutiveFailures lastSuccessAt lastFailureAt
} } ... on Error { __typename message } } }`;

const ATTEMPTS = `query($id: ID!) { delivery(id: $id) { ... on Delivery { attempts { startedAt durationMs responseStatus } } } }`;

type Attempt = { startedAt: string; durationMs: number; responseStatus: number };

/** Every attempt made for the deliveries `ids`, as the API records them. */
async function attemptsOf(ids: string[]): Promise<Attempt[]> {
  const all = await Promise.all(ids.map(async (id) => (await service.gql(key, ATTEMPTS, { id })).body.data.delivery.attempts as Attempt[]));
  return all.flat();
}

/** The nearest-rank percentile of the times (what the histogram approximates). */
function nearestRank(times: number[], quantile: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
}

/** The stats once they count `attempts` attempts (the recorder's commit is what they wait for). */
const statsAfter = (webhookId: string, attempts: number) =>
  eventually(async () => {
    const stats = await api.client.webhooks.stats(webhookId, 'HOUR');
    return stats.attempts >= attempts ? stats : undefined;
  }, `${attempts} attempts in the stats of ${webhookId}`);

const newest = (attempts: Attempt[]) => attempts.map((a) => a.startedAt).sort().at(-1) ?? null;

describe('webhook stats', () => {
  it('count a real receiver’s answers exactly, with the failure streak and the last success and failure', async () => {
    // Six answers of known delays, then three 500s (one delivery, retried twice), then 200s again.
    const delays = [5, 20, 40, 80, 120, 250];
    receiver.on('/stats', (req, res, count) => {
      if (count <= delays.length) return behaviours.after(delays[count - 1]!, behaviours.accept())(req, res, count);
      if (count <= delays.length + 3) return behaviours.after(10, behaviours.status(500))(req, res, count);
      return behaviours.accept()(req, res, count);
    });
    const { id: webhookId } = await api.createWebhook(receiver.url('/stats'), ['optimization.started']);

    const empty = await api.client.webhooks.stats(webhookId, 'HOUR');
    expect(empty).toMatchObject({
      window: 'HOUR',
      attempts: 0,
      successes: 0,
      failures: 0,
      successRate: null,
      p50ResponseTimeMs: null,
      p95ResponseTimeMs: null,
      consecutiveFailures: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
    });

    const deliveryIds: string[] = [];
    for (let i = 0; i < delays.length; i++) {
      const { event } = await api.publishWithDeliveries('optimization.started', { job_id: `stats-${i}` });
      deliveryIds.push(event.deliveries[0]!.id);
    }
    await statsAfter(webhookId, delays.length);
    const { event: failing } = await api.publishWithDeliveries('optimization.started', { job_id: 'stats-failing' });
    deliveryIds.push(failing.deliveries[0]!.id);
    const afterFailures = await statsAfter(webhookId, delays.length + 3);

    const attempts = await attemptsOf(deliveryIds);
    expect(attempts.map((a) => a.responseStatus).sort()).toEqual([200, 200, 200, 200, 200, 200, 500, 500, 500]);
    const durations = attempts.map((a) => a.durationMs);
    expect(afterFailures).toMatchObject({
      attempts: 9,
      successes: 6,
      failures: 3,
      successRate: 6 / 9,
      consecutiveFailures: 3,
      lastSuccessAt: newest(attempts.filter((a) => a.responseStatus === 200)),
      lastFailureAt: newest(attempts.filter((a) => a.responseStatus === 500)),
    });
    for (const [field, quantile] of [['p50ResponseTimeMs', 0.5], ['p95ResponseTimeMs', 0.95]] as const) {
      const exact = nearestRank(durations, quantile);
      expect(Math.abs(afterFailures[field]! - exact), `${field}: ${afterFailures[field]} against ${exact}`).toBeLessThanOrEqual(exact * 0.12);
    }
    // The 250 ms answer is the slowest: the p95 of nine attempts is it.
    expect(afterFailures.p95ResponseTimeMs).toBeGreaterThanOrEqual(250 / 1.12);

    // Every window holds them (they are all in the last hour), and REST says the same.
    for (const window of ['DAY', 'WEEK'] as const) {
      const { since: _, window: w, ...rest } = await api.client.webhooks.stats(webhookId, window);
      const { since: __, window: ___, ...hour } = afterFailures;
      expect({ window: w, ...rest }).toEqual({ window, ...hour });
    }
    const overRest = await rest(key, 'GET', `/v1/webhooks/${webhookId}/stats?window=1h`);
    expect(overRest.status).toBe(200);
    expect(overRest.body).toEqual({
      webhook_id: webhookId,
      window: '1h',
      since: expect.stringMatching(SECOND_PRECISION_UTC),
      attempts: 9,
      successes: 6,
      failures: 3,
      success_rate: 6 / 9,
      p50_response_time_ms: afterFailures.p50ResponseTimeMs,
      p95_response_time_ms: afterFailures.p95ResponseTimeMs,
      consecutive_failures: 3,
      last_success_at: afterFailures.lastSuccessAt!.replace(/\.\d{3}Z$/, 'Z'),
      last_failure_at: afterFailures.lastFailureAt!.replace(/\.\d{3}Z$/, 'Z'),
    });
    expect((await rest(key, 'GET', `/v1/webhooks/${webhookId}/stats`)).body).toMatchObject({ window: '24h', attempts: 9 });

    // The exhausted delivery disabled the webhook; enabled, its next success ends the streak.
    await api.client.webhooks.enable(webhookId);
    const { event: recovered } = await api.publishWithDeliveries('optimization.started', { job_id: 'stats-recovered' });
    const afterRecovery = await statsAfter(webhookId, 10);
    const [success] = await attemptsOf([recovered.deliveries[0]!.id]);
    expect(afterRecovery).toMatchObject({
      attempts: 10,
      successes: 7,
      consecutiveFailures: 0,
      lastSuccessAt: success!.startedAt,
      lastFailureAt: afterFailures.lastFailureAt,
    });
  });

  it("answer not found for another project's webhook, on both transports", async () => {
    const { id: webhookId } = await api.createWebhook(receiver.url('/mine'), ['optimization.started']);
    const other = await service.newProject();
    const overGraphQL = await service.gql(other.key, STATS, { id: webhookId, window: 'HOUR' });
    expect(overGraphQL.body.data.webhook).toMatchObject({ __typename: 'NotFoundError' });
    expectError(await rest(other.key, 'GET', `/v1/webhooks/${webhookId}/stats?window=1h`), 404, 'not_found');
  });

  it('refuse a window that is not one of them, on both transports', async () => {
    const { id: webhookId } = await api.createWebhook(receiver.url('/windows'), ['optimization.started']);
    for (const window of ['2h', '', 'HOUR', '1H']) {
      expectError(await rest(key, 'GET', `/v1/webhooks/${webhookId}/stats?window=${window}`), 422, 'validation_failed', 'window');
    }
    const overGraphQL = await service.gql(key, STATS, { id: webhookId, window: 'MONTH' });
    expect(overGraphQL.body.data).toBeUndefined();
    expect(overGraphQL.body.errors![0]!.message).toMatch(/\$window.*MONTH/);
  });

  it('need webhooks:read however the webhook is reached (a delivery’s webhook, with deliveries:read alone)', async () => {
    const { id: webhookId } = await api.createWebhook(receiver.url('/scoped'), ['optimization.started']);
    const { event } = await api.publishWithDeliveries('optimization.started', { job_id: 'stats-scoped' });
    const deliveryId = event.deliveries.find((d) => d.webhook.id === webhookId)!.id;
    const { key: deliveriesOnly } = await new ApiKeyStore(service.pool).createInProject(projectId, 'deliveries only', ['deliveries:read']);
    const query = `query($id: ID!) { delivery(id: $id) { ... on Delivery { webhook { id stats(window: HOUR) { attempts } } } } }`;
    const refused = await service.gql(deliveriesOnly, query, { id: deliveryId });
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const allowed = await service.gql(key, query, { id: deliveryId });
    expect(allowed.body.data.delivery.webhook).toEqual({ id: webhookId, stats: { attempts: expect.any(Number) } });
  });
});
