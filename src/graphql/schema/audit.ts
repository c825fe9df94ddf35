// A project's audit trail, read with a platform key. Every rule lives in AuditLog (src/app/audit.ts).
import { builder } from '../builder.js';

builder.prismaObject('AuditEvent', {
  description: 'One write made through the API, and the key that made it',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'aud_ followed by 16 hex characters' }),
    action: t.exposeString('action', { description: 'What was done: webhook.created, delivery.retried, project.renamed, api_key.revoked, ...' }),
    resourceType: t.exposeString('resourceType', { description: 'webhook, delivery, recovery, event, project or api_key' }),
    resourceId: t.exposeString('resourceId'),
    apiKeyId: t.exposeID('apiKeyId', { description: 'The key that did it (or that minted the token that did it)' }),
    details: t.expose('details', { type: 'JSON', description: 'What changed; never a secret, a key or a token' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.prismaConnection(
    {
      type: 'AuditEvent',
      cursor: 'id',
      description:
        "A project's audit trail, newest first (needs the scope platform): every write made through the API, not the events published. A deleted project's trail can still be read",
      args: { projectId: t.arg.id({ required: true }) },
      resolve: (query, _root, { projectId }, ctx) => ctx.audit.list(ctx.principal, String(projectId), query),
    },
    {},
  ),
}));
