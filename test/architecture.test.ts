// The layering rule of docs/architecture.md, checked on the source text:
// - every hand-written SQL statement lives in src/db/sql/ (Prisma serves CRUD and reads everywhere else);
// - transports (GraphQL resolvers, REST handlers) never reach the database or pg-boss: they call the application
//   services in src/app/, which decide every use case once;
// - only src/db/sql/job-queue.ts names pg-boss's schema and tables;
// - the OpenTelemetry SDK is imported only when tracing starts (src/observability/tracing.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : filesUnder(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

const source = filesUnder('src').map((file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }));
const outside = (folder: string) => source.filter(({ file }) => !file.startsWith(folder));
/** The text without comments, so a comment may name a statement. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** What marks SQL: statements' leading keywords, and Prisma's raw-SQL entry points. */
const SQL = [
  /\bSELECT\s+[\w*"(]/,
  /\bINSERT\s+INTO\b/,
  /\bUPDATE\s+[\w."]+\s+(AS\s+\w+\s+)?SET\b/,
  /\bDELETE\s+FROM\b/,
  /\bVACUUM\b/,
  /\b(UN)?LISTEN\s+"/,
  /\bpg_notify\b/,
  /\bCREATE\s+DATABASE\b/,
  /\$queryRaw|\$executeRaw|Prisma\.sql\b/,
];

describe('the layering rule', () => {
  it('reads the source (the scan found it)', () => {
    expect(source.length).toBeGreaterThan(50);
    expect(source.some(({ file }) => file.startsWith('src/db/sql/'))).toBe(true);
  });

  it('keeps every SQL statement in src/db/sql/', () => {
    const offences = outside('src/db/sql/').flatMap(({ file, text }) =>
      SQL.filter((pattern) => pattern.test(code(text))).map((pattern) => `${file}: ${pattern}`),
    );
    expect(offences).toEqual([]);
  });

  it('finds SQL where it is (the patterns match the statements in src/db/sql/)', () => {
    const inFolder = source.filter(({ file }) => file.startsWith('src/db/sql/')).map(({ text }) => code(text)).join('\n');
    const unmatched = SQL.filter((pattern) => !pattern.test(inFolder) && !/Prisma|CREATE|VACUUM|LISTEN/.test(String(pattern)));
    expect(unmatched).toEqual([]);
  });

  it('keeps transports off the database and the queue', () => {
    const transports = source.filter(({ file }) => file.startsWith('src/graphql/schema/') || file.startsWith('src/rest/'));
    expect(transports.length).toBeGreaterThan(10);
    const offences = transports.flatMap(({ file, text }) => {
      const body = code(text);
      const found: string[] = [];
      if (/\bctx\.db\b|\bdb\.\w+\.(find|count|create|update|delete|aggregate|upsert)/.test(body)) found.push('reads or writes through Prisma');
      if (/from '[./]*(db|delivery\/queueing|housekeeping)\//.test(body)) found.push('imports the data layer or the queue');
      if (/from 'pg(-boss)?'/.test(body)) found.push('imports pg or pg-boss');
      return found.map((what) => `${file}: ${what}`);
    });
    expect(offences).toEqual([]);
  });

  it("names pg-boss's schema only in src/db/sql/job-queue.ts", () => {
    const offences = outside('src/db/sql/job-queue.ts')
      .filter(({ text }) => /['"`]pgboss['"`.]|\bpgboss\./.test(code(text)))
      .map(({ file }) => file);
    expect(offences).toEqual([]);
  });

  it('loads the OpenTelemetry SDK only on demand: no static import of it anywhere (tracing off costs nothing)', () => {
    // `@opentelemetry/api` is a no-op until a provider is registered; everything else is imported by `startTracing`.
    const offences = source
      .filter(({ text }) => /^import (?!type )[^;]*from '@opentelemetry\/(?!api')/m.test(code(text)))
      .map(({ file }) => file);
    expect(offences).toEqual([]);
    const tracing = source.find(({ file }) => file === 'src/observability/tracing.ts')!;
    expect(tracing.text).toContain("import('@opentelemetry/sdk-trace')");
  });
});
