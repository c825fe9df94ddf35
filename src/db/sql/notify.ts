// Postgres LISTEN/NOTIFY, the transport of `src/notify/`: live updates between API processes and the workers' wake.
import pg from 'pg';
import type { Queryable } from './queryable.js';

/** NOTIFYs to send, in order: `payloads[i]` on `channels[i]`. */
export type Notices = { channels: string[]; payloads: string[] };

/** One NOTIFY; inside a transaction it is sent at commit, and never for a rollback. */
export async function notify(db: Queryable, channel: string, payload: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/** Many NOTIFYs in one statement, sent in the order given. */
export async function notifyMany(db: Queryable, channels: string[], payloads: string[]): Promise<void> {
  await db.query('SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS n(c, p)', [channels, payloads]);
}

/** The statements that start and stop listening on a channel (an identifier: it is quoted here). */
export const listenStatement = (channel: string) => `LISTEN ${pg.escapeIdentifier(channel)}`;
export const unlistenStatement = (channel: string) => `UNLISTEN ${pg.escapeIdentifier(channel)}`;
