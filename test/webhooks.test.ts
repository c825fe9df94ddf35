import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

const WEBHOOK_FIELDS = 'id url events description status disabledReason disabledAt createdAt updatedAt';
const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreateWebhookPayload { secret webhook { ${WEBHOOK_FIELDS} } }
    ... on ValidationError { message field }
  }
}`;
const GET = `query($id: ID!) { webhook(id: $id) { __typename ... on Webhook { ${WEBHOOK_FIELDS} } ... on NotFoundError { message } } }`;
const LIST = `query($first: Int, $after: String) {
  webhooks(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id url } } }
}`;

let service: TestService;
let key: string;

beforeAll(async () => {
  service = await startTestService();
  ({ key } = await service.newProject());
});

const create = async (input: Record<string, unknown>) => (await service.gql(key, CREATE, { input })).body.data!.createWebhook;

describe('createWebhook', () => {
  it('stores the webhook and returns a generated whsec_ secret once', async () => {
    const result = await create({ url: 'https://example.com/webhook', events: ['optimization.completed', 'vision.*'] });
    expect(result.__typename).toBe('CreateWebhookPayload');
    expect(result.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(result.secret.slice(6), 'base64')).toHaveLength(24);
    expect(result.webhook).toMatchObject({
      url: 'https://example.com/webhook',
      events: ['optimization.completed', 'vision.*'],
      status: 'ACTIVE',
      description: null,
      disabledReason: null,
    });
    expect(result.webhook.id).toMatch(/^wh_[0-9a-f]{16}$/);
    const fetched = (await service.gql(key, GET, { id: result.webhook.id })).body.data!.webhook;
    expect(fetched).toEqual({ __typename: 'Webhook', ...result.webhook });
    expect(JSON.stringify(fetched)).not.toContain(result.secret);
  });

  it('keeps a whsec_ secret of the caller, base64 after the prefix as Standard Webhooks reads it', async () => {
    const own = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    const result = await create({ url: 'https://example.com/own-whsec', events: ['*'], secret: own });
    expect(result).toMatchObject({ __typename: 'CreateWebhookPayload', secret: own });
  });

  it('keeps a secret the caller chose', async () => {
    const result = await create({ url: 'https://example.com/a', events: ['*'], secret: 'your-webhook-secret' });
    expect(result.secret).toBe('your-webhook-secret');
  });

  it.each([
    [{ url: 'not-a-url', events: ['*'] }, 'url', /absolute http\(s\) URL/],
    [{ url: 'https://example.com/a b', events: ['*'] }, 'url', /whitespace/],
    [{ url: 'ftp://example.com/x', events: ['*'] }, 'url', /http or https/],
    [{ url: 'https://user:pw@example.com/x', events: ['*'] }, 'url', /credentials/],
    [{ url: `https://example.com/${'a'.repeat(2048)}`, events: ['*'] }, 'url', /2048 characters/],
    [{ url: 'https://example.com/x', events: [] }, 'events', /at least one/],
    [{ url: 'https://example.com/x', events: ['vision.exploded'] }, 'events', /unknown event type "vision.exploded"/],
    [{ url: 'https://example.com/x', events: ['nothing.*'] }, 'events', /unknown event type "nothing.\*"/],
    [{ url: 'https://example.com/x', events: ['batch.progress', 'batch.progress'] }, 'events', /listed twice/],
    [{ url: 'https://example.com/x', events: ['*'], secret: 'short' }, 'secret', /secret is 5 characters; it must be at least 16, since .* guesses of a short secret offline/],
    [{ url: 'https://example.com/x', events: ['*'], secret: 'fifteen-chars!!' }, 'secret', /at least 16/],
    [{ url: 'https://example.com/x', events: ['*'], secret: 's'.repeat(257) }, 'secret', /at most 256/],
    [{ url: 'https://example.com/x', events: ['*'], secret: 'whsec_given-secret-1' }, 'secret', /whsec_, so the rest must be base64/],
    [{ url: 'https://example.com/x', events: ['*'], description: 'd'.repeat(501) }, 'description', /500/],
  ])('rejects %j with a ValidationError on %s', async (input, field, message) => {
    const before = (await service.gql(key, LIST, {})).body.data.webhooks.totalCount;
    const result = await create(input);
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
    expect((await service.gql(key, LIST, {})).body.data.webhooks.totalCount).toBe(before);
  });
});

