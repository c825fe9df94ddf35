// The audit trail: every write a key makes through the application services leaves one entry naming that key (or the
// key that minted the token that made it), written in the transaction of the write, so a write that is refused or
// rolled back leaves none. A platform key lists a project's entries, newest first.
//
// Not audited, on purpose: publishing an event (the hot path; the stored event is its own record, and an entry per
// event would double every publish's writes), acknowledging a pull webhook's messages (its receiver's hot path; each
// settled delivery is its own record: src/app/messages.ts), and the CLI (it acts with the database's credentials,
// not with a key).
// Details say what changed and never carry a secret, a key or a token: a webhook's URL only by its origin (a path may
// hold a token, as Slack's do), a key only by its id, name and scopes.
import type { Principal } from '../auth/api-keys.js';
import type { Db } from '../db/prisma.js';
import { insertAuditEvent, type AuditEntry } from '../db/sql/audit-events.js';
import type { Queryable } from '../db/sql/queryable.js';
import type { AuditEvent, Prisma } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import { authorize } from './authorization.js';
import { olderThan, type OlderThan } from './paging.js';
import { NotFoundError } from './errors.js';

export const AUDIT_ACTIONS = [
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.enabled',
  'webhook.disabled',
  'webhook.secret_rotated',
  'webhook.tested',
  'delivery.retried',
  'deliveries.recovered',
  'event.replayed',
  'project.created',
  'project.renamed',
  'project.deleted',
  'api_key.created',
  'api_key.revoked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an entry is about; it shows in `projectId`'s trail (the principal's project unless given). */
export type AuditResource = {
  type: 'webhook' | 'delivery' | 'recovery' | 'event' | 'project' | 'api_key';
  id: string;
  projectId?: string;
};

/** What changed, as small JSON with snake_case keys (never a secret, a key or a token). */
export type AuditDetails = Record<string, Prisma.InputJsonValue | null>;

/** A page: Prisma's paging (take, skip, cursor), or `olderThan`, the last entry of the previous page. */
export type AuditPage = Omit<Prisma.AuditEventFindManyArgs, 'where' | 'orderBy'> & {
  olderThan?: OlderThan;
};

const NEWEST_FIRST = [{ createdAt: 'desc' }, { id: 'desc' }] satisfies Prisma.AuditEventOrderByWithRelationInput[];

/**
 * For a Prisma transaction that deletes with its cascade (a webhook's deliveries, a project's everything) and records
 * it: as long as the delete takes, not Prisma's 5 s default for interactive transactions.
 */
export const CASCADING_DELETE = { timeout: 10 * 60_000 } as const;

/** A webhook's URL as the trail shows it: scheme, host and port (a path or query may hold a token); null without one. */
export const urlOrigin = (url: string | null): string | null => (url === null ? null : new URL(url).origin);

function entryOf(principal: Principal, action: AuditAction, resource: AuditResource, details: AuditDetails): AuditEntry {
  return {
    id: newId('aud'),
    projectId: resource.projectId ?? principal.projectId,
    apiKeyId: principal.apiKeyId,
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    details,
  };
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Records an entry with Prisma: pass the write's transaction as `tx`, so the entry commits with the write. */
  async record(
    principal: Principal,
    action: AuditAction,
    resource: AuditResource,
    details: AuditDetails = {},
    tx: Prisma.TransactionClient = this.db,
  ): Promise<void> {
    const { details: json, ...entry } = entryOf(principal, action, resource, details);
    await tx.auditEvent.create({ data: { ...entry, details: json as Prisma.InputJsonObject } });
  }

  /** Records an entry in a pg transaction (`inTransaction`), beside the statements of src/db/sql/ it records. */
  recordIn(tx: Queryable, principal: Principal, action: AuditAction, resource: AuditResource, details: AuditDetails = {}) {
    return insertAuditEvent(tx, entryOf(principal, action, resource, details));
  }

  /**
   * A project's entries, newest first (needs `platform`). A deleted project's trail can still be read; NotFoundError
   * only for a project that neither exists nor has entries.
   */
  async list(principal: Principal, projectId: string, page: AuditPage = {}): Promise<AuditEvent[]> {
    authorize(principal, 'platform', "Listing a project's audit events");
    const { olderThan: after, ...paging } = page;
    const where: Prisma.AuditEventWhereInput = {
      projectId,
      ...olderThan(after, 'createdAt'),
    };
    const [entries, known] = await Promise.all([
      this.db.auditEvent.findMany({ ...paging, where, orderBy: NEWEST_FIRST }),
      this.projectKnown(projectId),
    ]);
    if (!known) throw new NotFoundError(`No project with id ${projectId}`);
    return entries;
  }

  private async projectKnown(projectId: string): Promise<boolean> {
    if (await this.db.project.findUnique({ where: { id: projectId }, select: { id: true } })) return true;
    return (await this.db.auditEvent.findFirst({ where: { projectId }, select: { id: true } })) !== null;
  }
}
