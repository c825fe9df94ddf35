// `node --import tsx bench/group-skip.ts`: how long the delivery worker's fetch (pg-boss, with the per-webhook
// group limit) takes when a webhook held at its limit has a backlog queued ahead of other webhooks' jobs. pg-boss
// checks the limit row by row, so a fetch walks past that backlog (bad neighbours, in docs/performance.md). The last
// line holds that webhook back (src/delivery/queueing/held-back.ts) and times the worker's main fetch, which skips it
// by index.
import pg from 'pg';
import { pino } from 'pino';
import { HeldBackWebhooks, NORMAL_PRIORITY } from '../src/delivery/queueing/held-back.js';
import { createBoss, ensureDeliveryQueue, DELIVERY_QUEUE, deliveryJob } from '../src/delivery/queueing/queue.js';
import { withScratchDatabase } from './scratch-database.js';

await withScratchDatabase('skip', async (url) => {
  const boss = createBoss(url, { monitorIntervalSeconds: 60 });
  await boss.start();
  await ensureDeliveryQueue(boss, { deliveryTimeoutMs: 30_000, heartbeatSeconds: 30 });
  const time = async (label: string, priority: { minPriority?: number } = {}) => {
    // Healthy jobs newer than the hung group's backlog.
    for (;;) {
      const old = await boss.fetch(DELIVERY_QUEUE, { batchSize: 500, groupConcurrency: 10 });
      if (old.length === 0) break;
      await boss.complete(DELIVERY_QUEUE, old.map((j) => j.id));
    }
    await boss.insert(DELIVERY_QUEUE, Array.from({ length: 200 }, () => deliveryJob('ok', { deliveryId: 'x', attempt: 1 })));
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const jobs = await boss.fetch(DELIVERY_QUEUE, { batchSize: 10, groupConcurrency: 10, ...priority });
      runs.push(performance.now() - t);
      if (jobs.length !== 10) throw new Error(`fetched ${jobs.length}`);
      await boss.complete(DELIVERY_QUEUE, jobs.map((j) => j.id));
    }
    runs.sort((a, b) => a - b);
    console.log(label, 'fetch ms p50', runs[10]!.toFixed(2), 'max', runs[19]!.toFixed(2));
  };
  await boss.insert(DELIVERY_QUEUE, Array.from({ length: 10 }, () => deliveryJob('hang', { deliveryId: 'h', attempt: 1 })));
  await boss.fetch(DELIVERY_QUEUE, { batchSize: 10, groupConcurrency: 10 }); // the hung group's 10 in flight
  await time('no backlog');
  for (const backlog of [1_000, 5_000, 20_000]) {
    await boss.insert(DELIVERY_QUEUE, Array.from({ length: backlog }, () => deliveryJob('hang', { deliveryId: 'h', attempt: 1 })));
    await time(`hung group backlog +${backlog}`);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await new HeldBackWebhooks(pool, pino({ level: 'silent' })).hold('hang');
  await time('hung group held back, main fetch', { minPriority: NORMAL_PRIORITY });
  await pool.end();
  await boss.stop({ graceful: false });
});
