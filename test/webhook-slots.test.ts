// A webhook's in-flight slots across workers (src/delivery/queueing/webhook-slots.ts), against real Postgres: two
// sessions stand for two worker processes. Together they never hold more than the limit; a slot given back is free
// for the other; a session's own slots are not taken twice; and a session that ends frees every slot it held.
import pg from 'pg';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { WebhookSlots } from '../src/delivery/queueing/webhook-slots.js';
import { onCleanup } from './support/cleanup.js';
import { createTestDatabase } from './support/database.js';
import { eventually } from './support/receiver.js';

let databaseUrl: string;
const LIMIT = 3;

beforeAll(async () => {
  databaseUrl = await createTestDatabase({ migrated: false });
});

const session = () => {
  const slots = new WebhookSlots(databaseUrl, LIMIT, pino({ level: 'silent' }));
  onCleanup(() => slots.close());
  return slots;
};
const count = (taken: Map<string, unknown[]>, webhookId: string) => taken.get(webhookId)?.length ?? 0;

it('gives two workers together at most the limit, and a slot given back to the other', async () => {
  const [a, b] = [session(), session()];
  const first = await a.take(new Map([['wh_1', 2], ['wh_2', 1]]));
  expect([count(first, 'wh_1'), count(first, 'wh_2')]).toEqual([2, 1]);
  const second = await b.take(new Map([['wh_1', 5], ['wh_2', 5]]));
  expect([count(second, 'wh_1'), count(second, 'wh_2')]).toEqual([1, 2]);
  // Its own slots are not taken again (advisory locks are re-entrant): only what is left, which is nothing.
  expect(count(await a.take(new Map([['wh_1', 5]])), 'wh_1')).toBe(0);

  a.release(first.get('wh_1')![0]!);
  const freed = await eventually(async () => {
    const taken = await b.take(new Map([['wh_1', 5]]));
    return count(taken, 'wh_1') > 0 ? taken : undefined;
  }, 'the slot given back to be free');
  expect(count(freed, 'wh_1')).toBe(1);
});

it('frees every slot of a worker whose connection ends (a dead worker holds none)', async () => {
  const [a, b] = [session(), session()];
  expect(count(await a.take(new Map([['wh_dead', LIMIT]])), 'wh_dead')).toBe(LIMIT);
  expect(count(await b.take(new Map([['wh_dead', 1]])), 'wh_dead')).toBe(0);
  // Ended from outside, as when the process is killed or Postgres drops the connection.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'webhook-slots' AND pid IN (
    SELECT pid FROM pg_locks WHERE locktype = 'advisory' GROUP BY pid HAVING count(*) = ${LIMIT})`);
  await admin.end();
  await eventually(async () => (count(await b.take(new Map([['wh_dead', LIMIT]])), 'wh_dead') === LIMIT ? true : undefined), "the dead session's slots to be free");
});
