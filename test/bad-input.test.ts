// Hostile and malformed input across GraphQL and REST: every case gets a 4xx or a typed error with a useful
// message, never a 5xx, and the database is left exactly as it was.
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_JOB_ID_LENGTH } from '../src/events/catalog.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../src/events/validate.js';
import { MAX_TOKENS } from '../src/graphql/limits.js';
import { MAX_JSON_DEPTH } from '../src/lib/text.js';
import { subscribeSse } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
let key: string;
let otherWebhookId: string;
let ownWebhookId: string;

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  __typename ... on CreateWebhookPayload { webhook { id } } ... on Error { message } ... on ValidationError { field } } }`;
const PUBLISH = `mutation($input: PublishEventInput!) { publishEvent(input: $input) {
  __typename ... on Error { message } ... on ValidationError { field } } }`;

/** What the service logged at error level or above: bad input may log a warning at most. */
const errorLogs: string[] = [];
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(line: Buffer, _encoding, done) {
      if (JSON.parse(line.toString()).level >= 50) errorLogs.push(line.toString());
      done();
    },
  }),
);

beforeAll(async () => {
  // Production rules: https only, no loopback allow-list, errors masked.
  service = await startTestService({ NODE_ENV: 'production', DESTINATION_ALLOWLIST: '', MAX_EVENT_BYTES: '4096' }, { logger });
  ({ key } = await service.newProject());
  const { key: other } = await service.newProject();
  otherWebhookId = (await service.gql(other, CREATE, { input: { url: 'https://example.com/other', events: ['*'] } })).body.data
    .createWebhook.webhook.id;
  ownWebhookId = (await service.gql(key, CREATE, { input: { url: 'https://example.com/own', events: ['*'] } })).body.data
    .createWebhook.webhook.id;
});

/** Row counts and a checksum of every table the API writes, to prove nothing changed. */
async function snapshot(): Promise<string> {
  const client = new pg.Client({ connectionString: service.databaseUrl });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const table of ['projects', 'api_keys', 'webhooks', 'events', 'deliveries', 'delivery_attempts']) {
      const { rows } = await client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`);
      parts.push(`${table}:${rows[0].n}:${rows[0].h}`);
    }
    return parts.join(' ');
  } finally {
    await client.end();
  }
}

const huge = 'x'.repeat(100_000);
let deep: unknown = { job_id: 'deep' };
for (let i = 0; i < 2000; i++) deep = { nested: deep };
/** Nested 5,000 deep: small as JSON, deeper than anything recursive (JSON.stringify, jsonb) survives; written as text. */
const deeperJson = `${'{"nested":'.repeat(5000)}{"job_id":"deeper"}${'}'.repeat(5000)}`;
/** A selection set nested 20,000 deep overflows a recursive parser's stack. */
const deepDocument = `{ ${'a { '.repeat(20_000)}b${' }'.repeat(20_000)} }`;
const NUL = 'nul\u0000here';
const LONE_SURROGATE = 'lone\ud800here';
const longKey = 'k'.repeat(3000);
/** What a refusal must say: the field it names, and words naming the rule or limit. */
type Names = { field: string; says: RegExp };
const nul: Names['says'] = /NUL/;
const surrogate: Names['says'] = /surrogate/;

const privateUrls = [
  'http://2130706433/hook', // 127.0.0.1 as a decimal
  'http://0177.0.0.1/hook', // octal
  'http://0x7f.0.0.1/hook', // hex
  'http://0x7f000001/hook',
  'http://127.1/hook',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:7f00:1]/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/latest',
  'http://10.0.0.1/hook',
  'http://192.168.0.1/hook',
  'http://localhost/hook',
  'https://localhost./hook',
  'http://[64:ff9b::7f00:1]/hook',
];

