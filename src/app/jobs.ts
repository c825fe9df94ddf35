// Job use cases for a principal: a job's latest state, and following it live (its state, or its events). A token
// restricted to some jobs reaches only those (src/app/ownership.ts, `reachJob`).
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import type { Event, JobState } from '../generated/prisma/client.js';
import type { LiveUpdates } from '../live/updates.js';
import { authorize } from './authorization.js';
import { NotFoundError } from './errors.js';
import { eventOf, reachJob, subscriberOf, type EventSelection, type LiveCaller } from './ownership.js';

export class JobService {
  constructor(private readonly deps: { db: Db; live: LiveUpdates }) {}

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
  states(caller: LiveCaller, jobId: string): AsyncIterableIterator<JobState> {
    authorize(caller.principal, 'jobs:read', "Following a job's progress");
    reachJob(caller.principal, jobId);
    return this.deps.live.jobStates(subscriberOf(caller), jobId);
  }

  /** The job's latest event, then each later one in publish order; ends after a terminal event. */
  events(caller: LiveCaller, jobId: string): AsyncIterableIterator<Event> {
    authorize(caller.principal, 'jobs:read', "Following a job's events");
    reachJob(caller.principal, jobId);
    return this.deps.live.jobEvents(subscriberOf(caller), jobId);
  }
}
