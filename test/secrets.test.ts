// Signing secrets at rest and in rotation: sealed in the database, opened only to sign, rotated with overlap.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/db/prisma.js';
import { JOB_SCHEMA } from '../src/db/sql/job-queue.js';
import { eraseExpiredSecrets } from '../src/housekeeping/expired-secrets.js';
import { SecretBox, keyId } from '../src/secrets/secret-box.js';
import type { TestApi } from './support/api.js';
import type { Receiver } from './support/receiver.js';
import { startFixture, TEST_ENCRYPTION_KEY, type TestService } from './support/service.js';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('seals with AES-256-GCM under a named key and opens again', () => {
    const sealed = box.seal('whsec_abc');
    expect(sealed).toMatch(new RegExp(`^aes256gcm:${keyId(key)}:[A-Za-z0-9+/=]+$`));
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(sealed); // a fresh IV every time
  });

  it('refuses tampered, relabelled or foreign values', () => {
    const sealed = box.seal('secret');
    const [prefix, id, payload] = sealed.split(':');
    const bytes = Buffer.from(payload!, 'base64');
    bytes[14]! ^= 1;
    expect(() => box.open(`${prefix}:${id}:${bytes.toString('base64')}`)).toThrow();
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(sealed)).toThrow(/unknown key/);
    expect(() => new SecretBox(randomBytes(32), [key]).open(`${prefix}:${keyId(randomBytes(32))}:${payload}`)).toThrow();
    expect(() => box.open('plain text')).toThrow(/not a sealed secret/);
  });

  it('opens with an older key and seals with the current one', () => {
    const next = new SecretBox(randomBytes(32), [key]);
    const old = box.seal('rotating');
    expect(next.open(old)).toBe('rotating');
    expect(next.sealedWithCurrentKey(old)).toBe(false);
    expect(next.sealedWithCurrentKey(next.seal('x'))).toBe(true);
  });
});

let service: TestService;
let receiver: Receiver;
let key: string;
let api: TestApi;

beforeAll(async () => {
  ({ receiver, service, key, api } = await startFixture());
});

/** Every row of every table as text, to look for a value anywhere in the database. */
async function databaseContains(needle: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: service.databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_schema IN ('public', $1) AND table_type = 'BASE TABLE'`,
      [JOB_SCHEMA],
    );
    const hits: string[] = [];
    for (const t of tables) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${t.schema}"."${t.name}" r WHERE r::text LIKE '%' || $1 || '%'`, [needle]);
      if (rows[0].n > 0) hits.push(`${t.schema}.${t.name}`);
    }
    return hits;
  } finally {
    await client.end();
  }
}

