// The calls most test files make to set a scene (register a webhook, publish an event), through the typed client
// (client/src, as published) and its generated operations. A test whose subject is a GraphQL document, an error
// shape or an HTTP exchange writes that out itself.
import { createClient, operations, type PublishEventInput } from '../../client/src/index.js';

export type TestApi = ReturnType<typeof testApi>;

type KeysOf<T> = T extends unknown ? keyof T : never;
/**
 * A result union read as the JSON it is: every member's fields can be read on any member, undefined where it has
 * none (`result.field` on a payload), so a test can assert on `__typename` and the fields without narrowing first.
 */
export type Answer<T, All = T> = T extends unknown ? T & { [K in Exclude<KeysOf<All>, keyof T>]?: undefined } : never;

/** A webhook as registered: its id, and its signing secret (shown only at creation). */
export type CreatedWebhook = { id: string; secret: string };

/** The service's API as one project's key sees it (`service.newProject()` gives one with each new project). */
export function testApi(service: { httpUrl: string }, key: string) {
  const client = createClient({ url: `${service.httpUrl}/graphql`, apiKey: key, retryAttempts: 0 });

  /** The `createWebhook` answer as it came: the payload or the error refusing it (`__typename` says which). */
  const createWebhookResult = async (input: operations.CreateWebhookInput) =>
    (await client.request(operations.CreateWebhookDocument, { input })).createWebhook as Answer<
      operations.CreateWebhookMutation['createWebhook']
    >;

  /** The `publishEvent` answer as it came: the payload or the error refusing it (`__typename` says which). */
  const publishResult = async (type: string, data: Record<string, unknown>, idempotencyKey?: string) =>
    (await client.request(operations.PublishEventDocument, { input: { type, data, idempotencyKey } })).publishEvent as Answer<
      operations.PublishEventMutation['publishEvent']
    >;

  /**
   * Publishes; resolves to the stored event and how many deliveries it was given, and throws the client's error
   * (`ValidationError`, `ConflictError`, …) when refused. `data` is not checked against `type` here: tests publish
   * what they like.
   */
  const publish = (type: string, data: Record<string, unknown>, idempotencyKey?: string) =>
    client.events.publish({ type, data, idempotencyKey } as PublishEventInput);

  return {
    client,
    createWebhookResult,
    /** Registers a webhook (with `secret` as its signing secret when given); throws the client's error if refused. */
    createWebhook: async (url: string, events: string[], secret?: string): Promise<CreatedWebhook> => {
      const created = await client.webhooks.create({ url, events, ...(secret && { secret }) });
      return { id: created.webhook.id, secret: created.secret };
    },
    publishResult,
    publish,
    /** As `publish`, with the event's deliveries (one per matching active webhook) and the webhook of each. */
    publishWithDeliveries: async (type: string, data: Record<string, unknown>, idempotencyKey?: string) => {
      const { event, deliveryCount } = await publish(type, data, idempotencyKey);
      const { deliveries } = await client.events.get(event.id);
      return { event: { ...event, deliveries }, deliveryCount };
    },
  };
}
