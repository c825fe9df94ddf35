// The OpenAPI document: valid OpenAPI 3.1, served without a key, listing every REST route the server has, each of
// which exists on the live service.
import { validate, compileErrors } from '@readme/openapi-parser';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../src/rest/plugin.js';
import { startTestService, type TestService } from './support/service.js';
import { expectError, restClient } from './support/rest.js';

const SPEC_OPERATIONS = [
  'POST /v1/webhooks',
  'GET /v1/webhooks',
  'GET /v1/webhooks/{id}',
  'PUT /v1/webhooks/{id}',
  'DELETE /v1/webhooks/{id}',
  'POST /v1/webhooks/{id}/test',
  'POST /v1/webhooks/{id}/enable',
  'POST /v1/webhooks/{id}/disable',
  'POST /v1/webhooks/{id}/rotate-secret',
  'GET /v1/webhooks/{id}/stats',
  'GET /v1/webhooks/{id}/deliveries',
  'POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry',
  'GET /v1/webhooks/{id}/messages',
  'POST /v1/webhooks/{id}/messages/ack',
  'POST /v1/webhooks/{id}/recover',
  'GET /v1/recoveries/{recovery_id}',
  'GET /v1/deliveries',
  'POST /v1/events',
  'POST /v1/events/batch',
  'GET /v1/events',
  'POST /v1/events/{event_id}/replay',
  'POST /v1/projects',
  'GET /v1/projects',
  'PATCH /v1/projects/{project_id}',
  'DELETE /v1/projects/{project_id}',
  'POST /v1/projects/{project_id}/api-keys',
  'GET /v1/projects/{project_id}/api-keys',
  'DELETE /v1/projects/{project_id}/api-keys/{api_key_id}',
  'GET /v1/projects/{project_id}/audit-events',
  'POST /v1/tokens',
  'POST /v1/portal-links',
  'GET /v1/openapi.json',
];

let service: TestService;
let rest: ReturnType<typeof restClient>;
let document: any;

beforeAll(async () => {
  service = await startTestService();
  rest = restClient(service.httpUrl);
  const response = await rest(null, 'GET', '/v1/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = response.body;
});

const operations = (doc: any) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`));

/** Every route the REST plugin registers, read from Fastify itself (HEAD twins of GET routes aside). */
async function registeredRoutes() {
  const app = Fastify();
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
  const unused = {} as never;
  await app.register(restRoutes({ access: unused, services: unused }), {
    prefix: '/v1',
  });
  await app.ready();
  await app.close();
  return routes;
}

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
    expect(result.warnings).toEqual([]);
  });

  it('the validator does reject a broken document', async () => {
    const broken = structuredClone(document);
    broken.paths['/v1/webhooks'].post.responses['201'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    delete broken.info;
    expect((await validate(broken)).valid).toBe(false);
  });

  it("lists exactly the server's routes, which include every call of the guide", async () => {
    expect(operations(document).sort()).toEqual([...SPEC_OPERATIONS].sort());
    expect((await registeredRoutes()).sort()).toEqual(operations(document).sort());
  });

  it('every documented operation exists on the live service and asks for a key', async () => {
    for (const operation of operations(document)) {
      const [method, path] = operation.split(' ') as [string, string];
      const url = path.replace('{id}', 'wh_0000000000000000').replace('{delivery_id}', 'del_0000000000000000');
      const response = await rest(null, method, url);
      if (path === '/v1/openapi.json') {
        expect(response.status).toBe(200);
        expect(document.paths[path].get.security).toEqual([]);
      } else {
        expectError(response, 401, 'unauthenticated');
        expect(document.paths[path][method.toLowerCase()].responses['401']).toBeDefined();
      }
    }
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents the status codes and shapes the service answers with', async () => {
    const op = (method: string, path: string) => document.paths[path][method];
    expect(Object.keys(op('post', '/v1/webhooks').responses).sort()).toEqual(['201', '400', '401', '403', '413', '415', '422', '429']);
    expect(Object.keys(op('delete', '/v1/webhooks/{id}').responses).sort()).toEqual(['204', '401', '403', '404', '429']);
    expect(op('delete', '/v1/webhooks/{id}').responses['204'].content).toBeUndefined();
    expect(Object.keys(op('post', '/v1/events').responses).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '422', '429']);
    expect(Object.keys(op('post', '/v1/projects').responses).sort()).toEqual(['201', '400', '401', '403', '409', '413', '415', '422', '429']);
    expect(Object.keys(op('delete', '/v1/projects/{project_id}/api-keys/{api_key_id}').responses).sort()).toEqual(['204', '401', '403', '404', '429']);
    expect(op('post', '/v1/projects/{project_id}/api-keys').requestBody.required).toBe(false);
    expect(op('post', '/v1/webhooks/{id}/test').responses['202']).toBeDefined();
    expect(op('post', '/v1/webhooks/{id}/deliveries/{delivery_id}/retry').responses['202']).toBeDefined();
    expect(op('post', '/v1/webhooks/{id}/rotate-secret').requestBody.required).toBe(false);
    expect(op('post', '/v1/webhooks').requestBody.required).toBe(true);

    const schemas = document.components.schemas;
    const ref = (response: any) => response.content['application/json'].schema.$ref.replace('#/components/schemas/', '');
    expect(ref(op('post', '/v1/webhooks').responses['201'])).toBe('CreatedWebhook');
    expect(schemas.CreatedWebhook.required).toEqual(expect.arrayContaining(['webhook_id', 'url', 'events', 'status', 'created_at']));
    expect(schemas.Webhook.properties.status.enum).toEqual(['active', 'disabled']);
    expect(ref(op('get', '/v1/webhooks/{id}/deliveries').responses['200'])).toBe('DeliveryList');
    expect(schemas.DeliveryList.required).toEqual(expect.arrayContaining(['deliveries', 'total', 'limit']));
    expect(schemas.Delivery.required).toEqual(
      expect.arrayContaining(['delivery_id', 'event_id', 'event_type', 'status', 'status_code', 'timestamp', 'response_time_ms']),
    );
    expect(schemas.Delivery.properties.status.enum).toEqual(['pending', 'success', 'retrying', 'failed']);
    expect(schemas.Error.properties.error.required).toEqual(['code', 'message']);
    const parameters = op('get', '/v1/webhooks/{id}/deliveries').parameters.map((p: any) => `${p.in}:${p.name}`).sort();
    expect(parameters).toEqual(['path:id', 'query:cursor', 'query:event_type', 'query:limit', 'query:offset', 'query:status']);
    // Every $ref points at a schema that is there, and no schema is left unused.
    const refs = new Set([...JSON.stringify(document).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
    expect([...refs].sort()).toEqual(Object.keys(schemas).sort());
  });
});
