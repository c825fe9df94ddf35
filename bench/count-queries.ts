// Debugging aid, preloaded into the service processes with BENCH_COUNT_QUERIES=1: counts the SQL statements each
// process sends (by their first 70 characters) and prints the most frequent when the process is stopped, to see
// how many statements one delivery costs.
import pg from 'pg';
const counts = new Map<string, number>();
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: unknown, q: any, ...rest: any[]) {
  const text = (typeof q === 'string' ? q : q?.text ?? '').replace(/\s+/g, ' ').trim().slice(0, 70);
  counts.set(text, (counts.get(text) ?? 0) + 1);
  return orig.call(this, q, ...rest);
};
process.once('SIGTERM', () => {
  const rows = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`QUERIES ${process.env.ROLE}\n` + rows.map(([t, n]) => `${n}\t${t}`).join('\n'));
});
