// Caps on live subscriptions held by this process: per transport connection (one graphql-ws socket, or one SSE
// request) and per project. Each subscription takes a slot when it starts and gives it back when it ends.
import { SubscriptionLimitError } from '../app/errors.js';

export type SubscriptionLimitSettings = { perConnection: number; perProject: number };

export class SubscriptionLimits {
  private readonly byConnection = new WeakMap<object, number>();
  private readonly byProject = new Map<string, number>();

  constructor(private readonly settings: SubscriptionLimitSettings) {}

  /** Takes a slot or throws a SubscriptionLimitError naming the limit; the returned function gives the slot back (once). */
  acquire(connection: object, projectId: string): () => void {
    const onConnection = this.byConnection.get(connection) ?? 0;
    const inProject = this.byProject.get(projectId) ?? 0;
    if (onConnection >= this.settings.perConnection) {
      throw new SubscriptionLimitError(
        `Too many subscriptions on this connection: at most ${this.settings.perConnection} at once ` +
          '(MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first or open another connection',
        'connection',
        this.settings.perConnection,
      );
    }
    if (inProject >= this.settings.perProject) {
      throw new SubscriptionLimitError(
        `Too many subscriptions for this project: at most ${this.settings.perProject} at once per server ` +
          '(MAX_SUBSCRIPTIONS_PER_PROJECT); complete one first',
        'project',
        this.settings.perProject,
      );
    }
    this.byConnection.set(connection, onConnection + 1);
    this.byProject.set(projectId, inProject + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.byConnection.set(connection, (this.byConnection.get(connection) ?? 1) - 1);
      const left = (this.byProject.get(projectId) ?? 1) - 1;
      if (left > 0) this.byProject.set(projectId, left);
      else this.byProject.delete(projectId);
    };
  }
}