type GraphQLCase = {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The variables as JSON text, for values JSON.stringify cannot write. */
  rawVariables?: string;
  names?: Names;
};
const ID_OPERATIONS = [
  'query($id: ID!) { webhook(id: $id) { __typename } }',
  'query($id: ID!) { delivery(id: $id) { __typename } }',
  'query($id: ID!) { event(id: $id) { __typename } }',
  'query($id: ID!) { job(jobId: $id) { __typename } }',
  'query($id: ID!) { deliveries(webhookId: $id, first: 1) { totalCount } }',
  'mutation($id: ID!) { deleteWebhook(id: $id) { __typename } }',
  'mutation($id: ID!) { enableWebhook(id: $id) { __typename } }',
  'mutation($id: ID!) { disableWebhook(id: $id) { __typename } }',
  'mutation($id: ID!) { testWebhook(id: $id) { __typename } }',
  'mutation($id: ID!) { retryDelivery(id: $id) { __typename } }',
  'mutation($id: ID!) { rotateWebhookSecret(id: $id) { __typename } }',
  'mutation($id: ID!) { updateWebhook(id: $id, input: { description: "x" }) { __typename } }',
];
const SUBSCRIPTIONS_BY_ID = [
  'subscription($id: ID!) { batchProgress(jobId: $id) { jobId } }',
  'subscription($id: ID!) { trainingProgress(jobId: $id) { jobId } }',
  'subscription($id: ID!) { jobEvents(jobId: $id) { id } }',
  'subscription($id: ID!) { deliveryUpdates(webhookId: $id) { id } }',
];
const publishWith = (input: Record<string, unknown>) => ({ input: { type: 'batch.completed', data: { job_id: 'x' }, ...input } });
const graphqlCases: GraphQLCase[] = [
  ...[
    'javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.com/x', 'data:text/plain,hi', 'https://user:pass@example.com/x',
    ' https://example.com/x', 'https://exa mple.com/x', 'https://example.com/\u0000x', '', 'example.com/webhook', 'http://example.com/x',
    `https://example.com/${huge}`, ...privateUrls.map((u) => u.replace(/^http:/, 'https:')),
  ].map((url) => ({ name: `createWebhook url ${JSON.stringify(url).slice(0, 60)}`, query: CREATE, variables: { input: { url, events: ['*'] } } })),
  ...[
    [], ['*', '*'], ['vision.exploded'], ['VISION.COMPLETED'], ["'; DROP TABLE webhooks; --"], ['vision.completed\u0000'], [huge],
    Array.from({ length: 5000 }, (_, i) => `x.${i}`), ['**'], ['.*'],
  ].map((events) => ({ name: `createWebhook events ${JSON.stringify(events).slice(0, 60)}`, query: CREATE, variables: { input: { url: 'https://example.com/x', events } } })),
  { name: 'createWebhook null url', query: CREATE, variables: { input: { url: null, events: ['*'] } } },
  { name: 'createWebhook events as numbers', query: CREATE, variables: { input: { url: 'https://example.com/x', events: [5] } } },
  { name: 'createWebhook numeric url', query: CREATE, variables: { input: { url: 42, events: ['*'] } } },
  { name: 'createWebhook unknown field', query: CREATE, variables: { input: { url: 'https://example.com/x', events: ['*'], admin: true } } },
  { name: 'createWebhook short secret', query: CREATE, variables: { input: { url: 'https://example.com/x', events: ['*'], secret: 'x' } } },
  { name: 'createWebhook huge secret', query: CREATE, variables: { input: { url: 'https://example.com/x', events: ['*'], secret: huge } } },
  { name: 'createWebhook huge description', query: CREATE, variables: { input: { url: 'https://example.com/x', events: ['*'], description: huge } } },
  { name: 'publishEvent unknown type', query: PUBLISH, variables: { input: { type: 'nope.nope', data: { job_id: 'x' } } } },
  { name: 'publishEvent SQL-looking type', query: PUBLISH, variables: { input: { type: "batch.progress' OR 1=1 --", data: { job_id: 'x' } } } },
  { name: 'publishEvent data null', query: PUBLISH, variables: { input: { type: 'batch.completed', data: null } } },
  { name: 'publishEvent data an array', query: PUBLISH, variables: { input: { type: 'batch.completed', data: [1, 2] } } },
  { name: 'publishEvent data a string', query: PUBLISH, variables: { input: { type: 'batch.completed', data: 'job' } } },
  { name: 'publishEvent job_id missing', query: PUBLISH, variables: { input: { type: 'batch.completed', data: {} } } },
  { name: 'publishEvent job_id a number', query: PUBLISH, variables: { input: { type: 'batch.completed', data: { job_id: 5 } } } },
  { name: 'publishEvent progress over 100', query: PUBLISH, variables: { input: { type: 'batch.progress', data: { job_id: 'x', total_images: 1, processed_images: 1, failed_images: 0, progress_percent: 101 } } } },
  { name: 'publishEvent negative counts', query: PUBLISH, variables: { input: { type: 'batch.progress', data: { job_id: 'x', total_images: -1, processed_images: 0, failed_images: 0, progress_percent: 1 } } } },
  { name: 'publishEvent data too large', query: PUBLISH, variables: { input: { type: 'batch.completed', data: { job_id: 'x', blob: huge } } } },
  { name: 'publishEvent deeply nested data', query: PUBLISH, variables: { input: { type: 'batch.completed', data: deep } } },
  { name: 'publishEvent huge job_id', query: PUBLISH, variables: { input: { type: 'batch.completed', data: { job_id: huge } } } },
  { name: 'webhook with another project id', query: `query($id: ID!) { webhook(id: $id) { __typename ... on Error { message } } }`, variables: { id: '' } },
  { name: 'deleteWebhook of another project', query: `mutation($id: ID!) { deleteWebhook(id: $id) { __typename ... on Error { message } } }`, variables: { id: '' } },
  { name: 'updateWebhook of another project', query: `mutation($id: ID!) { updateWebhook(id: $id, input: { url: "https://example.com/p" }) { __typename ... on Error { message } } }`, variables: { id: '' } },
  { name: 'updateWebhook private url', query: `mutation($id: ID!) { updateWebhook(id: $id, input: { url: "https://169.254.169.254/" }) { __typename ... on Error { message } } }`, variables: { id: 'own' } },
  { name: 'retryDelivery SQL-looking id', query: `mutation($id: ID!) { retryDelivery(id: $id) { __typename ... on Error { message } } }`, variables: { id: "del_1' OR '1'='1" } },
  { name: 'rotate secret negative grace', query: `mutation($id: ID!) { rotateWebhookSecret(id: $id, gracePeriodSeconds: -5) { __typename ... on Error { message } } }`, variables: { id: 'own' } },
  { name: 'syntax error', query: 'mutation { createWebhook(input: { url: ', variables: {} },
  { name: 'unknown field', query: '{ webhooks { secret } }', variables: {} },
  { name: 'wrong variable type', query: 'query($first: Int) { webhooks(first: $first) { totalCount } }', variables: { first: 'ten' } },
  { name: 'page size too large', query: '{ webhooks(first: 100000) { totalCount } }', variables: {} },
  ...[NUL, LONE_SURROGATE].flatMap((bad) => {
    const says = bad === NUL ? nul : surrogate;
    const what = bad === NUL ? 'NUL' : 'lone surrogate';
    return [
      ...ID_OPERATIONS.map((query) => ({ name: `${what} in the id of ${query.match(/\{ (\w+)/)![1]}`, query, variables: { id: `wh_${bad}` }, names: { field: 'id', says } })),
      { name: `${what} in createWebhook description`, query: CREATE, variables: { input: { url: 'https://example.com/x', events: ['*'], description: bad } }, names: { field: 'input.description', says } },
      { name: `${what} in createWebhook url`, query: CREATE, variables: { input: { url: `https://example.com/${bad}`, events: ['*'] } }, names: { field: 'input.url', says } },
      { name: `${what} in createWebhook events`, query: CREATE, variables: { input: { url: 'https://example.com/x', events: [bad] } }, names: { field: 'input.events.0', says } },
      { name: `${what} in event data`, query: PUBLISH, variables: publishWith({ data: { job_id: 'x', note: bad } }), names: { field: 'input.data.note', says } },
      { name: `${what} in an event data key`, query: PUBLISH, variables: publishWith({ data: { job_id: 'x', [bad]: 1 } }), names: { field: 'input.data.', says } },
      { name: `${what} in job_id`, query: PUBLISH, variables: publishWith({ data: { job_id: bad } }), names: { field: 'input.data.job_id', says } },
      { name: `${what} in the idempotency key`, query: PUBLISH, variables: publishWith({ idempotencyKey: bad }), names: { field: 'input.idempotencyKey', says } },
      { name: `${what} in the event type`, query: PUBLISH, variables: publishWith({ type: bad }), names: { field: 'input.type', says } },
    ];
  }),
  { name: 'NUL in a literal id', query: `{ webhook(id: "wh_\\u0000") { __typename } }`, variables: {}, names: { field: 'id', says: nul } },
  { name: 'NUL in a literal input field', query: `mutation { createWebhook(input: { url: "https://example.com/x", events: ["*"], description: "a\\u0000b" }) { __typename } }`, variables: {}, names: { field: 'input.description', says: nul } },
  { name: 'lone surrogate in a literal', query: `{ webhook(id: "wh_\\ud800") { __typename } }`, variables: {}, names: { field: '', says: /unicode/i } },
  { name: 'NUL in a literal deliveries filter', query: `query($id: ID!) { deliveries(webhookId: $id, eventType: "a\\u0000") { totalCount } }`, variables: { id: 'own' }, names: { field: 'eventType', says: nul } },
  { name: 'idempotency key of a few KB', query: PUBLISH, variables: publishWith({ idempotencyKey: longKey }), names: { field: 'idempotencyKey', says: new RegExp(`limit is ${MAX_IDEMPOTENCY_KEY_LENGTH}`) } },
  { name: 'job_id of a few KB', query: PUBLISH, variables: publishWith({ data: { job_id: longKey } }), names: { field: 'data.job_id', says: new RegExp(`at most ${MAX_JOB_ID_LENGTH}`) } },
  { name: 'event data nested 5,000 deep', query: PUBLISH, variables: {}, rawVariables: `{"input":{"type":"batch.completed","data":${deeperJson}}}`, names: { field: 'data.nested', says: new RegExp(`${MAX_JSON_DEPTH} levels`) } },
  { name: 'document nested 20,000 deep', query: deepDocument, variables: {}, names: { field: '', says: new RegExp(`${MAX_TOKENS} tokens`) } },
];

