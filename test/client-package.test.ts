// The package as a user gets it: after the root `npm install` / `npm ci` (no build step here: the client's `prepare`
// script built client/dist during that install), a fresh project `npm i`s the client folder, and a strict NodeNext
// TypeScript consumer (no @types/node) compiles against it with full types and runs against the live service.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';
import { EVENT_TYPES } from '../client/src/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const clientDir = path.join(root, 'client');

let service: TestService;
let consumerDir: string;

const CONSUMER = `
import {
  createClient,
  NotFoundError,
  ValidationError,
  verifyWebhook,
  WebhookVerificationError,
  operations,
  type Webhook,
  type WebhookEvent,
} from '@aiplatform/webhooks-client';

declare const process: { argv: string[]; stdout: { write(text: string): void } };

function handle(event: WebhookEvent): number | string {
  switch (event.event_type) {
    case 'batch.progress':
      return event.data.progress_percent;
    case 'optimization.completed':
      return event.data.result.objective_value;
    case 'webhook.failing':
    case 'webhook.recovered':
    case 'webhook.disabled':
    case 'delivery.exhausted':
      return event.data.webhook_id;
    default:
      return event.data.job_id;
  }
}

export async function main(url: string, apiKey: string) {
  const client = createClient({ url, apiKey });
  const { webhook, secret } = await client.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['batch.*'] });
  const id: string = webhook.id;
  // @ts-expect-error url is a string, not a number
  const wrong: number = webhook.url;
  void wrong;

  const page = await client.webhooks.list({ first: 10 });
  const ids: string[] = page.nodes.map((w: Webhook) => w.id);

  const jobId = 'consumer-job';
  const { event } = await client.events.publish({
    type: 'batch.progress',
    data: { job_id: jobId, total_images: 10, processed_images: 5, failed_images: 0, progress_percent: 50 },
  });
  const percent: number = event.data.progress_percent;
  // @ts-expect-error batch.progress data has no accuracy
  const accuracy: number = event.data.accuracy;
  void accuracy;
  if (false as boolean) {
    // @ts-expect-error training.progress data is not batch.progress data
    await client.events.publish({ type: 'batch.progress', data: { job_id: jobId, round: 1, total_rounds: 2, accuracy: 1, loss: 0 } });
  }

  let notFound = false;
  try {
    await client.webhooks.get('wh_0000000000000000');
  } catch (error) {
    notFound = error instanceof NotFoundError;
  }
  let field = '';
  try {
    await client.webhooks.create({ url: 'nope', events: ['batch.progress'] });
  } catch (error) {
    if (error instanceof ValidationError) field = error.field;
  }

  const states: (number | null)[] = [];
  for await (const state of client.subscribe.batchProgress(jobId)) {
    states.push(state.progressPercent);
    break;
  }
  await client.close();

  const typed = await client.request(operations.EventTypesDocument);
  const types: string[] = typed.eventTypes.map((t) => t.type);

  let reason = '';
  try {
    verifyWebhook('{}', { 'x-webhook-signature': '00' }, secret);
  } catch (error) {
    if (error instanceof WebhookVerificationError) reason = error.reason;
  }
  return { id, ids, percent, notFound, field, states, types: types.length, reason, handled: handle({
    event_id: 'evt_1', event_type: 'batch.progress', timestamp: '2024-01-15T10:35:00Z', retry_count: 0,
    data: { job_id: jobId, total_images: 1, processed_images: 1, failed_images: 0, progress_percent: 100 },
  }) };
}

main(process.argv[2]!, process.argv[3]!).then((result) => process.stdout.write(JSON.stringify(result)));
`;

/** `npm i <folder>` in `project`, offline: the client's dependencies are the root install's. */
const npmInstall = (project: string, folder: string, ...flags: string[]) =>
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...flags, folder], { cwd: project });

