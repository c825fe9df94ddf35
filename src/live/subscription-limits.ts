// Caps on live subscriptions: per transport connection (one graphql-ws socket, or one SSE request), counted by the
// process that holds the connection, and per project, counted for the whole service: by this process when it runs
// alone, by the primary of a process set (src/process-set/) otherwise, which gives back the slots of a process
// that dies. Each subscription takes a slot when it starts and gives it back when it ends.
import cluster from 'node:cluster';
import { SubscriptionLimitError } from '../app/errors.js';
import { answerWorkers, askPrimary, tellPrimary } from '../process-set/ipc.js';

export type SubscriptionLimitSettings = { perConnection: number; perProject: number };

/** Where the per-project counts live: `take` grants a slot if fewer than `max` are held; `give` returns one. */
export type ProjectSlots = {
  take: (projectId: string, max: number) => Promise<boolean>;
  give: (projectId: string) => void;
};

/** Counts in a map: a lone process's own, or the primary's for its set. */
class SlotCounts {
  private readonly held = new Map<string, number>();

  take(projectId: string, max: number): boolean {
    const count = this.held.get(projectId) ?? 0;
    if (count >= max) return false;
    this.held.set(projectId, count + 1);
    return true;
  }

  give(projectId: string, slots = 1): void {
    const left = (this.held.get(projectId) ?? slots) - slots;
    if (left > 0) this.held.set(projectId, left);
    else this.held.delete(projectId);
  }
}

/** A lone process: the counts are its own. */
export function localProjectSlots(): ProjectSlots {
  const counts = new SlotCounts();
  return { take: async (projectId, max) => counts.take(projectId, max), give: (projectId) => counts.give(projectId) };
}

const TAKE = 'subscription-slot:take';
const GIVE = 'subscription-slot:give';

/** A process of a set: the primary counts (`keepSharedProjectSlots`). */
export function sharedProjectSlots(): ProjectSlots {
  return {
    take: (projectId, max) => askPrimary<boolean>(TAKE, { projectId, max }),
    give: (projectId) => tellPrimary(GIVE, { projectId }),
  };
}

/** In the primary of a set: counts every process's slots, and gives back those of a process that exits. */
export function keepSharedProjectSlots(): void {
  const counts = new SlotCounts();
  /** What each process of the set holds, by cluster worker id: given back when it exits. */
  const heldBy = new Map<number, Map<string, number>>();
  answerWorkers(TAKE, (worker, body) => {
    const { projectId, max } = body as { projectId: string; max: number };
    if (!counts.take(projectId, max)) return false;
    const held = heldBy.get(worker.id) ?? new Map<string, number>();
    held.set(projectId, (held.get(projectId) ?? 0) + 1);
    heldBy.set(worker.id, held);
    return true;
  });
  answerWorkers(GIVE, (worker, body) => {
    const { projectId } = body as { projectId: string };
    const held = heldBy.get(worker.id);
    const count = held?.get(projectId) ?? 0;
    if (count === 0) return;
    counts.give(projectId);
    if (count > 1) held!.set(projectId, count - 1);
    else held!.delete(projectId);
  });
  cluster.on('exit', (worker) => {
    for (const [projectId, count] of heldBy.get(worker.id) ?? []) counts.give(projectId, count);
    heldBy.delete(worker.id);
  });
}

export class SubscriptionLimits {
  private readonly byConnection = new WeakMap<object, number>();

  constructor(
    private readonly settings: SubscriptionLimitSettings,
    private readonly projects: ProjectSlots = localProjectSlots(),
  ) {}

  /**
   * Takes a slot or throws a SubscriptionLimitError naming the limit; resolves with the function that gives the slot
   * back (once).
   */
  async acquire(connection: object, projectId: string): Promise<() => void> {
    const onConnection = this.byConnection.get(connection) ?? 0;
    if (onConnection >= this.settings.perConnection) {
      throw new SubscriptionLimitError(
        `Too many subscriptions on this connection: at most ${this.settings.perConnection} at once ` +
          '(MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first or open another connection',
        'connection',
        this.settings.perConnection,
      );
    }
    // Held while the project's count is asked for, so subscriptions started together on one connection see it.
    this.byConnection.set(connection, onConnection + 1);
    const leaveConnection = () => this.byConnection.set(connection, (this.byConnection.get(connection) ?? 1) - 1);
    const granted = await this.projects.take(projectId, this.settings.perProject).catch((error: unknown) => {
      leaveConnection();
      throw error;
    });
    if (!granted) {
      leaveConnection();
      throw new SubscriptionLimitError(
        `Too many subscriptions for this project: at most ${this.settings.perProject} at once ` +
          '(MAX_SUBSCRIPTIONS_PER_PROJECT); complete one first',
        'project',
        this.settings.perProject,
      );
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      leaveConnection();
      this.projects.give(projectId);
    };
  }
}
