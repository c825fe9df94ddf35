// /v1/webhooks: the spec's register, list, update and delete calls, and the dashboard's test, enable, disable
// and rotate-secret actions. Every rule lives in WebhookService (src/app/webhooks.ts); this module maps HTTP to it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { deliveryJson, KIND_OF, offsetPageJson, webhookJson } from './serializers.js';
import {
  bodyErrors,
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  errors,
  json,
  ListQuery,
  RotatedWebhook,
  RotateSecretBody,
  UpdateWebhookBody,
  Webhook,
  WebhookList,
  WebhookParams,
} from './schemas.js';

const tags = ['Webhooks'];

type EndpointControlsBody = {
  rate_limit_per_second?: number | null;
  headers?: Record<string, string | null> | null;
  propagate_trace_context?: boolean | null;
};

/** The endpoint controls of a create or update body, as the service names them (a header object becomes its list). */
const endpointControls = <B extends EndpointControlsBody>({
  rate_limit_per_second,
  headers,
  propagate_trace_context,
  ...rest
}: B) => ({
  ...rest,
  ...(rate_limit_per_second !== undefined && { rateLimitPerSecond: rate_limit_per_second }),
  ...(headers !== undefined && {
    headers: headers && Object.entries(headers).map(([name, value]) => ({ name, value })),
  }),
  ...(propagate_trace_context !== undefined && { propagateTraceContext: propagate_trace_context }),
});

export const webhookRoutes =
  ({ webhooks }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/webhooks', {
      schema: {
        operationId: 'createWebhook',
        summary: 'Register a webhook',
        tags,
        body: CreateWebhookBody,
        response: { 201: json('The new webhook', CreatedWebhook), ...errors(...bodyErrors) },
      },
      handler: async (req, reply) => {
        const { kind, ...input } = req.body;
        const { webhook, secret } = await webhooks.create(principalOf(req), { ...endpointControls(input), kind: kind && KIND_OF[kind] });
        // A secret the caller chose is not echoed back; a generated one is shown this once.
        const generated = req.body.secret == null;
        return reply.code(201).send({ ...webhookJson(webhook), ...(generated && { secret }) });
      },
    });

    app.get('/webhooks', {
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhooks, newest first',
        tags,
        querystring: ListQuery,
        response: { 200: json('A page of webhooks', WebhookList), ...errors(422) },
      },
      handler: async (req) => {
        const principal = principalOf(req);
        return offsetPageJson('webhooks', req.query, (page) => webhooks.list(principal, page), () => webhooks.count(principal), webhookJson);
      },
    });

    app.get('/webhooks/:id', {
      schema: {
        operationId: 'getWebhook',
        summary: 'Get a webhook',
        tags,
        params: WebhookParams,
        response: { 200: json('The webhook', Webhook), ...errors(404) },
      },
      handler: async (req) => webhookJson(await webhooks.get(principalOf(req), req.params.id)),
    });

    app.put('/webhooks/:id', {
      schema: {
        operationId: 'updateWebhook',
        summary: 'Update a webhook',
        description:
          'Changes any of `url`, `events`, `description`, `filter`, `rate_limit_per_second`, `headers` and `propagate_trace_context`; fields left out keep their value, a null `description` or `filter` clears it.',
        tags,
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: json('The updated webhook', Webhook), ...errors(404, ...bodyErrors) },
      },
      handler: async (req) =>
        webhookJson(await webhooks.update(principalOf(req), req.params.id, endpointControls(req.body))),
    });

    app.delete('/webhooks/:id', {
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook and its delivery history',
        tags,
        params: WebhookParams,
        response: { 204: z.undefined().describe('Deleted'), ...errors(404) },
      },
      handler: async (req, reply) => {
        await webhooks.delete(principalOf(req), req.params.id);
        return reply.code(204).send();
      },
    });

    app.post('/webhooks/:id/test', {
      schema: {
        operationId: 'testWebhook',
        summary: 'Send a test event',
        description:
          'Queues a `webhook.test` event for this webhook alone, whatever its subscriptions or status (a disabled webhook gets it too, as a single attempt); the delivery shows the outcome.',
        tags,
        params: WebhookParams,
        response: { 202: json('The queued test delivery', Delivery), ...errors(404) },
      },
      handler: async (req, reply) =>
        reply.code(202).send(deliveryJson(await webhooks.test(principalOf(req), req.params.id))),
    });

    app.post('/webhooks/:id/enable', {
      schema: {
        operationId: 'enableWebhook',
        summary: 'Enable a webhook',
        description: 'A webhook disabled by hand or after exhausting its retries receives events again.',
        tags,
        params: WebhookParams,
        response: { 200: json('The webhook, active', Webhook), ...errors(404) },
      },
      handler: async (req) => webhookJson(await webhooks.enable(principalOf(req), req.params.id)),
    });

    app.post('/webhooks/:id/disable', {
      schema: {
        operationId: 'disableWebhook',
        summary: 'Disable a webhook',
        tags,
        params: WebhookParams,
        response: { 200: json('The webhook, disabled', Webhook), ...errors(404) },
      },
      handler: async (req) => webhookJson(await webhooks.disable(principalOf(req), req.params.id)),
    });

    app.post('/webhooks/:id/rotate-secret', {
      schema: {
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description:
          'Generates a new secret. Deliveries are signed with the old one too until the grace period ends. The body is optional.',
        tags,
        params: WebhookParams,
        body: RotateSecretBody,
        'x-body-optional': true,
        response: { 200: json('The webhook and its new secret', RotatedWebhook), ...errors(404, ...bodyErrors) },
      },
      handler: async (req) => {
        const { webhook, secret } = await webhooks.rotateSecret(
          principalOf(req),
          req.params.id,
          req.body?.grace_period_seconds,
        );
        return { ...webhookJson(webhook), secret };
      },
    });
  };
