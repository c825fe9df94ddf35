// Every request looks its API key up again (a revoked key is refused at once, whoever revoked it); the lookups of the
// requests of one event-loop turn are one statement (src/auth/api-keys.ts, `perTurn`), each answered as its own key.
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { ApiKeyAuthenticator, ApiKeyStore } from '../src/auth/api-keys.js';
import { AccessTokens } from '../src/auth/tokens.js';
import { createDatabase } from '../src/db/prisma.js';
import { SecretBox } from '../src/secrets/secret-box.js';
import { onCleanup } from './support/cleanup.js';
import { createTestDatabase } from './support/database.js';
import { TEST_ENCRYPTION_KEY } from './support/service.js';

let url: string;
let pool: pg.Pool;
/** The statements the authenticator's pool has sent. */
const statements: string[] = [];
let authenticator: ApiKeyAuthenticator;
let store: ApiKeyStore;

beforeAll(async () => {
  url = await createTestDatabase();
  let close: () => Promise<void>;
  ({ pool, close } = createDatabase(url, () => {}, { max: 2 }));
  onCleanup(close);
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((text: string, ...rest: unknown[]) => {
    statements.push(text);
    return query(text, ...rest);
  }) as typeof pool.query;
  authenticator = new ApiKeyAuthenticator(pool, new AccessTokens(pool, new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'))));
  const storeDb = createDatabase(url, () => {}, { max: 1 });
  onCleanup(storeDb.close);
  store = new ApiKeyStore(storeDb.pool);
});

/** Revokes a key from another connection with triggers off: no process is told (no NOTIFY). */
async function revokeUnannounced(id: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET session_replication_role = 'replica'");
    await client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
  } finally {
    await client.end();
  }
}

it('answers the requests of one turn with one lookup, each as its own key: a revoked or unknown one refused', async () => {
  const a = await store.create('lookups-a');
  const b = await store.create('lookups-b');
  const revoked = await store.create('lookups-revoked');
  await store.revoke(revoked.apiKey.id);
  statements.length = 0;

  const answers = await Promise.all(
    [a.key, b.key, revoked.key, 'aip_unknown', a.key].map((key) => authenticator.authenticate(key)),
  );

  expect(answers).toEqual([
    { projectId: a.apiKey.projectId, apiKeyId: a.apiKey.id, scopes: a.apiKey.scopes },
    { projectId: b.apiKey.projectId, apiKeyId: b.apiKey.id, scopes: b.apiKey.scopes },
    null,
    null,
    { projectId: a.apiKey.projectId, apiKeyId: a.apiKey.id, scopes: a.apiKey.scopes },
  ]);
  expect(statements).toHaveLength(1);
});

it('refuses a key revoked by another process right after it was accepted, though no notification came', async () => {
  const { key, apiKey } = await store.create('lookups-later');
  expect(await authenticator.authenticate(key)).toMatchObject({ apiKeyId: apiKey.id });

  await revokeUnannounced(apiKey.id);

  expect(await authenticator.authenticate(key)).toBeNull();
});
