// One server, several databases: the tests clone a template per file, the bench makes one per run or per tool.

/** `url` with its database swapped for `database`: the same server, user, password and options. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
