// Re-seals stored webhook secrets (with the webhooks' custom headers) and token signing keys under the current key: plaintext left by an older version
// (webhook secrets), or values sealed with a key being retired. Runs at start-up and as `npm run cli -- secrets
// rotate-key`.
import type { Db } from '../db/prisma.js';
import type { SecretBox } from './secret-box.js';

const BATCH = 500;

export async function resealWebhookSecrets(db: Db, box: SecretBox): Promise<number> {
  const reseal = (value: string) => box.seal(box.isSealed(value) ? box.open(value) : value);
  const resealed = (value: string | null) => (value === null || box.sealedWithCurrentKey(value) ? value : reseal(value));
  const stale = { not: { startsWith: `aes256gcm:${box.currentKeyId}:` } };
  let count = 0;
  for (;;) {
    const rows = await db.webhook.findMany({
      where: { OR: [{ secret: stale }, { previousSecret: stale }, { sealedHeaders: stale }] },
      select: { id: true, secret: true, previousSecret: true, sealedHeaders: true },
      take: BATCH,
    });
    for (const row of rows) {
      await db.webhook.updateMany({
        // Only if unchanged meanwhile (a rotation or an update in between wins).
        where: { id: row.id, secret: row.secret, previousSecret: row.previousSecret, sealedHeaders: row.sealedHeaders },
        data: {
          secret: resealed(row.secret)!,
          previousSecret: resealed(row.previousSecret),
          sealedHeaders: resealed(row.sealedHeaders),
        },
      });
    }
    count += rows.length;
    if (rows.length < BATCH) return count;
  }
}

/** Re-seals the access-token signing keys under the current key, as `resealWebhookSecrets` does webhook secrets. */
export async function resealTokenSigningKeys(db: Db, box: SecretBox): Promise<number> {
  const rows = await db.tokenSigningKey.findMany({
    where: { secret: { not: { startsWith: `aes256gcm:${box.currentKeyId}:` } } },
    select: { id: true, secret: true },
  });
  for (const row of rows) {
    await db.tokenSigningKey.updateMany({ where: { id: row.id, secret: row.secret }, data: { secret: box.seal(box.open(row.secret)) } });
  }
  return rows.length;
}
