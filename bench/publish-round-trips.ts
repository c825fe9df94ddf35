// `node --import tsx bench/publish-round-trips.ts`: the statements (each one round trip: pg sends one at a time) an
// API process makes for one `POST /v1/events` and for one `POST /v1/events/batch` of 50, each event of its own job
// and to 10 webhooks, from the request's arrival to the last live NOTIFY after its commit; then per publish with
// LANES publishing at once (as the bench's throughput_mutation does), where concurrent requests may share a statement.
// Counted in the process (every pg client's `query`), on a scratch database, with ROLE=api so no worker's statements
// mix in; the same key publishes first once uncounted, so what is counted is a warm request (prepared statements).
// Last, the CPU per publish over LANES x CPU_ROUNDS such publishes: this process's (the API and its HTTP client, the
// same work before and after a change to the API) and the Postgres backends' of the database (bench/cpu.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { startService } from '../src/composition-root.js';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/prisma.js';
import { alone, CpuMeter } from './cpu.js';
import { progressEvent } from './load.js';
import { withScratchDatabase } from './scratch-database.js';

const WEBHOOKS = 10;
const BATCH = 50;
const LANES = 16;
const ROUNDS = 20;
const CPU_ROUNDS = Number(process.env.CPU_ROUNDS ?? 100);
/** Long enough for the batched live NOTIFY after a commit (one event-loop turn) to have gone out. */
const SETTLE_MS = 200;

let recording: string[] | null = null;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '');
  recording?.push(text.replace(/\s+/g, ' ').trim().slice(0, 90));
  return query.call(this, config, ...rest);
};

/** The statements sent while `work` runs and until the process has settled after it. */
async function statementsOf(work: () => Promise<Response>): Promise<string[]> {
  recording = [];
  const response = await work();
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const sent = recording;
  recording = null;
  // pg-boss's own timers (supervision, maintenance) may run meanwhile; they are not the publish's.
  return sent.filter((text) => !/pgboss\.(version|queue\b)|pg_try_advisory|FROM pgboss\.job j|monitor/i.test(text));
}

await withScratchDatabase('round_trips', async (url) => {
  const config = loadConfig({
    DATABASE_URL: url,
    ROLE: 'api',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DESTINATION_ALLOWLIST: '127.0.0.0/8',
  });
  const service = await startService(config, pino({ level: 'silent' }));
  const seeding = createDatabase(url, () => {}, { max: 1 });
  try {
    const { key } = await new ApiKeyStore(seeding.pool).create('round-trips');
    const post = (path: string, body: unknown) =>
      fetch(`${service.httpUrl}/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < WEBHOOKS; i++) {
      const created = await post('/webhooks', { url: `http://127.0.0.1:9/${i}`, events: ['batch.*'] });
      if (!created.ok) throw new Error(`webhook: ${created.status} ${await created.text()}`);
    }
    const item = () => {
      const { type, data } = progressEvent('round-trips');
      return { event_type: type, data };
    };
    await statementsOf(() => post('/events', item())); // warm: prepares the statements on the connection
    await statementsOf(() => post('/events/batch', { events: Array.from({ length: BATCH }, item) }));
    const one = await statementsOf(() => post('/events', item()));
    const batch = await statementsOf(() => post('/events/batch', { events: Array.from({ length: BATCH }, item) }));
    const keyed = await statementsOf(() => post('/events', { ...item(), idempotency_key: `round-trips-${Date.now()}` }));
    console.log(`one publish (${WEBHOOKS} webhooks): ${one.length} statements\n${one.map((t) => `  ${t}`).join('\n')}`);
    console.log(`one publish with an idempotency key: ${keyed.length} statements\n${keyed.map((t) => `  ${t}`).join('\n')}`);
    const counts = new Map<string, number>();
    for (const text of batch) counts.set(text, (counts.get(text) ?? 0) + 1);
    console.log(
      `batch of ${BATCH} (${WEBHOOKS} webhooks each): ${batch.length} statements\n` +
        [...counts].map(([text, n]) => `  ${n}\t${text}`).join('\n'),
    );
    const lanes = await statementsOf(async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const answers = await Promise.all(Array.from({ length: LANES }, () => post('/events', item())));
        const refused = answers.find((answer) => !answer.ok);
        if (refused) return refused;
      }
      return new Response(null);
    });
    const keyLookups = lanes.filter((text) => text.includes('FROM api_keys')).length;
    console.log(
      `${LANES} lanes x ${ROUNDS}: ${(lanes.length / (LANES * ROUNDS)).toFixed(2)} statements per publish, ` +
        `${(keyLookups / (LANES * ROUNDS)).toFixed(2)} of them API-key lookups`,
    );
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const meter = new CpuMeter(admin, new URL(url).pathname.slice(1), { node: alone(process.pid) });
      await meter.start();
      for (let round = 0; round < CPU_ROUNDS; round++) {
        await Promise.all(Array.from({ length: LANES }, () => post('/events', item())));
      }
      const cpu = await meter.stop();
      const perPublish = (seconds: number) => ((seconds * 1000) / (LANES * CPU_ROUNDS)).toFixed(3);
      console.log(
        `CPU per publish over ${LANES * CPU_ROUNDS}: this process ${perPublish(cpu.service.node)} ms, ` +
          `Postgres ${perPublish(cpu.postgres)} ms (${perPublish(cpu.postgresAutovacuum)} of it autovacuum), ` +
          `${((LANES * CPU_ROUNDS) / cpu.seconds).toFixed(0)} publishes/s`,
      );
    } finally {
      await admin.end();
    }
  } finally {
    await seeding.close();
    await service.stop();
  }
});
