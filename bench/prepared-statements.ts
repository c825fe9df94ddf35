// `node --import tsx bench/prepared-statements.ts`: Postgres backend CPU and wall time per publish (the event, 10
// deliveries and their jobs, in one transaction), with the service's statements prepared per connection
// (src/db/prepared.ts) and without. Each pool has one connection, so its backend's CPU (from /proc) is the publishes'
// alone; the two take turns in rounds, so a slower moment of the machine falls on both.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApiKeyStore, principalOfKey } from '../src/auth/api-keys.js';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/prisma.js';
import { DestinationPolicy } from '../src/delivery/sending/destination-policy.js';
import { createBoss, DELIVERY_QUEUE, ensureDeliveryQueue } from '../src/delivery/queueing/queue.js';
import { EventPublisher } from '../src/events/publisher.js';
import { openSecretBox } from '../src/secrets/encryption-key.js';
import { WebhookService } from '../src/app/webhooks.js';
import { AuditLog } from '../src/app/audit.js';
import { progressEvent } from './load.js';
import { withScratchDatabase } from './scratch-database.js';

const ROUNDS = 8;
const PUBLISHES_PER_ROUND = Number(process.env.PUBLISHES ?? 400);
const WEBHOOKS = 10;

/** CPU time of a process so far, in ms (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

await withScratchDatabase('prepared', async (url) => {
  const opened: (() => Promise<void>)[] = [];
  try {
    const config = loadConfig({ DATABASE_URL: url, SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const seeding = createDatabase(url, console.error, { max: 1 });
    opened.push(seeding.close);
    const boss = createBoss(url, { monitorIntervalSeconds: 60 });
    boss.on('error', console.error);
    await boss.start();
    opened.push(() => boss.stop({ graceful: false }));
    await ensureDeliveryQueue(boss, { deliveryTimeoutMs: 30_000, heartbeatSeconds: 30 });
    const webhooks = new WebhookService({
      db: seeding.db,
      policy: { allowHttp: true, destinations: new DestinationPolicy(['127.0.0.0/8']) },
      secrets: await openSecretBox(config),
      publisher: new EventPublisher(seeding.pool, boss),
      audit: new AuditLog(seeding.db),
    });
    const { apiKey } = await new ApiKeyStore(seeding.pool).create('bench');
    const principal = principalOfKey(apiKey);
    for (let i = 0; i < WEBHOOKS; i++) await webhooks.create(principal, { url: `http://127.0.0.1:9/${i}`, events: ['*'] });

    const modes = await Promise.all(
      (['unnamed', 'prepared'] as const).map(async (mode) => {
        const { pool, close } = createDatabase(url, console.error, { max: 1, prepare: mode === 'prepared' });
        opened.push(close);
        const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return { mode, pid: rows[0]!.pid, publisher: new EventPublisher(pool, boss), cpuMs: 0, wallMs: 0, publishes: 0 };
      }),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const m of round % 2 ? [...modes].reverse() : modes) {
        const cpu0 = cpuMs(m.pid);
        const t0 = performance.now();
        for (let i = 0; i < PUBLISHES_PER_ROUND; i++) {
          const { type, data } = progressEvent('prepared');
          await m.publisher.publish(principal.projectId, { type, data });
        }
        m.wallMs += performance.now() - t0;
        m.cpuMs += cpuMs(m.pid) - cpu0;
        m.publishes += PUBLISHES_PER_ROUND;
      }
      await boss.deleteQueuedJobs(DELIVERY_QUEUE); // nothing works the queue: keep it from growing between rounds
    }
    for (const m of modes) {
      console.log(
        `${m.mode.padEnd(8)} Postgres backend CPU ${(m.cpuMs / m.publishes).toFixed(3)} ms/publish, wall ${(m.wallMs / m.publishes).toFixed(3)} ms/publish (${m.publishes} publishes)`,
      );
    }
  } finally {
    for (const close of opened.reverse()) await close().catch(console.error);
  }
});
