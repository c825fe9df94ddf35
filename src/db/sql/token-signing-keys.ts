// token_signing_keys: the keys that sign and verify access tokens (src/auth/tokens.ts).
import type { Queryable } from './queryable.js';

export type SigningKeyRow = { id: string; secret: string; createdAt: Date; retiredAt: Date | null };

type Row = { id: string; secret: string; created_at: Date; retired_at: Date | null };
const mapped = (row: Row): SigningKeyRow => ({ id: row.id, secret: row.secret, createdAt: row.created_at, retiredAt: row.retired_at });

/** The key that signs: the newest unretired one, or null when there is none yet. */
export async function currentSigningKey(db: Queryable): Promise<SigningKeyRow | null> {
  const { rows } = await db.query<Row>(
    'SELECT id, secret, created_at, retired_at FROM token_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  return rows[0] ? mapped(rows[0]) : null;
}

/** The unretired key with this id (a token's `kid`), or null. */
export async function activeSigningKey(db: Queryable, id: string): Promise<SigningKeyRow | null> {
  const { rows } = await db.query<Row>(
    'SELECT id, secret, created_at, retired_at FROM token_signing_keys WHERE id = $1 AND retired_at IS NULL',
    [id],
  );
  return rows[0] ? mapped(rows[0]) : null;
}

/**
 * Within a transaction: waits for any other process creating a signing key, so two processes minting their first
 * token together create one key, not two.
 */
export async function lockSigningKeys(tx: Queryable): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('aiplatform-webhooks:token-signing-keys'))`);
}

export async function insertSigningKey(db: Queryable, key: { id: string; secret: string }): Promise<SigningKeyRow> {
  const { rows } = await db.query<Row>(
    'INSERT INTO token_signing_keys (id, secret) VALUES ($1, $2) RETURNING id, secret, created_at, retired_at',
    [key.id, key.secret],
  );
  return mapped(rows[0]!);
}

/** Retires every unretired key but `keepId` created before `before` (what it retired, by id). */
export async function retireSigningKeys(db: Queryable, keepId: string, before: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'UPDATE token_signing_keys SET retired_at = now() WHERE retired_at IS NULL AND id <> $1 AND created_at < $2 RETURNING id',
    [keepId, before],
  );
  return rows.map((row) => row.id);
}
