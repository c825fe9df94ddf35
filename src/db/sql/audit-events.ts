// audit_events: an entry written in the pg transaction of the write it records (a manual retry, a test event, a key
// created or revoked). Writes made through Prisma record theirs with Prisma in their own transaction
// (src/app/audit.ts).
import type { Queryable } from './queryable.js';

export type AuditEntry = {
  id: string;
  projectId: string;
  apiKeyId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  details: Record<string, unknown>;
};

export async function insertAuditEvent(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (id, project_id, api_key_id, action, resource_type, resource_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [entry.id, entry.projectId, entry.apiKeyId, entry.action, entry.resourceType, entry.resourceId, JSON.stringify(entry.details)],
  );
}
