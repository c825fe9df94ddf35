// The cursor of a PULL webhook's message stream, as its receiver holds it: opaque and versioned (`m1.` then
// base64url JSON), bound to one webhook, and dated. A cursor names a position (src/db/sql/pull-messages.ts): a
// message's, or a read's horizon when it found none. Its date is when that position was reached (the message's
// storage, or the read); once that is older than the retention period, messages after it may have been purged
// unread, so the cursor is refused as expired rather than silently continuing past the gap.
import { ValidationError } from '../../app/errors.js';
import type { StreamPosition } from '../../db/sql/pull-messages.js';

const VERSION = 'm1.';
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;

export type Cursor = { webhookId: string; position: StreamPosition; at: Date };

export const encodeCursor = ({ webhookId, position, at }: Cursor): string =>
  VERSION + Buffer.from(JSON.stringify([webhookId, position.xid, position.seq, at.getTime()])).toString('base64url');

/** A decimal string within `max`, or null. */
const integer = (value: unknown, max: bigint): string | null =>
  typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) <= max ? value : null;

function parse(value: string): Cursor | null {
  if (!value.startsWith(VERSION)) return null;
  try {
    const parts = JSON.parse(Buffer.from(value.slice(VERSION.length), 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== 4) return null;
    const [webhookId, xid, seq, at] = parts as unknown[];
    const position = { xid: integer(xid, UINT64_MAX), seq: integer(seq, INT64_MAX) };
    if (typeof webhookId !== 'string' || position.xid === null || position.seq === null) return null;
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) return null;
    return { webhookId, position: { xid: position.xid, seq: position.seq }, at: new Date(at) };
  } catch {
    return null;
  }
}

/**
 * The position a cursor given as `field` names in `webhookId`'s stream; a ValidationError naming `field` for a
 * cursor that is malformed, of another webhook, or reached before `expiresBefore` (the retention cutoff).
 */
export function decodeCursor(value: string, field: string, webhookId: string, expiresBefore: Date): StreamPosition {
  const cursor = parse(value);
  if (!cursor) {
    throw new ValidationError(
      field,
      (name) => `${name}: not a cursor of this API; pass a message's \`cursor\` or a read's \`next_cursor\``,
    );
  }
  if (cursor.webhookId !== webhookId) {
    throw new ValidationError(field, (name) => `${name}: this cursor belongs to another webhook's messages, not ${webhookId}'s`);
  }
  if (cursor.at < expiresBefore) {
    throw new ValidationError(
      field,
      (name) =>
        `${name}: this cursor has expired: it is older than the retention period, so messages after it may have been ` +
        'deleted unread. Read again without a cursor to get every message still kept',
    );
  }
  return cursor.position;
}

/** The later of two positions. */
export function laterPosition(a: StreamPosition, b: StreamPosition): StreamPosition {
  const [ax, bx] = [BigInt(a.xid), BigInt(b.xid)];
  if (ax !== bx) return ax > bx ? a : b;
  return BigInt(a.seq) >= BigInt(b.seq) ? a : b;
}
