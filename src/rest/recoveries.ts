// /v1/webhooks/{id}/recover and /v1/recoveries/{recovery_id}: bulk recovery of a webhook's window, and its progress,
// through RecoveryService.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { STATUS_FILTER } from './deliveries.js';
import { recoveryJson } from './serializers.js';
import { bodyErrors, errors, json, RecoverBody, Recovery, RecoveryParams, WebhookParams } from './schemas.js';

const tags = ['Deliveries'];

export const recoveryRoutes =
  ({ recoveries }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/webhooks/:id/recover', {
      schema: {
        operationId: 'recoverDeliveries',
        summary: "Attempt again every delivery of a webhook's window",
        description:
          'Every delivery of the webhook created from `since` (included) to `until` (excluded) with one of `statuses` is attempted again, in the background at `RECOVERY_RATE_PER_SECOND`. The same window and statuses again answer the same recovery. `deliveries` says how many matched; follow `requeued` on `GET /v1/recoveries/{recovery_id}`.',
        tags,
        params: WebhookParams,
        body: RecoverBody,
        response: { 202: json('Accepted; the recovery runs in the background', Recovery), ...errors(404, ...bodyErrors) },
      },
      handler: async (req, reply) => {
        const { since, until, statuses } = req.body;
        const recovery = await recoveries.recover(principalOf(req), req.params.id, {
          since: new Date(since),
          until: new Date(until),
          statuses: statuses?.map((status) => STATUS_FILTER[status]),
        });
        return reply.code(202).send(recoveryJson(recovery));
      },
    });

    app.get('/recoveries/:recovery_id', {
      schema: {
        operationId: 'getRecovery',
        summary: "A recovery's progress",
        tags,
        params: RecoveryParams,
        response: { 200: json('The recovery', Recovery), ...errors(404) },
      },
      handler: async (req) => recoveryJson(await recoveries.get(principalOf(req), req.params.recovery_id)),
    });
  };