describe('updating, enabling, disabling, rotating and deleting', () => {
  it('updates only the given fields', async () => {
    const { webhook } = await create({ url: 'https://example.com/old', events: ['vision.completed'], description: 'x' });
    const UPDATE = `mutation($id: ID!, $input: UpdateWebhookInput!) {
      updateWebhook(id: $id, input: $input) { __typename ... on Webhook { ${WEBHOOK_FIELDS} } ... on ValidationError { field } }
    }`;
    const updated = (await service.gql(key, UPDATE, { id: webhook.id, input: { url: 'https://example.com/new' } })).body
      .data.updateWebhook;
    expect(updated).toMatchObject({ url: 'https://example.com/new', events: ['vision.completed'], description: 'x' });
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(webhook.updatedAt).getTime());
    const invalid = (await service.gql(key, UPDATE, { id: webhook.id, input: { events: ['bogus'] } })).body.data;
    expect(invalid.updateWebhook).toEqual({ __typename: 'ValidationError', field: 'events' });
  });

  it('disables with a reason and enables again', async () => {
    const { webhook } = await create({ url: 'https://example.com/t', events: ['*'] });
    const TOGGLE = (m: string) =>
      `mutation($id: ID!) { ${m}(id: $id) { __typename ... on Webhook { status disabledReason disabledAt } } }`;
    const disabled = (await service.gql(key, TOGGLE('disableWebhook'), { id: webhook.id })).body.data.disableWebhook;
    expect(disabled.status).toBe('DISABLED');
    expect(disabled.disabledReason).toMatch(/by hand/);
    expect(disabled.disabledAt).not.toBeNull();
    const enabled = (await service.gql(key, TOGGLE('enableWebhook'), { id: webhook.id })).body.data.enableWebhook;
    expect(enabled).toEqual({ __typename: 'Webhook', status: 'ACTIVE', disabledReason: null, disabledAt: null });
  });

  it('rotates the secret', async () => {
    const { webhook, secret } = await create({ url: 'https://example.com/r', events: ['*'] });
    const ROTATE = `mutation($id: ID!) { rotateWebhookSecret(id: $id) { __typename ... on RotateWebhookSecretPayload { secret webhook { id } } } }`;
    const rotated = (await service.gql(key, ROTATE, { id: webhook.id })).body.data.rotateWebhookSecret;
    expect(rotated.webhook.id).toBe(webhook.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
  });

  it('deletes, after which the id is unknown', async () => {
    const { webhook } = await create({ url: 'https://example.com/d', events: ['*'] });
    const DELETE = `mutation($id: ID!) { deleteWebhook(id: $id) { __typename ... on DeleteWebhookPayload { deletedWebhookId } ... on NotFoundError { message } } }`;
    expect((await service.gql(key, DELETE, { id: webhook.id })).body.data.deleteWebhook).toEqual({
      __typename: 'DeleteWebhookPayload',
      deletedWebhookId: webhook.id,
    });
    expect((await service.gql(key, GET, { id: webhook.id })).body.data.webhook.__typename).toBe('NotFoundError');
    expect((await service.gql(key, DELETE, { id: webhook.id })).body.data.deleteWebhook.__typename).toBe('NotFoundError');
  });
});

describe('webhooks connection', () => {
  it('pages newest first with a total count', async () => {
    const { key: own } = await service.newProject();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await service.gql(own, CREATE, { input: { url: `https://example.com/${i}`, events: ['*'] } });
      created.push(r.body.data.createWebhook.webhook.id);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await service.gql(own, LIST, { first: 2, after })).body.data.webhooks;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe('eventTypes', () => {
  it('lists every event type of the spec with a description and an example', async () => {
    const types = (await service.gql(key, '{ eventTypes { type description example } }')).body.data.eventTypes;
    const names = types.map((t: { type: string }) => t.type);
    for (const name of ['optimization.completed', 'vision.completed', 'batch.progress', 'training.progress', 'model.deprecated', 'webhook.test']) {
      expect(names).toContain(name);
    }
    const batch = types.find((t: { type: string }) => t.type === 'batch.progress');
    expect(batch.description).toBe('Batch analysis progress update');
    expect(batch.example).toMatchObject({ total_images: 100, processed_images: 75, progress_percent: 75 });
  });
});
