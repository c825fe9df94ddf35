// docs/access.md's curls run as written (host and credentials filled in), in order, against a real service started
// with a first-start key: the platform's backend makes a customer's project and key and publishes for it; the
// customer's server reads, and is refused what its scopes do not allow; it mints a browser's token and a portal link.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCurl } from './support/rest.js';
import { startTestService, type TestService } from './support/service.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const PLATFORM_KEY = `aip_${randomBytes(32).toString('base64url')}`;
let service: TestService;
/** Every curl of the document's sh blocks, in order, continuation lines joined and trailing comments dropped. */
let curls: string[];

beforeAll(async () => {
  service = await startTestService({ BOOTSTRAP_API_KEY: PLATFORM_KEY });
  const doc = await readFile(path.join(root, 'docs/access.md'), 'utf8');
  curls = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, body]) =>
    body!
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('curl ')),
  );
});

describe('docs/access.md', () => {
  it('runs as written, each answer as the document says', async () => {
    expect(curls).toHaveLength(7);
    const vars: Record<string, string> = { 'localhost:4000': service.httpUrl.replace(/^http:\/\//, ''), $PLATFORM_KEY: PLATFORM_KEY };
    const run = (command: string) => runCurl(command, vars);

    const project = await run(curls[0]!);
    expect(project.status).toBe(201);
    expect(project.body).toMatchObject({ name: 'acme' });
    vars.$PROJECT_ID = project.body.project_id;

    const key = await run(curls[1]!);
    expect(key.status).toBe(201);
    expect(key.body.scopes).toEqual(['webhooks:read', 'webhooks:write', 'deliveries:read', 'deliveries:write', 'jobs:read']);
    vars.$ACME_KEY = key.body.key;

    const published = await run(curls[2]!);
    expect(published.status).toBe(202);
    const event = await service.db.event.findUniqueOrThrow({ where: { id: published.body.event_id } });
    expect(event.projectId).toBe(vars.$PROJECT_ID);

    expect((await run(curls[3]!)).status).toBe(200);
    const refused = await run(curls[4]!);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'forbidden', message: 'Publishing an event needs the scope events:publish' });

    const token = await run(curls[5]!);
    expect(token.status).toBe(201);
    expect(token.body.token).toMatch(/^eyJ/);

    const portal = await run(curls[6]!);
    expect(portal.status).toBe(201);
    expect(portal.body.url).toMatch(new RegExp(`^${service.httpUrl}/dashboard/#token=eyJ`));
  });
});
