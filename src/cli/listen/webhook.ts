// The LISTEN webhook a `listen` command receives for. A webhook has no name field: the listener's name (`--name`,
// `listen:<hostname>` by default) is its `description`, and the project's LISTEN webhook with that description is
// reused, so restarting `listen` keeps the same webhook, secret and deliveries log. Reusing never rotates the
// secret unless asked (`--rotate-secret`): the secret is shown when the webhook is created or rotated, never again.
import { operations as op, type Webhook, type WebhooksClient } from '../../../client/src/index.js';
import { unwrap } from '../../../client/src/errors.js';

export type ListenWebhook = {
  webhook: Webhook;
  /** The signing secret, when it was made now (created, or rotated on request); null when reused as it is. */
  secret: string | null;
  created: boolean;
};

async function findByName(client: WebhooksClient, name: string): Promise<Webhook | undefined> {
  for (let after: string | undefined; ; ) {
    const page = await client.webhooks.list({ first: 100, ...(after !== undefined && { after }) });
    const found = page.nodes.find((webhook) => webhook.kind === 'LISTEN' && webhook.description === name);
    if (found || !page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return found;
    after = page.pageInfo.endCursor;
  }
}

/**
 * The project's LISTEN webhook named `name`, created for `events` (every event when none are given) if there is
 * none. A reused webhook takes `events` when they are given and differ; `rotateSecret` gives it a new secret (the
 * old one stops signing at once).
 */
export async function listenWebhook(
  client: WebhooksClient,
  { name, events, rotateSecret }: { name: string; events: string[] | null; rotateSecret: boolean },
): Promise<ListenWebhook> {
  const existing = await findByName(client, name);
  if (!existing) {
    const input = { kind: 'LISTEN' as const, events: events ?? ['*'], description: name };
    const { webhook, secret } = unwrap((await client.request(op.CreateWebhookDocument, { input })).createWebhook);
    return { webhook, secret, created: true };
  }
  let webhook = existing;
  if (events && events.join(',') !== webhook.events.join(',')) webhook = await client.webhooks.update(webhook.id, { events });
  if (!rotateSecret) return { webhook, secret: null, created: false };
  const rotated = await client.webhooks.rotateSecret(webhook.id, { gracePeriodSeconds: 0 });
  return { webhook: rotated.webhook, secret: rotated.secret, created: false };
}
