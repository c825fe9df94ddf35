// The service's own statements (publishing, API-key checks, the delivery loop, pg-boss's statements in our
// transactions) are sent as named, prepared statements: each connection parses and plans a statement once instead
// of on every call. Every publish and every delivery runs the same few statements, and parsing and planning them was
// over a third of Postgres' work per publish (bench/prepared-statements.ts: 2.69 → 1.73 ms of backend CPU).
// Prisma's queries are not affected: its adapter passes query configs, not (text, values).
import pg from 'pg';

/**
 * Distinct statement texts prepared at most per process; beyond it, statements run unnamed. Every prepared text
 * takes memory in every connection's backend for the connection's life, so a text built at run time must not be
 * able to grow that without bound. The service has about 40 (its own and pg-boss's).
 */
export const MAX_PREPARED_STATEMENTS = 100;

/** Names for statement texts, the same on every connection, up to `max` texts; beyond it none (run unnamed). */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max: number) {}

  nameFor(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.max) this.names.set(text, (name = `webhooks_${this.names.size}`));
    return name;
  }
}

const statementNames = new StatementNames(MAX_PREPARED_STATEMENTS);

/** A pg client that prepares every parameterised statement given as `(text, values)`. */
export class PreparingClient extends pg.Client {
  // Loosely typed: pg's overloads are many, and only the (text, values[, callback]) form changes.
  override query(...args: any[]): any {
    const [text, values, ...rest] = args;
    const name = typeof text === 'string' && Array.isArray(values) ? statementNames.nameFor(text) : undefined;
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    return (super.query as (...a: unknown[]) => unknown)({ name, text, values }, ...rest);
  }
}
