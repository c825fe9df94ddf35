// Job use cases for a principal: a job's latest state, and following it live (its state, or its events, resumable
// from a position). A token restricted to some jobs reaches only those (src/app/ownership.ts, `reachJob`).
import type pg from 'pg';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import { jobEventsRetainedAfter } from '../db/sql/events.js';
import type { Event, JobState } from '../generated/prisma/client.js';
import { olderThanRetention } from '../live/positions.js';
import { jobSeqOfPosition, type LiveUpdates } from '../live/updates.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { eventOf, reachJob, subscriberOf, type EventSelection, type LiveCaller } from './ownership.js';

export class JobService {
  constructor(private readonly deps: { db: Db; pool: pg.Pool; live: LiveUpdates }) {}

  async get(principal: Principal, jobId: string): Promise<JobState> {
    authorize(principal, 'jobs:read', 'Reading a job');
    reachJob(principal, jobId);
    const job = await this.deps.db.jobState.findUnique({ where: { projectId_jobId: { projectId: principal.projectId, jobId } } });
    if (!job) throw new NotFoundError(`No job with id ${jobId}`);
    return job;
  }

  /** The job's latest event, or null once it is past retention. */
  lastEvent(principal: Principal, job: JobState, selection: EventSelection = {}): Promise<Event | null> {
    authorize(principal, 'jobs:read', 'Reading a job');
    reachJob(principal, job.jobId);
    return eventOf(this.deps.db, principal, job.lastEventId, selection);
  }

  /** The job's state now (if it has one), then each new state; ends after a terminal state. */
  states(caller: LiveCaller, jobId: string): Promise<AsyncIterableIterator<JobState>> {
    authorize(caller.principal, 'jobs:read', "Following a job's progress");
    reachJob(caller.principal, jobId);
    return this.deps.live.jobStates(subscriberOf(caller), jobId);
  }

  /**
   * The job's latest event, then each later one in publish order; with `after` (a message's position), every event
   * after it. Ends after a terminal event. A position of another job or project, ahead of the job, or whose
   * successors retention purged is refused (ValidationError on `after`), never read as "from the start".
   */
  async events(caller: LiveCaller, jobId: string, after?: string): Promise<AsyncIterableIterator<Event>> {
    authorize(caller.principal, 'jobs:read', "Following a job's events");
    reachJob(caller.principal, jobId);
    const seq = after === undefined ? undefined : await this.resumableAfter(caller.principal.projectId, jobId, after);
    return this.deps.live.jobEvents(subscriberOf(caller), jobId, seq);
  }

  /** The `jobSeq` a position resumes after, once it is known that every event after it is still there. */
  private async resumableAfter(projectId: string, jobId: string, after: string): Promise<number> {
    const seq = jobSeqOfPosition(projectId, jobId, after);
    const { current, retained } = await jobEventsRetainedAfter(this.deps.pool, projectId, jobId, seq);
    if (seq > current) throw new ValidationError('after', (f) => `${f} is ahead of the job's events: it is not a position this job's stream sent`);
    if (retained < current - seq) throw olderThanRetention();
    return seq;
  }
}
