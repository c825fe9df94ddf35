import { beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../src/db/prisma.js';
import { newId } from '../src/lib/ids.js';
import { purgeExpired } from '../src/housekeeping/retention.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let db: Db;
let projectId: string;

beforeAll(async () => {
  service = await startTestService({ ROLE: 'api' });
  ({ projectId } = await service.newProject());
  db = createPrisma(service.databaseUrl, 2);
  return () => db.$disconnect();
});

const DAY = 86_400_000;

async function eventWithDelivery(ageDays: number, status: 'SUCCESS' | 'FAILED' | 'PENDING' | 'RETRYING', webhookId: string) {
  const event = await db.event.create({
    data: { id: newId('evt'), projectId, type: 'batch.completed', data: { job_id: 'r' }, timestamp: new Date(Date.now() - ageDays * DAY) },
  });
  const delivery = await db.delivery.create({
    data: { id: newId('del'), projectId, webhookId, eventId: event.id, eventType: event.type, status },
  });
  await db.deliveryAttempt.create({
    data: { deliveryId: delivery.id, number: 1, startedAt: event.timestamp, durationMs: 5 },
  });
  return event.id;
}

describe('retention', () => {
  it('deletes old finished events with their deliveries and attempts, in batches, and keeps pending work', async () => {
    const webhook = await db.webhook.create({
      data: { id: newId('wh'), projectId, url: 'https://example.com/r', events: ['*'], secret: 'a-secret-of-some-length' },
    });
    const old = await Promise.all([...Array(5)].map(() => eventWithDelivery(40, 'SUCCESS', webhook.id)));
    old.push(await eventWithDelivery(40, 'FAILED', webhook.id));
    const keptPending = await eventWithDelivery(40, 'PENDING', webhook.id);
    const keptRetrying = await eventWithDelivery(40, 'RETRYING', webhook.id);
    const keptRecent = await eventWithDelivery(5, 'SUCCESS', webhook.id);

    expect(await purgeExpired(service.pool, new Date(Date.now() - 30 * DAY), 2)).toBe(6);
    const left = await db.event.findMany({ where: { projectId }, select: { id: true } });
    expect(left.map((e) => e.id).sort()).toEqual([keptPending, keptRetrying, keptRecent].sort());
    expect(await db.delivery.count({ where: { eventId: { in: old } } })).toBe(0);
    expect(await db.deliveryAttempt.count({ where: { delivery: { webhookId: webhook.id } } })).toBe(3);
    expect(await purgeExpired(service.pool, new Date(Date.now() - 30 * DAY), 2)).toBe(0);
  });

  it('deletes completed recoveries whose window ended before the cutoff, and keeps running and recent ones', async () => {
    const webhook = await db.webhook.create({
      data: { id: newId('wh'), projectId, url: 'https://example.com/rc', events: ['*'], secret: 'a-secret-of-some-length' },
    });
    const recovery = (untilDaysAgo: number, state: 'RUNNING' | 'COMPLETED') =>
      db.recovery.create({
        data: {
          id: newId('rcv'),
          projectId,
          webhookId: webhook.id,
          since: new Date(Date.now() - (untilDaysAgo + 1) * DAY),
          until: new Date(Date.now() - untilDaysAgo * DAY),
          statuses: ['FAILED'],
          total: 0,
          state,
        },
      });
    const expired = await recovery(40, 'COMPLETED');
    const running = await recovery(40, 'RUNNING');
    const recent = await recovery(5, 'COMPLETED');
    await purgeExpired(service.pool, new Date(Date.now() - 30 * DAY), 2);
    const left = await db.recovery.findMany({ where: { webhookId: webhook.id }, select: { id: true } });
    expect(left.map((r) => r.id).sort()).toEqual([running.id, recent.id].sort());
    expect(left.map((r) => r.id)).not.toContain(expired.id);
  });
});