describe('secrets at rest', () => {
  it('keeps no plaintext signing secret or API key anywhere in the database', async () => {
    const chosen = await api.createWebhook(receiver.url('/rest-1'), ['model.*'], 'my-own-secret-value-123');
    const generated = await api.createWebhook(receiver.url('/rest-2'), ['model.*']);
    const rotated = await service.gql(key, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { ... on RotateWebhookSecretPayload { secret } } }`, { id: generated.id });
    await api.publish('model.deployed', { job_id: 'at-rest' });
    await receiver.waitFor('/rest-1', 1);
    await receiver.waitFor('/rest-2', 1);
    // The probe is real: the secret's own signature made it to the receiver, so the service could open it.
    const [request] = receiver.requests('/rest-1');
    expect(request!.headers['x-webhook-signature']).toBe(createHmac('sha256', chosen.secret).update(request!.body).digest('hex'));
    for (const secret of [chosen.secret, generated.secret, rotated.body.data.rotateWebhookSecret.secret, key]) {
      expect(await databaseContains(secret)).toEqual([]);
    }
    expect(await databaseContains('aes256gcm:')).toContain('public.webhooks');
  });

  it("keeps no custom header's value anywhere in the database, though every attempt sends it", async () => {
    const value = 'Bearer header-value-at-rest-0042';
    const { webhook } = await api.client.webhooks.create({
      url: receiver.url('/with-header'),
      events: ['model.*'],
      headers: [{ name: 'Authorization', value }],
    });
    await api.publish('model.deployed', { job_id: 'header-at-rest' });
    const [request] = await receiver.waitFor('/with-header', 1);
    expect(request!.headers.authorization).toBe(value);
    await expect.poll(async () => (await service.db.deliveryAttempt.count({ where: { delivery: { webhookId: webhook.id } } }))).toBe(1);
    expect(await databaseContains(value)).toEqual([]);
  });
});

describe('secret rotation with overlap', () => {
  it('signs with both secrets during the grace period, the new one in X-Webhook-Signature, then only the new', async () => {
    const hook = await api.createWebhook(receiver.url('/rotate'), ['model.*']);
    const ROTATE = `mutation($id: ID!, $grace: Int) { rotateWebhookSecret(id: $id, gracePeriodSeconds: $grace) { ... on RotateWebhookSecretPayload { secret } } }`;
    const next = (await service.gql(key, ROTATE, { id: hook.id, grace: 3600 })).body.data.rotateWebhookSecret.secret as string;
    await api.publish('model.deployed', { job_id: 'rotate-1' });
    const [during] = await receiver.waitFor('/rotate', 1);
    const signatures = String(during!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const headers = during!.headers as Record<string, string>;
    expect(() => new StandardWebhook(next).verify(during!.body, headers)).not.toThrow();
    expect(() => new StandardWebhook(hook.secret).verify(during!.body, headers)).not.toThrow();
    expect(headers['x-webhook-signature']).toBe(createHmac('sha256', next).update(during!.body).digest('hex'));

    // Once the grace period is over, the old secret is erased and signs nothing.
    const db = createPrisma(service.databaseUrl, 1);
    await db.webhook.update({ where: { id: hook.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    expect(await eraseExpiredSecrets(db)).toBe(1);
    expect(await db.webhook.findUniqueOrThrow({ where: { id: hook.id } })).toMatchObject({ previousSecret: null, previousSecretExpiresAt: null });
    await db.$disconnect();
    await api.publish('model.deployed', { job_id: 'rotate-2' });
    const [, after] = await receiver.waitFor('/rotate', 2);
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new StandardWebhook(next).verify(after!.body, after!.headers as Record<string, string>)).not.toThrow();
    expect(() => new StandardWebhook(hook.secret).verify(after!.body, after!.headers as Record<string, string>)).toThrow();
  });
});

describe('encryption key rotation', () => {
  it('re-seals every secret under the new key with `secrets rotate-key`', async () => {
    const hook = await api.createWebhook(receiver.url('/key-rotation'), ['model.*'], 'secret-before-key-rotation');
    await api.client.webhooks.update(hook.id, { headers: [{ name: 'X-Api-Key', value: 'header-before-key-rotation' }] });
    // A token minted first: its signing key is sealed too, and is re-sealed with the webhook secrets.
    const minted = await fetch(`${service.httpUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['webhooks:read'] }),
    });
    expect(minted.status).toBe(201);
    const newKey = randomBytes(32).toString('base64');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'src/cli/index.ts', 'secrets', 'rotate-key'], {
      env: { ...process.env, DATABASE_URL: service.databaseUrl, SECRET_ENCRYPTION_KEY: newKey, SECRET_ENCRYPTION_OLD_KEYS: TEST_ENCRYPTION_KEY },
      encoding: 'utf8',
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const newId = keyId(Buffer.from(newKey, 'base64'));
    expect(cli.stdout).toMatch(new RegExp(`Re-sealed \\d+ webhook\\(s\\) under key ${newId}`));
    const db = createPrisma(service.databaseUrl, 1);
    const rows = await db.webhook.findMany({ select: { id: true, secret: true, sealedHeaders: true } });
    const signingKeys = await db.tokenSigningKey.findMany();
    await db.$disconnect();
    expect(cli.stdout).toContain(`Re-sealed ${signingKeys.length} token signing key(s)`);
    for (const row of signingKeys) expect(row.secret.startsWith(`aes256gcm:${newId}:`)).toBe(true);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.secret.startsWith(`aes256gcm:${newId}:`)).toBe(true);
    const mine = rows.find((row) => row.id === hook.id)!;
    expect(new SecretBox(Buffer.from(newKey, 'base64')).open(mine.secret)).toBe('secret-before-key-rotation');
    // The custom headers too.
    expect(mine.sealedHeaders!.startsWith(`aes256gcm:${newId}:`)).toBe(true);
    expect(JSON.parse(new SecretBox(Buffer.from(newKey, 'base64')).open(mine.sealedHeaders!))).toEqual([['X-Api-Key', 'header-before-key-rotation']]);
  });
});
