// Time per SQL statement over a window, from pg_stat_statements: which statements a delivery's cost grows in. It
// needs the module preloaded (`shared_preload_libraries = 'pg_stat_statements'`, a server restart); without it
// the soak reports only the CPU totals. The extension is created in the benchmark's own database (dropped at the end).
import type pg from 'pg';

export type StatementTimes = Map<string, { query: string; calls: number; ms: number; blocks: number }>;

/** A short name for a statement: its first write or read and the table it touches; `fetch` for a queue's claim. */
export function statementLabel(query: string): string {
  const text = query.replace(/\s+/g, ' ').replace(/"/g, '');
  const write = /\b(INSERT INTO|(?<!FOR )UPDATE|DELETE FROM)\s+([\w.]+)/i.exec(text);
  const read = /\bFROM\s+(?:ONLY\s+)?([\w.]+)/i.exec(text);
  // A statement that neither writes nor reads a table (VACUUM, BEGIN, pg_notify) is named by its first word.
  if (!write && !read) return text.trim().split(' ')[0]!.toLowerCase();
  let [verb, table] = write ? [write[1]!.split(' ')[0]!, write[2]!] : ['select', read![1]!];
  if (/SKIP LOCKED/i.test(text)) verb = 'fetch';
  return `${verb}_${table}`.toLowerCase().replace(/[^\w]+/g, '_');
}

export class StatementMeter {
  private constructor(private readonly pool: pg.Pool) {}

  /** A meter for the pool's database, or null when pg_stat_statements is not loaded in the server. */
  static async open(pool: pg.Pool): Promise<StatementMeter | null> {
    try {
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      return new StatementMeter(pool);
    } catch {
      return null;
    }
  }

  /** Forgets this database's statistics: the window starts now. */
  async start() {
    await this.pool.query(
      'SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)',
    );
  }

  /** Each statement's calls, execution plus planning time and buffers since `start`, by label. */
  async stop(): Promise<StatementTimes> {
    const { rows } = await this.pool.query<{ query: string; calls: string; ms: number; blocks: string }>(
      `SELECT query, calls, total_exec_time + total_plan_time AS ms, shared_blks_hit + shared_blks_read AS blocks
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const times: StatementTimes = new Map();
    for (const row of rows) {
      const label = statementLabel(row.query);
      const seen = times.get(label) ?? { query: row.query, calls: 0, ms: 0, blocks: 0 };
      seen.calls += Number(row.calls);
      seen.ms += row.ms;
      seen.blocks += Number(row.blocks);
      times.set(label, seen);
    }
    return times;
  }
}
