// CPU time from /proc/<pid>/stat (utime + stime), for the service processes and for the Postgres backends serving
// the benchmark's database (found through pg_stat_activity, sampled every second so backends that come and go
// are counted up to their last sample). Autovacuum workers of that database count as Postgres too, and are also
// reported on their own: they do the deferred part of the writes (dead rows, index entries, statistics).
import { readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds the process has used so far, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds over a measurement: each named process's (`R`: its names), the Postgres backends', and its length. */
export type CpuReading<R extends string = string> = { service: Record<R, number>; postgres: number; postgresAutovacuum: number; seconds: number };

export class CpuMeter<R extends string = string> {
  private timer: NodeJS.Timeout | undefined;
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly backends = new Set<number>();
  private readonly autovacuumWorkers = new Set<number>();
  private started = 0;

  constructor(
    private readonly admin: pg.Client,
    private readonly database: string,
    private readonly services: Record<R, number>,
  ) {}

  async start() {
    this.first.clear();
    this.last.clear();
    this.backends.clear();
    this.autovacuumWorkers.clear();
    this.started = performance.now();
    for (const pid of Object.values<number>(this.services)) this.sample(pid, true);
    await this.sampleBackends(true);
    this.timer = setInterval(() => void this.sampleBackends(false).catch(() => {}), 1000);
  }

  async stop(): Promise<CpuReading<R>> {
    clearInterval(this.timer);
    await this.sampleBackends(false);
    const used = (pid: number) => {
      this.sample(pid, false);
      return (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
    };
    const service = Object.fromEntries(Object.entries<number>(this.services).map(([name, pid]) => [name, used(pid)])) as Record<R, number>;
    const backendUsed = (pid: number) => (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
    let postgres = 0;
    let postgresAutovacuum = 0;
    for (const pid of this.backends) {
      postgres += backendUsed(pid);
      if (this.autovacuumWorkers.has(pid)) postgresAutovacuum += backendUsed(pid);
    }
    return { service, postgres, postgresAutovacuum, seconds: (performance.now() - this.started) / 1000 };
  }

  private sample(pid: number, baseline: boolean) {
    const value = cpuSeconds(pid);
    if (value === null) return;
    // A backend first seen after the start began during the measurement: all its time counts.
    if (!this.first.has(pid)) this.first.set(pid, baseline ? value : 0);
    this.last.set(pid, value);
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
