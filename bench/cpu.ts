// CPU time from /proc/<pid>/stat (utime + stime), for the service's process trees (and the load generator alone) and
// for the Postgres backends serving the benchmark's database (found through pg_stat_activity). Both are sampled every
// second, so processes that come and go are counted up to their last sample: a service process counts with every
// descendant (a process set that forks one process per core is measured whole, not just its primary), a backend
// from its first sample.
// Autovacuum workers of that database count as Postgres too, and are also reported on their own: they do the
// deferred part of the writes (dead rows, index entries, statistics).
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The fields of /proc/<pid>/stat after the command name (field 3, state, first), or null when it is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds the process has used so far (all its threads), or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15.
  return fields && (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The program a process runs (its `comm`: `node`, `esbuild`, …), or null when it is gone. */
export function programOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * `root` and every live descendant of it, by walking /proc for parent ids (the kernel's per-thread `children` lists
 * are not available everywhere).
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statFields(pid)?.[1]); // ppid is field 4
    if (parent) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** How many processes of `root`'s own program its tree has (a process set's members; not helpers like esbuild). */
export const serviceProcesses = (root: number): number => membersOf(processTree(root));

/** Of a process tree (`processTree`: its root first), how many run the root's program. */
const membersOf = (tree: number[]): number => {
  const program = programOf(tree[0]!);
  return tree.filter((pid) => programOf(pid) === program).length;
};

/**
 * CPU seconds over a measurement: each named process tree's (`R`: their names), the Postgres backends', and its
 * length; `processes` is the most processes each tree had at one sample.
 */
export type CpuReading<R extends string = string> = {
  service: Record<R, number>;
  processes: Record<R, number>;
  postgres: number;
  postgresAutovacuum: number;
  seconds: number;
};

/** What is measured under one name: a process with its descendants (the service), or alone (the load generator). */
export type Measured = { pid: number; descendants: boolean };
export const withDescendants = (pid: number): Measured => ({ pid, descendants: true });
export const alone = (pid: number): Measured => ({ pid, descendants: false });

export class CpuMeter<R extends string = string> {
  private timer: NodeJS.Timeout | undefined;
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly members = new Map<R, Set<number>>();
  private readonly widest = new Map<R, number>();
  private readonly backends = new Set<number>();
  private readonly autovacuumWorkers = new Set<number>();
  private started = 0;

  constructor(
    private readonly admin: pg.Client,
    private readonly database: string,
    private readonly services: Record<R, Measured>,
  ) {}

  async start() {
    this.first.clear();
    this.last.clear();
    this.members.clear();
    this.widest.clear();
    this.backends.clear();
    this.autovacuumWorkers.clear();
    this.started = performance.now();
    this.sampleServices(true);
    await this.sampleBackends(true);
    this.timer = setInterval(() => {
      this.sampleServices(false);
      void this.sampleBackends(false).catch(() => {});
    }, 1000);
  }

  async stop(): Promise<CpuReading<R>> {
    clearInterval(this.timer);
    this.sampleServices(false);
    await this.sampleBackends(false);
    const used = (pid: number) => (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
    const names = Object.keys(this.services) as R[];
    const service = Object.fromEntries(names.map((name) => [name, [...this.members.get(name)!].reduce((sum, pid) => sum + used(pid), 0)]));
    const processes = Object.fromEntries(names.map((name) => [name, this.widest.get(name)!]));
    let postgres = 0;
    let postgresAutovacuum = 0;
    for (const pid of this.backends) {
      postgres += used(pid);
      if (this.autovacuumWorkers.has(pid)) postgresAutovacuum += used(pid);
    }
    return {
      service: service as Record<R, number>,
      processes: processes as Record<R, number>,
      postgres,
      postgresAutovacuum,
      seconds: (performance.now() - this.started) / 1000,
    };
  }

  private sample(pid: number, baseline: boolean) {
    const value = cpuSeconds(pid);
    if (value === null) return;
    // A process first seen after the start began during the measurement: all its time counts.
    if (!this.first.has(pid)) this.first.set(pid, baseline ? value : 0);
    this.last.set(pid, value);
  }

  private sampleServices(baseline: boolean) {
    for (const [name, { pid, descendants }] of Object.entries(this.services) as [R, Measured][]) {
      const tree = descendants ? processTree(pid) : [pid];
      const members = this.members.get(name) ?? new Set();
      this.members.set(name, members);
      // A set's members, not helpers such as tsx's esbuild (whose CPU counts all the same).
      this.widest.set(name, Math.max(this.widest.get(name) ?? 0, membersOf(tree)));
      for (const pid of tree) {
        members.add(pid);
        this.sample(pid, baseline);
      }
    }
  }

  private async sampleBackends(baseline: boolean) {
    const { rows } = await this.admin.query<{ pid: number; backend_type: string }>(
      'SELECT pid, backend_type FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.database],
    );
    for (const { pid, backend_type } of rows) {
      this.backends.add(pid);
      if (backend_type === 'autovacuum worker') this.autovacuumWorkers.add(pid);
      this.sample(pid, baseline);
    }
  }
}
