// The operator CLI (`npm run cli -- api-key …`) against a test database, checked through the real service.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApi } from './support/api.js';
import { createTestDatabase } from './support/database.js';
import { startTestService, type TestService } from './support/service.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const USAGE = /usage:\n {2}cli api-key create --project <name>[\s\S]*cli api-key list[\s\S]*cli api-key revoke <id>/;

type Run = { code: number | null; stdout: string; stderr: string };

function cli(args: string[], databaseUrl?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else env.DATA_DIR = '/nonexistent/must-not-be-used'; // usage errors must stop before touching any database
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/cli/index.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const COUNT = '{ webhooks { totalCount } }';

describe('api-key', () => {
  let databaseUrl: string;
  let service: TestService;
  let key: string;
  let id: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    const created = await cli(['api-key', 'create', '--project', 'acme'], databaseUrl);
    expect(created.code, created.stderr).toBe(0);
    key = /^(aip_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] ?? '';
    id = /\b(key_[0-9a-f]{16})\b/.exec(created.stdout)?.[1] ?? '';
    expect(created.stdout).toContain('project "acme"');
    service = await startTestService({ DATABASE_URL: databaseUrl });
  }, 60_000);

  it('create prints a key once, which works against the service', async () => {
    expect(key).toMatch(/^aip_[A-Za-z0-9_-]{43}$/);
    expect(id).not.toBe('');
    expect(await service.gql(key, COUNT)).toEqual({ status: 200, body: { data: { webhooks: { totalCount: 0 } } } });
  });

  it("create scopes the key to its project: another project's key cannot see acme's webhooks", async () => {
    const created = await testApi(service, key).createWebhook('https://acme.example/hook', ['*']);
    expect(created.id).toMatch(/^wh_/);
    expect((await service.gql(key, COUNT)).body.data.webhooks.totalCount).toBe(1);
    const { key: other } = await service.newProject();
    expect((await service.gql(other, COUNT)).body.data.webhooks.totalCount).toBe(0);
  });

  it('create --scopes gives the key those scopes only: it reads webhooks, and writing is forbidden', async () => {
    const created = await cli(['api-key', 'create', '--project', 'acme', '--name', 'reader', '--scopes', 'webhooks:read'], databaseUrl);
    expect(created.code, created.stderr).toBe(0);
    const reader = /^(aip_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] ?? '';
    expect((await service.gql(reader, COUNT)).body.data.webhooks.totalCount).toBeGreaterThanOrEqual(0);
    const write = await service.gql(
      reader,
      'mutation { createWebhook(input: { url: "https://acme.example/x", events: ["*"] }) { __typename ... on ForbiddenError { scope } } }',
    );
    expect(write.body.data.createWebhook).toEqual({ __typename: 'ForbiddenError', scope: 'webhooks:write' });
  });

  it('list shows the key with its project but never the key itself', async () => {
    const listed = await cli(['api-key', 'list'], databaseUrl);
    expect(listed.code, listed.stderr).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(id));
    expect(line).toBeDefined();
    expect(line!.split('\t')).toEqual([id, `${key.slice(0, 8)}…`, 'acme', 'cli', 'active']);
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).not.toContain(key.slice(8));
  });

  it('revoke makes the key answer 401 at once', async () => {
    const revoked = await cli(['api-key', 'revoke', id], databaseUrl);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${id}`);

    const after = await service.gql(key, COUNT);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const listed = await cli(['api-key', 'list'], databaseUrl);
    expect(listed.stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/\trevoked \d{4}-\d\d-\d\dT/);

    const again = await cli(['api-key', 'revoke', id], databaseUrl);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No active key with id ${id}`);
  });
});

describe('tokens', () => {
  it('rotate-key makes a new signing key current, the old one still verifying; retire-keys retires the old one', async () => {
    const databaseUrl = await createTestDatabase();
    const service = await startTestService({ DATABASE_URL: databaseUrl });
    const { key } = await service.newProject();
    const minted = await fetch(`${service.httpUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['webhooks:read'] }),
    });
    const { token } = (await minted.json()) as { token: string };
    const [first] = await service.db.tokenSigningKey.findMany();

    const rotated = await cli(['tokens', 'rotate-key'], databaseUrl);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newId = /\b(tsk_[0-9a-f]{16})\b/.exec(rotated.stdout)?.[1];
    expect(newId).toBeDefined();
    expect(newId).not.toBe(first!.id);
    expect((await service.gql(token, COUNT)).status).toBe(200);

    const retired = await cli(['tokens', 'retire-keys'], databaseUrl);
    expect(retired.code, retired.stderr).toBe(0);
    expect(retired.stdout).toContain(`Retired ${first!.id}`);
    const keys = await service.db.tokenSigningKey.findMany({ orderBy: { createdAt: 'asc' } });
    expect(keys.map((k) => [k.id, k.retiredAt !== null])).toEqual([
      [first!.id, true],
      [newId, false],
    ]);
    // Only sealed secrets are stored.
    expect(keys.every((k) => k.secret.startsWith('aes256gcm:'))).toBe(true);
  }, 60_000);
});

describe('help', () => {
  it.each([[['--help']], [['-h']], [['help']], [['api-key', 'create', '--help']]])(
    '%j prints the usage to stdout and exits 0',
    async (args) => {
      const run = await cli(args);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(USAGE);
    },
  );
});

describe('bad usage', () => {
  it.each([
    [[], /unknown command/],
    [['api-key'], /unknown command/],
    [['api-key', 'delete', 'key_0000000000000000'], /unknown command/],
    [['webhook', 'list'], /unknown command/],
    [['api-key', 'create'], /needs --project/],
    [['api-key', 'create', '--project'], /argument missing/],
    [['api-key', 'create', '--project', 'acme', '--bogus'], /Unknown option '--bogus'/],
    [['api-key', 'revoke'], /needs the key id/],
    [['api-key', 'create', '--project', 'acme', '--scopes', 'webhooks:read,webhooks:delete'], /--scopes: unknown scope "webhooks:delete"/],
    [['api-key', 'create', '--project', 'acme', '--scopes', ','], /--scopes must name at least one scope/],
  ])('%j exits 2 with the usage text', async (args, reason) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr).toMatch(USAGE);
    expect(run.stdout).toBe('');
  });
});
