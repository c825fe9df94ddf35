// Log lines stay lines: an error logged with `err` keeps its message, code and stack, but an object it carries
// (pg-pool hangs the whole pg client on the error of a connection the server dropped) is named, not dumped.
import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createTestDatabase } from './support/database.js';

describe('the logger', () => {
  it('logs the error of a dropped idle connection in a short line, without the pg client', async () => {
    const url = await createTestDatabase({ migrated: false });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const dropped = new Promise<Error>((resolve) => pool.once('error', resolve));
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    client.release(); // idle in the pool now
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await admin.end();
    const error = await dropped;
    await pool.end();
    expect(error).toHaveProperty('client'); // what pg-pool does: the reason for the serialiser

    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', destination);
    logger.warn({ err: error }, 'an idle database connection was dropped');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line.err).toMatchObject({ message: error.message, code: '57P01', client: '[Client]', stack: expect.any(String) });
    expect(lines[0]!.length).toBeLessThan(4_000);
  });
});
