// Projects (tenants) and their API keys, managed with a platform key. Every rule lives in ProjectService
// (src/app/projects.ts).
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import type { ApiKey as ApiKeyRow } from '../../app/projects.js';
import { builder } from '../builder.js';

export const Project = builder.prismaObject('Project', {
  description: "A tenant: its keys, webhooks, events and deliveries are its own. Managed with the scope platform.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'prj_ followed by 16 hex characters' }),
    name: t.exposeString('name', { description: 'Unique' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey').implement({
  description: 'A key of a project; never the key itself (only its hash is stored).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'key_ followed by 16 hex characters' }),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to recognise it' }),
    scopes: t.exposeStringList('scopes', { description: 'What the key may do' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    projectId: t.exposeID('projectId'),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: ApiKeyRow; key: string }>('CreateApiKeyPayload').implement({
  description: 'The new key',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (p) => p.apiKey }),
    key: t.exposeString('key', { description: 'The key, for Authorization: Bearer; store it now, it is not shown again' }),
  }),
});

const DeleteProjectPayload = builder.objectRef<{ deletedProjectId: string }>('DeleteProjectPayload').implement({
  fields: (t) => ({ deletedProjectId: t.exposeID('deletedProjectId') }),
});

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({ name: t.string({ required: true, description: 'Unique, at most 100 characters' }) }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ description: 'A label, at most 100 characters; "default" when omitted' }),
    scopes: t.stringList({ description: "What the key may do; every project scope when omitted. Only scopes the caller's key holds" }),
  }),
});

builder.queryFields((t) => ({
  projects: t.prismaConnection(
    {
      type: 'Project',
      cursor: 'id',
      description: 'Every project, oldest first (needs the scope platform)',
      resolve: (query, _root, _args, ctx) => ctx.projects.list(ctx.principal, query),
      totalCount: (_parent, _args, ctx) => ctx.projects.count(ctx.principal),
    },
    {},
  ),
  apiKeys: t.field({
    type: [ApiKey],
    description: "A project's keys, oldest first (needs the scope platform)",
    args: { projectId: t.arg.id({ required: true }) },
    resolve: (_root, { projectId }, ctx) => ctx.projects.listKeys(ctx.principal, String(projectId)),
  }),
}));

builder.mutationFields((t) => ({
  createProject: t.field({
    type: Project,
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) => ctx.projects.create(ctx.principal, input),
  }),
  renameProject: t.field({
    type: Project,
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    errors: { types: [ValidationError, NotFoundError, ConflictError, ForbiddenError], directResult: true },
    resolve: (_root, { id, name }, ctx) => ctx.projects.rename(ctx.principal, String(id), { name }),
  }),
  deleteProject: t.field({
    type: DeleteProjectPayload,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ConflictError, ForbiddenError], directResult: true },
    resolve: async (_root, { id }, ctx) => {
      const deleted = await ctx.projects.delete(ctx.principal, String(id));
      return { deletedProjectId: deleted.id };
    },
  }),
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    args: { projectId: t.arg.id({ required: true }), input: t.arg({ type: CreateApiKeyInput }) },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { projectId, input }, ctx) => ctx.projects.createKey(ctx.principal, String(projectId), input ?? {}),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    description: 'Revokes a key at once: requests with it are refused, its open sockets and streams end',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { id }, ctx) => ctx.projects.revokeKey(ctx.principal, String(id)),
  }),
}));
