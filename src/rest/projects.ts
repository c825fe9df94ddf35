// /v1/projects: a platform key manages tenants (create, list, rename, delete) and their keys (create, list, revoke),
// and reads a project's audit trail. Every rule lives in ProjectService (src/app/projects.ts) and AuditLog
// (src/app/audit.ts); this module maps HTTP to them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { cursorPage, decodeCursor } from './cursor.js';
import { apiKeyJson, auditEventJson, createdApiKeyJson, offsetPageJson, projectJson } from './serializers.js';
import {
  ApiKeyList,
  ApiKeyParams,
  AuditEventList,
  AuditEventQuery,
  bodyErrors,
  CreateApiKeyBody,
  CreatedApiKey,
  errors,
  json,
  ListQuery,
  Project,
  ProjectBody,
  ProjectList,
  ProjectParams,
} from './schemas.js';

const tags = ['Projects'];
const description = 'Needs a key with the scope `platform`.';

export const projectRoutes =
  ({ projects, audit }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/projects', {
      schema: {
        operationId: 'createProject',
        summary: 'Create a project',
        description,
        tags,
        body: ProjectBody,
        response: { 201: json('The new project', Project), ...errors(409, ...bodyErrors) },
      },
      handler: async (req, reply) => reply.code(201).send(projectJson(await projects.create(principalOf(req), req.body))),
    });

    app.get('/projects', {
      schema: {
        operationId: 'listProjects',
        summary: 'List projects, oldest first',
        description,
        tags,
        querystring: ListQuery,
        response: { 200: json('A page of projects', ProjectList), ...errors(422) },
      },
      handler: async (req) => {
        const principal = principalOf(req);
        return offsetPageJson('projects', req.query, (page) => projects.list(principal, page), () => projects.count(principal), projectJson);
      },
    });

    app.patch('/projects/:project_id', {
      schema: {
        operationId: 'renameProject',
        summary: 'Rename a project',
        description,
        tags,
        params: ProjectParams,
        body: ProjectBody,
        response: { 200: json('The renamed project', Project), ...errors(404, 409, ...bodyErrors) },
      },
      handler: async (req) => projectJson(await projects.rename(principalOf(req), req.params.project_id, req.body)),
    });

    app.delete('/projects/:project_id', {
      schema: {
        operationId: 'deleteProject',
        summary: 'Delete a project with its keys, webhooks, events and deliveries',
        description: `${description} A key cannot delete its own project (409).`,
        tags,
        params: ProjectParams,
        response: { 204: z.undefined().describe('Deleted'), ...errors(404, 409) },
      },
      handler: async (req, reply) => {
        await projects.delete(principalOf(req), req.params.project_id);
        return reply.code(204).send();
      },
    });

    app.post('/projects/:project_id/api-keys', {
      schema: {
        operationId: 'createApiKey',
        summary: 'Create a key for a project',
        description: `${description} The key is shown only in this answer. The body is optional.`,
        tags,
        params: ProjectParams,
        body: CreateApiKeyBody,
        'x-body-optional': true,
        response: { 201: json('The new key', CreatedApiKey), ...errors(404, ...bodyErrors) },
      },
      handler: async (req, reply) =>
        reply.code(201).send(createdApiKeyJson(await projects.createKey(principalOf(req), req.params.project_id, req.body ?? {}))),
    });

    app.get('/projects/:project_id/api-keys', {
      schema: {
        operationId: 'listApiKeys',
        summary: "List a project's keys, oldest first (never the keys themselves)",
        description,
        tags,
        params: ProjectParams,
        response: { 200: json("The project's keys", ApiKeyList), ...errors(404) },
      },
      handler: async (req) => ({
        api_keys: (await projects.listKeys(principalOf(req), req.params.project_id)).map(apiKeyJson),
      }),
    });

    app.delete('/projects/:project_id/api-keys/:api_key_id', {
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke a key at once',
        description: `${description} Requests with the key are refused from now on, and its open streams and sockets end.`,
        tags,
        params: ApiKeyParams,
        response: { 204: z.undefined().describe('Revoked'), ...errors(404) },
      },
      handler: async (req, reply) => {
        await projects.revokeKey(principalOf(req), req.params.api_key_id, req.params.project_id);
        return reply.code(204).send();
      },
    });

    app.get('/projects/:project_id/audit-events', {
      schema: {
        operationId: 'listAuditEvents',
        summary: "List a project's audit trail, newest first",
        description:
          `${description} Every write made through the API (webhooks, retries of deliveries, projects, keys) with the key ` +
          "that made it; publishing events is not listed (the event is its own record). Page with `limit` and `cursor` " +
          "(the previous page's `next_cursor`). A deleted project's trail can still be read.",
        tags,
        params: ProjectParams,
        querystring: AuditEventQuery,
        response: { 200: json('A page of audit events', AuditEventList), ...errors(404, 422) },
      },
      handler: async (req) => {
        const { limit, cursor } = req.query;
        const olderThan = cursor === undefined ? undefined : decodeCursor(cursor);
        const rows = await audit.list(principalOf(req), req.params.project_id, { take: limit + 1, olderThan });
        const { items, nextCursor } = cursorPage(rows, limit);
        return { audit_events: items.map(auditEventJson), next_cursor: nextCursor };
      },
    });
  };
