import { randomBytes } from 'node:crypto';

/** Ids in the spec's style: a type prefix and 16 hex characters (`wh_550e8400e29b41d4`). */
export const newId = (prefix: 'prj' | 'key' | 'wh' | 'evt' | 'del' | 'aud' | 'tsk' | 'tok' | 'rcv') =>
  `${prefix}_${randomBytes(8).toString('hex')}`;