async function gqlRaw(query: string, variablesJson: string) {
  const response = await fetch(`${service.httpUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] } };
}

describe('GraphQL bad input', () => {
  it.each(graphqlCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await snapshot();
    const variables = JSON.parse(JSON.stringify(c.variables).replaceAll('"id":""', `"id":"${otherWebhookId}"`).replaceAll('"id":"own"', `"id":"${ownWebhookId}"`));
    const result = c.rawVariables === undefined ? await service.gql(key, c.query, variables) : await gqlRaw(c.query, c.rawVariables);
    expect(result.status).toBeLessThan(500);
    const payload = result.body.data ? (Object.values(result.body.data)[0] as { __typename?: string; message?: string } | null) : null;
    if (result.body.errors?.length) {
      // A GraphQL-level rejection: it must say what is wrong, not "Unexpected error".
      expect(result.body.errors[0]!.message).not.toMatch(/unexpected error/i);
      expect(result.body.errors[0]!.message.length).toBeGreaterThan(10);
    } else {
      expect(payload?.__typename).toMatch(/^(ValidationError|NotFoundError|ConflictError)$/);
      expect(payload!.message!.length).toBeGreaterThan(10);
    }
    if (c.names) {
      // Refused with what to fix: a GraphQL error with a code and the field, or the schema's ValidationError.
      const [error] = result.body.errors ?? [];
      const refusal = payload as { __typename?: string; message?: string; field?: string } | null;
      if (error) expect(error.extensions?.code).toMatch(/^(BAD_USER_INPUT|GRAPHQL_PARSE_FAILED)$/);
      else expect(refusal?.__typename).toBe('ValidationError');
      const message = error ? error.message : refusal!.message!;
      expect(error ? (error.extensions?.field ?? '') : refusal!.field).toContain(c.names.field);
      expect(message).toContain(c.names.field);
      expect(message).toMatch(c.names.says);
    }
    expect(await snapshot()).toBe(before);
  });
});

type RestCase = {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  names?: Names & { status: number };
};
const REST_IDS = [
  ['GET', '/v1/webhooks/ID', 'id'],
  ['PUT', '/v1/webhooks/ID', 'id'],
  ['DELETE', '/v1/webhooks/ID', 'id'],
  ['POST', '/v1/webhooks/ID/test', 'id'],
  ['POST', '/v1/webhooks/ID/enable', 'id'],
  ['POST', '/v1/webhooks/ID/disable', 'id'],
  ['POST', '/v1/webhooks/ID/rotate-secret', 'id'],
  ['GET', '/v1/webhooks/ID/deliveries', 'id'],
  ['POST', '/v1/webhooks/OWN/deliveries/ID/retry', 'delivery_id'],
] as const;
const restCases: RestCase[] = [
  { name: 'malformed JSON', method: 'POST', path: '/v1/webhooks', raw: '{"url": "https://example.com/x", "events": [', headers: { 'content-type': 'application/json' } },
  { name: 'not JSON', method: 'POST', path: '/v1/webhooks', raw: 'url=https://example.com/x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  { name: 'JSON array body', method: 'POST', path: '/v1/webhooks', body: [{ url: 'https://example.com/x', events: ['*'] }] },
  { name: 'body too large', method: 'POST', path: '/v1/events', body: { event_type: 'batch.completed', data: { job_id: 'x', blob: 'y'.repeat(2_000_000) } } },
  { name: 'url javascript:', method: 'POST', path: '/v1/webhooks', body: { url: 'javascript:alert(1)', events: ['*'] } },
  { name: 'url with whitespace', method: 'POST', path: '/v1/webhooks', body: { url: 'https://exa mple.com', events: ['*'] } },
  ...privateUrls.map((url) => ({ name: `private url ${url}`, method: 'POST', path: '/v1/webhooks', body: { url: url.replace(/^http:/, 'https:'), events: ['*'] } })),
  { name: 'events not a list', method: 'POST', path: '/v1/webhooks', body: { url: 'https://example.com/x', events: 'vision.*' } },
  { name: 'events with unicode junk', method: 'POST', path: '/v1/webhooks', body: { url: 'https://example.com/x', events: ['vision.completed\u202e'] } },
  { name: 'null everything', method: 'POST', path: '/v1/webhooks', body: { url: null, events: null, secret: null } },
  { name: 'unknown event type', method: 'POST', path: '/v1/events', body: { event_type: 'nope', data: { job_id: 'x' } } },
  { name: 'event without data', method: 'POST', path: '/v1/events', body: { event_type: 'batch.completed' } },
  { name: 'event data too large for MAX_EVENT_BYTES', method: 'POST', path: '/v1/events', body: { event_type: 'batch.completed', data: { job_id: 'x', blob: 'y'.repeat(10_000) } } },
  { name: "another project's webhook", method: 'GET', path: '/v1/webhooks/OTHER' },
  { name: "update another project's webhook", method: 'PUT', path: '/v1/webhooks/OTHER', body: { url: 'https://example.com/mine' } },
  { name: "delete another project's webhook", method: 'DELETE', path: '/v1/webhooks/OTHER' },
  { name: 'SQL-looking id', method: 'GET', path: `/v1/webhooks/${encodeURIComponent("wh_1' OR '1'='1")}` },
  { name: 'deliveries with limit -1', method: 'GET', path: '/v1/webhooks/OWN/deliveries?limit=-1' },
  { name: 'deliveries with a bad status', method: 'GET', path: '/v1/webhooks/OWN/deliveries?status=exploded' },
  { name: 'deliveries with a forged cursor', method: 'GET', path: '/v1/webhooks/OWN/deliveries?cursor=%7B%22x%22%3A1%7D' },
  { name: 'retry an unknown delivery', method: 'POST', path: '/v1/webhooks/OWN/deliveries/del_0000000000000000/retry' },
  ...REST_IDS.map(([method, path, field]) => ({
    name: `NUL in ${field} of ${method} ${path}`,
    method,
    path: path.replace('ID', 'wh_%00'),
    ...(method === 'PUT' && { body: { description: 'x' } }),
    names: { status: 422, field, says: nul },
  })),
  { name: 'malformed percent-encoding in the path', method: 'GET', path: '/v1/webhooks/%ff%fe', names: { status: 400, field: 'path', says: /percent-encoded/ } },
  { name: 'NUL in the event_type filter', method: 'GET', path: '/v1/webhooks/OWN/deliveries?event_type=a%00', names: { status: 422, field: 'event_type', says: nul } },
  { name: 'NUL in the cursor', method: 'GET', path: '/v1/webhooks/OWN/deliveries?cursor=a%00', names: { status: 422, field: 'cursor', says: nul } },
  ...(
    [
      ['NUL', JSON.stringify(NUL), nul],
      ['lone surrogate', '"lone\\ud800here"', surrogate],
    ] as const
  ).flatMap(([what, bad, says]) => [
    { name: `${what} in description`, field: 'description', path: '/v1/webhooks', raw: `{"url":"https://example.com/x","events":["*"],"description":${bad}}` },
    { name: `${what} in url`, field: 'url', path: '/v1/webhooks', raw: `{"url":${bad},"events":["*"]}` },
    { name: `${what} in events`, field: 'events.0', path: '/v1/webhooks', raw: `{"url":"https://example.com/x","events":[${bad}]}` },
    { name: `${what} in secret`, field: 'secret', path: '/v1/webhooks', raw: `{"url":"https://example.com/x","events":["*"],"secret":${bad}}` },
    { name: `${what} in event_type`, field: 'event_type', path: '/v1/events', raw: `{"event_type":${bad},"data":{"job_id":"x"}}` },
    { name: `${what} in event data`, field: 'data.note', path: '/v1/events', raw: `{"event_type":"batch.completed","data":{"job_id":"x","note":${bad}}}` },
    { name: `${what} in an event data key`, field: 'data.', path: '/v1/events', raw: `{"event_type":"batch.completed","data":{"job_id":"x",${bad}:1}}` },
    { name: `${what} in job_id`, field: 'data.job_id', path: '/v1/events', raw: `{"event_type":"batch.completed","data":{"job_id":${bad}}}` },
    { name: `${what} in idempotency_key`, field: 'idempotency_key', path: '/v1/events', raw: `{"event_type":"batch.completed","data":{"job_id":"x"},"idempotency_key":${bad}}` },
  ].map(({ field, ...c }) => ({ ...c, method: 'POST', headers: { 'content-type': 'application/json' }, names: { status: 422, field, says } }))),
  { name: 'idempotency_key of a few KB', method: 'POST', path: '/v1/events', body: { event_type: 'batch.completed', data: { job_id: 'x' }, idempotency_key: longKey }, names: { status: 422, field: 'idempotency_key', says: new RegExp(`limit is ${MAX_IDEMPOTENCY_KEY_LENGTH}`) } },
  { name: 'job_id of a few KB', method: 'POST', path: '/v1/events', body: { event_type: 'batch.completed', data: { job_id: longKey } }, names: { status: 422, field: 'data.job_id', says: new RegExp(`at most ${MAX_JOB_ID_LENGTH}`) } },
  { name: 'event data nested 5,000 deep', method: 'POST', path: '/v1/events', raw: `{"event_type":"batch.completed","data":${deeperJson}}`, headers: { 'content-type': 'application/json' }, names: { status: 422, field: 'data.nested', says: new RegExp(`${MAX_JSON_DEPTH} levels`) } },
];

describe('REST bad input', () => {
  it.each(restCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await snapshot();
    const path = c.path.replace('OTHER', otherWebhookId).replace('OWN', ownWebhookId);
    const response = await fetch(`${service.httpUrl}${path}`, {
      method: c.method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(c.body !== undefined && { 'content-type': 'application/json' }),
        ...c.headers,
      },
      ...(c.raw !== undefined ? { body: c.raw } : c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
    expect(body.error.message.length).toBeGreaterThan(10);
    if (c.names) {
      expect(response.status).toBe(c.names.status);
      expect(body.error.field).toContain(c.names.field);
      expect(body.error.message).toContain(c.names.field);
      expect(body.error.message).toMatch(c.names.says);
    }
    expect(JSON.stringify(body)).not.toMatch(/\bat \w+ \(|prisma|SELECT |node_modules/i);
    expect(await snapshot()).toBe(before);
  });

  it('has at least 60 cases in all', () => {
    expect(graphqlCases.length + restCases.length).toBeGreaterThanOrEqual(60);
  });
});

describe('subscriptions with bad ids over SSE', () => {
  it.each(SUBSCRIPTIONS_BY_ID.flatMap((query) => [NUL, LONE_SURROGATE].map((bad) => [query, bad] as const)))('%s %j', async (query, bad) => {
    const sub = subscribeSse(service.httpUrl, key, query, { id: `wh_${bad}` });
    expect(await sub.status).toBeLessThan(500);
    await sub.finished();
    const [error] = sub.messages[0]?.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.field).toBe('id');
    expect(error?.message).toMatch(bad === NUL ? nul : surrogate);
  });
});

describe('logs', () => {
  it('logged nothing at error level for any of the bad input above', () => {
    expect(errorLogs).toEqual([]);
  });
});
