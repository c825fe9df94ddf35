// Bulk recovery for a principal: attempt again every delivery of one webhook created in a window with one of some
// statuses (`recover`), and follow its progress (`get`). The workers re-queue the deliveries at a bounded rate
// (src/delivery/recovery/recovery-runner.ts); one window has one recovery, so asking again answers the first.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import { findRecoveryOfWindow, insertRecovery } from '../db/sql/recoveries.js';
import { inTransaction } from '../db/transaction.js';
import { queueRecoveryBatch } from '../delivery/recovery/recovery-runner.js';
import type { DeliveryStatus, Recovery } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import type { AuditLog } from './audit.js';
import { authorize } from './authorization.js';
import { NotFoundError, ValidationError } from './errors.js';
import { ofProject, ofWebhooks, webhookOf } from './ownership.js';
import { validateWindow } from './time-window.js';

/** What to recover: the deliveries created from `since` (included) to `until` (excluded) with one of `statuses`. */
export type RecoveryInput = { since: Date; until: Date; statuses?: DeliveryStatus[] | undefined };

/** The statuses in the enum's order: the key of a window. */
const STATUS_ORDER: DeliveryStatus[] = ['PENDING', 'SUCCESS', 'RETRYING', 'FAILED'];

function statusesOf(statuses: DeliveryStatus[] = ['FAILED']): DeliveryStatus[] {
  if (statuses.length === 0) throw new ValidationError('statuses', (f) => `${f} must name at least one status`);
  return STATUS_ORDER.filter((status) => statuses.includes(status));
}

export class RecoveryService {
  constructor(private readonly deps: { db: Db; pool: pg.Pool; boss: PgBoss; audit: AuditLog; retentionDays: number }) {}

  /**
   * Starts the recovery of the webhook's deliveries in the window with those statuses (FAILED by default), or answers
   * the one already started for the same window and statuses. Covers the deliveries created before it was asked for;
   * `total` says how many. Audited (`deliveries.recovered`) when it starts. NotFoundError for another project's
   * webhook, ValidationError (nothing written) for a window that holds nothing or no status.
   */
  async recover(principal: Principal, webhookId: string, input: RecoveryInput): Promise<Recovery> {
    authorize(principal, 'deliveries:write', 'Recovering deliveries');
    const { since, until } = input;
    validateWindow({ since, until }, this.deps.retentionDays);
    const statuses = statusesOf(input.statuses);
    const webhook = await webhookOf(this.deps.db, principal, webhookId);
    const window = { since, until, statuses };
    const { boss, pool } = this.deps;
    const started = await inTransaction(pool, async (tx) => {
      const recovery = await insertRecovery(tx, { id: newId('rcv'), projectId: principal.projectId, webhookId: webhook.id, ...window }).catch(
        (error: unknown) => {
          // The webhook was deleted meanwhile (its foreign key refused the row).
          if ((error as { code?: unknown } | null)?.code === '23503') throw new NotFoundError(`No webhook with id ${webhookId}`);
          throw error;
        },
      );
      if (!recovery) return null;
      await queueRecoveryBatch(boss, tx, recovery.id);
      await this.deps.audit.recordIn(tx, principal, 'deliveries.recovered', { type: 'recovery', id: recovery.id }, {
        webhook_id: webhook.id,
        since: since.toISOString(),
        until: until.toISOString(),
        statuses,
        total: recovery.total,
      });
      return recovery;
    });
    const recovery = started ?? (await findRecoveryOfWindow(pool, webhook.id, window));
    if (!recovery) throw new NotFoundError(`No webhook with id ${webhookId}`); // deleted, with its recovery, meanwhile
    return recovery;
  }

  /** The principal's recovery with that id (its progress), or NotFoundError. */
  async get(principal: Principal, id: string): Promise<Recovery> {
    authorize(principal, 'deliveries:read', 'Reading a recovery');
    const recovery = await this.deps.db.recovery.findFirst({
      where: { id, ...ofProject(principal), webhook: ofWebhooks(principal) },
    });
    if (!recovery) throw new NotFoundError(`No recovery with id ${id}`);
    return recovery;
  }
}
