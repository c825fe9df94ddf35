import type { Db } from '../db/prisma.js';

/** Erases previous signing secrets whose rotation grace period has ended; returns how many. */
export async function eraseExpiredSecrets(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.webhook.updateMany({
    where: { previousSecretExpiresAt: { lte: now } },
    data: { previousSecret: null, previousSecretExpiresAt: null },
  });
  return count;
}
