// Project and key use cases for a platform principal: create, list, rename and delete projects; create, list and
// revoke a project's keys. Every one needs the scope `platform`; a new key's scopes must be known and held by the
// caller. The key itself leaves only through createKey (only its hash is stored: src/auth/api-keys.ts). Every write
// records itself in the project's audit trail (src/app/audit.ts) in its own transaction.
import type pg from 'pg';
import type { ApiKeyStore, Principal } from '../auth/api-keys.js';
import type { ApiKeyRow } from '../db/sql/api-keys.js';
import type { Db } from '../db/prisma.js';
import { inTransaction } from '../db/transaction.js';
import { Prisma, type Project } from '../generated/prisma/client.js';
import { newId } from '../lib/ids.js';
import { textProblem } from '../lib/text.js';
import { CASCADING_DELETE, type AuditLog } from './audit.js';
import { authorize, authorizeGrant, PROJECT_SCOPES, validateScopes } from './authorization.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';

/** A key as listings show it (never the key itself). */
export type ApiKey = ApiKeyRow;

export const MAX_PROJECT_NAME_LENGTH = 100;
export const MAX_API_KEY_NAME_LENGTH = 100;

/** A page of projects: Prisma's paging (take, skip, cursor) and, from GraphQL, the selection it asks for. */
export type ProjectPage = Omit<Prisma.ProjectFindManyArgs, 'where' | 'orderBy'>;

/** Projects are listed oldest first. */
const OLDEST_FIRST = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.ProjectOrderByWithRelationInput[];

export type CreateApiKeyInput = { name?: string | null; scopes?: readonly string[] | null };

/** A name: not blank, at most `max` characters, storable text. */
function validateName(field: string, value: string, max: number): string {
  const name = value.trim();
  if (!name) throw new ValidationError(field, (f) => `${f} must not be empty`);
  if (name.length > max) throw new ValidationError(field, (f) => `${f} must be at most ${max} characters`);
  const problem = textProblem(name);
  if (problem) throw new ValidationError(field, (f) => `${f}: ${problem}`);
  return name;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

export type ProjectServiceDeps = { db: Db; pool: pg.Pool; apiKeys: ApiKeyStore; audit: AuditLog };

/** The trail an entry about a project or one of its keys goes to: that project's. */
const project = (id: string) => ({ type: 'project', id, projectId: id }) as const;
const apiKey = (key: Pick<ApiKeyRow, 'id' | 'projectId'>) => ({ type: 'api_key', id: key.id, projectId: key.projectId }) as const;

export class ProjectService {
  constructor(private readonly deps: ProjectServiceDeps) {}

  list(principal: Principal, page: ProjectPage = {}): Promise<Project[]> {
    authorize(principal, 'platform', 'Listing projects');
    return this.deps.db.project.findMany({ ...page, orderBy: OLDEST_FIRST });
  }

  count(principal: Principal): Promise<number> {
    authorize(principal, 'platform', 'Listing projects');
    return this.deps.db.project.count();
  }

  create(principal: Principal, input: { name: string }): Promise<Project> {
    authorize(principal, 'platform', 'Creating a project');
    const name = validateName('name', input.name, MAX_PROJECT_NAME_LENGTH);
    return this.uniqueName(name, () =>
      this.deps.db.$transaction(async (tx) => {
        const created = await tx.project.create({ data: { id: newId('prj'), name } });
        await this.deps.audit.record(principal, 'project.created', project(created.id), { name }, tx);
        return created;
      }),
    );
  }

  async rename(principal: Principal, id: string, input: { name: string }): Promise<Project> {
    authorize(principal, 'platform', 'Renaming a project');
    const name = validateName('name', input.name, MAX_PROJECT_NAME_LENGTH);
    return this.uniqueName(name, () =>
      this.deps.db.$transaction(async (tx) => {
        const before = await this.projectOf(id, tx);
        const renamed = await tx.project.update({ where: { id }, data: { name } });
        await this.deps.audit.record(principal, 'project.renamed', project(id), { from: before.name, to: name }, tx);
        return renamed;
      }),
    );
  }

  /**
   * Deletes the project with its keys, webhooks, events, deliveries and job states; returns it as it was. The project
   * of the key making the call is refused (ConflictError): it would delete that key.
   */
  async delete(principal: Principal, id: string): Promise<Project> {
    authorize(principal, 'platform', 'Deleting a project');
    const deleted = await this.projectOf(id);
    const [own] = await this.deps.apiKeys.list({ id: principal.apiKeyId });
    if (own?.projectId === id) throw new ConflictError('A key cannot delete the project it belongs to');
    return this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.project.deleteMany({ where: { id } });
      if (count === 0) throw new NotFoundError(`No project with id ${id}`);
      // The trail outlives the project (audit_events has no foreign key): this entry says who deleted it.
      await this.deps.audit.record(principal, 'project.deleted', project(id), { name: deleted.name }, tx);
      return deleted;
    }, CASCADING_DELETE);
  }

  /** A new key in the project, with the given scopes (every project scope by default); the key is shown only here. */
  async createKey(
    principal: Principal,
    projectId: string,
    input: CreateApiKeyInput = {},
  ): Promise<{ key: string; apiKey: ApiKeyRow }> {
    authorize(principal, 'platform', 'Creating an API key');
    const name = input.name == null ? 'default' : validateName('name', input.name, MAX_API_KEY_NAME_LENGTH);
    const scopes = input.scopes == null ? [...PROJECT_SCOPES] : validateScopes(input.scopes);
    authorizeGrant(principal, scopes);
    await this.projectOf(projectId);
    try {
      return await inTransaction(this.deps.pool, async (tx) => {
        const created = await this.deps.apiKeys.createInProject(projectId, name, scopes, tx);
        await this.deps.audit.recordIn(tx, principal, 'api_key.created', apiKey(created.apiKey), { name, scopes });
        return created;
      });
    } catch (error) {
      // The project was deleted since it was read: a foreign-key violation.
      if ((error as { code?: string }).code === '23503') throw new NotFoundError(`No project with id ${projectId}`);
      throw error;
    }
  }

  /** A project's keys, oldest first: never the keys themselves. */
  async listKeys(principal: Principal, projectId: string): Promise<ApiKeyRow[]> {
    authorize(principal, 'platform', 'Listing API keys');
    await this.projectOf(projectId);
    return this.deps.apiKeys.list({ projectId });
  }

  /**
   * Revokes a key at once (its open sessions end on every API process), only in `projectId` when given; returns it
   * revoked. NotFoundError for a key that does not exist there or is revoked already.
   */
  async revokeKey(principal: Principal, id: string, projectId?: string): Promise<ApiKeyRow> {
    authorize(principal, 'platform', 'Revoking an API key');
    if (projectId !== undefined) await this.projectOf(projectId);
    const { apiKeys, audit } = this.deps;
    return inTransaction(this.deps.pool, async (tx) => {
      if (!(await apiKeys.revoke(id, projectId, tx))) throw new NotFoundError(`No active API key with id ${id}`);
      const [revoked] = await apiKeys.list({ id }, tx);
      await audit.recordIn(tx, principal, 'api_key.revoked', apiKey(revoked!), { name: revoked!.name });
      return revoked!;
    });
  }

  private async projectOf(id: string, db: Prisma.TransactionClient = this.deps.db): Promise<Project> {
    const found = await db.project.findUnique({ where: { id } });
    if (!found) throw new NotFoundError(`No project with id ${id}`);
    return found;
  }

  private async uniqueName(name: string, write: () => Promise<Project>): Promise<Project> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A project named ${JSON.stringify(name)} exists already`, 'name');
      throw error;
    }
  }
}