beforeAll(async () => {
  consumerDir = await mkdtemp(path.join(tmpdir(), 'webhooks-client-consumer-'));
  await writeFile(path.join(consumerDir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  // --ignore-scripts: the consumer must see client/dist as the root install left it, not as this install rebuilt it.
  await npmInstall(consumerDir, clientDir, '--ignore-scripts');
  await writeFile(path.join(consumerDir, 'index.ts'), CONSUMER);
  service = await startTestService();
}, 120_000);

afterAll(async () => {
  if (consumerDir) await rm(consumerDir, { recursive: true, force: true });
});

describe('installing the client folder', () => {
  it('builds dist/ through its prepare script when the folder has none (a folder or git URL install)', { timeout: 60_000 }, async () => {
    // A copy of the sources without dist/, under the root's node_modules so it resolves the same dependencies.
    const source = await mkdtemp(path.join(root, 'node_modules', '.webhooks-client-source-'));
    const project = await mkdtemp(path.join(tmpdir(), 'webhooks-client-fresh-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'README.md', 'src']) {
        await cp(path.join(clientDir, entry), path.join(source, entry), { recursive: true });
      }
      await writeFile(path.join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      await npmInstall(project, source);
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', "const m = await import('@aiplatform/webhooks-client'); console.log(typeof m.createClient)"],
        { cwd: project },
      );
      expect(stdout.trim()).toBe('function');
    } finally {
      await rm(source, { recursive: true, force: true });
      await rm(project, { recursive: true, force: true });
    }
  });
});

function compileConsumer(): string[] {
  const program = ts.createProgram([path.join(consumerDir, 'index.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    outDir: consumerDir,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  return diagnostics.map((d) => {
    const where = d.file ? `${path.relative(consumerDir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('the built package', () => {
  it('has ESM code and declarations for its entry point, and a README', async () => {
    const manifest = JSON.parse(await readFile(path.join(clientDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@aiplatform/webhooks-client', type: 'module' });
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@graphql-typed-document-node/core',
      'fast-sha256',
      'graphql-ws',
      'standardwebhooks',
    ]);
    const js = await readFile(path.join(clientDir, 'dist/index.js'), 'utf8');
    expect(js).toMatch(/^export \{/m);
    expect(await readFile(path.join(clientDir, 'dist/index.d.ts'), 'utf8')).toContain('createClient');
    expect(await readFile(path.join(clientDir, 'README.md'), 'utf8')).toContain('verifyWebhook');
  });

  it('never imports the server code', async () => {
    const { stdout } = await run('grep', ['-rlE', String.raw`from ['"](\.\./)+(src|server)/`, path.join(clientDir, 'dist')]).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout }),
    );
    expect(stdout).toBe('');
  });

  it('type-checks a strict consumer with full types (wrong uses are errors) and runs it against the service', { timeout: 60_000 }, async () => {
    expect(compileConsumer()).toEqual([]);
    const { key } = await service.newProject();
    const { stdout } = await run(process.execPath, [path.join(consumerDir, 'index.js'), `${service.httpUrl}/graphql`, key], {
      cwd: consumerDir,
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      percent: 50,
      notFound: true,
      field: 'url',
      states: [50],
      types: EVENT_TYPES.length,
      reason: 'invalid_signature',
      handled: 100,
    });
    expect(result.ids).toEqual([result.id]);
  });

  it('a consumer that misuses the types does not compile', async () => {
    // The @ts-expect-error lines above only prove something if removing one makes the compiler complain.
    const source = await readFile(path.join(consumerDir, 'index.ts'), 'utf8');
    await writeFile(path.join(consumerDir, 'index.ts'), source.replaceAll('// @ts-expect-error', '//'));
    try {
      const errors = compileConsumer();
      expect(errors.some((e) => /not assignable to type 'number'/.test(e))).toBe(true);
      expect(errors.some((e) => /accuracy/.test(e))).toBe(true);
      expect(errors.some((e) => /batch\.progress|round/.test(e))).toBe(true);
    } finally {
      await writeFile(path.join(consumerDir, 'index.ts'), source);
    }
  });
});
