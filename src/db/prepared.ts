// Prepared statements for the inserts every publish and every delivery makes. A named statement is parsed and
// planned once per connection instead of on every call.
//
// Only statements without a plan to choose are prepared: inserts of rows given as parameters. After five runs
// Postgres may keep a generic plan, made from the table's size and statistics at that moment, until the table is
// analysed again, which can make a statement with a plan to choose far slower. Measurements: docs/performance.md
// ("Why the code is as it is").
import pg from 'pg';

/**
 * Distinct statement texts given names at most per process; beyond it, statements run unnamed. A prepared statement
 * takes memory in every connection's backend for the connection's life, so the set must stay bounded even if a text
 * were built at run time.
 */
export const MAX_PREPARED_STATEMENTS = 50;

/** Names for statement texts, the same on every connection, up to `max` texts; beyond it none. */
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

/** A query to run as a prepared statement (see above for which statements may be). */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  const name = statementNames.nameFor(text);
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * A pg client that runs every statement unnamed, for `DATABASE_PREPARED_STATEMENTS=false`: PgBouncer before 1.21 in
 * transaction mode hands a transaction any server connection, which may not have the statement.
 */
export class UnpreparedClient extends pg.Client {
  // Loosely typed: pg's overloads are many, and only a query config with a name changes.
  override query(...args: any[]): any {
    const [config, ...rest] = args;
    const named = config && typeof config === 'object' && typeof config.submit !== 'function' && config.name;
    const unnamed = named ? { ...config, name: undefined } : config;
    return (super.query as (...a: unknown[]) => unknown)(unnamed, ...rest);
  }
}
