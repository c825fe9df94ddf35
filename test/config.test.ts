// Configuration: defaults, and every bad value stops start-up with a message naming the variable.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    // Exact values for every variable of the foundation; later variables get their own tests.
    expect(loadConfig({})).toMatchObject({
      databaseUrl: undefined,
      preparedStatements: true,
      port: 4000,
      host: '0.0.0.0',
      dataDir: '.data',
      role: 'all',
      bootstrapApiKey: undefined,
      logLevel: 'info',
      nodeEnv: 'development',
      allowHttpWebhooks: true,
      deliveryTimeoutMs: 30_000,
      deliveryConcurrency: 50,
      webhookMaxInFlight: 10,
      retryScheduleMs: [5 * 60_000, 30 * 60_000, 2 * 3_600_000, 8 * 3_600_000, 24 * 3_600_000],
    });
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({}).bootstrapApiKey).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', ROLE: '' })).toMatchObject({ port: 4000, databaseUrl: undefined, role: 'all' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u:p@db:5432/hooks',
      DATABASE_PREPARED_STATEMENTS: 'false',
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/hooks',
      ROLE: 'worker',
      BOOTSTRAP_API_KEY: 'k'.repeat(32),
      LOG_LEVEL: 'debug',
      NODE_ENV: 'test',
      ALLOW_HTTP_WEBHOOKS: 'false',
      DELIVERY_TIMEOUT: '500ms',
      DELIVERY_CONCURRENCY: '7',
      WEBHOOK_MAX_IN_FLIGHT: '3',
      RETRY_SCHEDULE: '1s, 2m,3h,1d',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5432/hooks',
      preparedStatements: false,
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/hooks',
      role: 'worker',
      bootstrapApiKey: 'k'.repeat(32),
      logLevel: 'debug',
      nodeEnv: 'test',
      allowHttpWebhooks: false,
      deliveryTimeoutMs: 500,
      deliveryConcurrency: 7,
      webhookMaxInFlight: 3,
      retryScheduleMs: [1000, 120_000, 10_800_000, 86_400_000],
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/x' }).databaseUrl).toBe('postgres://localhost/x');
  });

  it('refuses plain http webhook URLs in production unless allowed', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).allowHttpWebhooks).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_HTTP_WEBHOOKS: 'true' }).allowHttpWebhooks).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', ALLOW_HTTP_WEBHOOKS: 'false' }).allowHttpWebhooks).toBe(false);
  });

  it('answers GraphQL introspection outside production, and in production only when GRAPHQL_INTROSPECTION=true', () => {
    expect(loadConfig({}).graphqlIntrospection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlIntrospection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphqlIntrospection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: 'false' }).graphqlIntrospection).toBe(false);
  });

  it('bounds slow HTTP clients: 10 s for the headers, 30 s for the request, 72 s idle after a response', () => {
    expect(loadConfig({})).toMatchObject({ httpHeadersTimeoutMs: 10_000, httpRequestTimeoutMs: 30_000, httpKeepAliveTimeoutMs: 72_000 });
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT: '300ms', HTTP_REQUEST_TIMEOUT: '2m', HTTP_KEEP_ALIVE_TIMEOUT: '5s' })).toMatchObject({
      httpHeadersTimeoutMs: 300,
      httpRequestTimeoutMs: 120_000,
      httpKeepAliveTimeoutMs: 5_000,
    });
  });

  it.each([
    ['GRAPHQL_INTROSPECTION', 'on', /"true"\|"false"/],
    ['HTTP_HEADERS_TIMEOUT', 'never', /duration such as/],
    ['HTTP_HEADERS_TIMEOUT', '0s', /from 100ms to 10m/],
    ['HTTP_REQUEST_TIMEOUT', '2h', /from 100ms to 1h/],
    ['HTTP_KEEP_ALIVE_TIMEOUT', '50ms', /from 100ms to 10m/],
    ['PORT', 'abc', /0 to 65535/],
    ['PORT', '70000', /0 to 65535/],
    ['PORT', '80.5', /integer/],
    ['ROLE', 'boss', /"all"\|"api"\|"worker"/],
    ['LOG_LEVEL', 'loud', /"info"/],
    ['NODE_ENV', 'prod', /"production"/],
    ['DATABASE_URL', 'mysql://x', /postgres(ql)?:\/\//],
    ['BOOTSTRAP_API_KEY', 'k'.repeat(31), /at least 32 characters/],
    ['ALLOW_HTTP_WEBHOOKS', 'yes', /"true"\|"false"/],
    ['DATABASE_PREPARED_STATEMENTS', 'off', /"true"\|"false"/],
    ['RETRY_SCHEDULE', '5x', /durations such as 5m/],
    ['RETRY_SCHEDULE', '5m,,2h', /durations such as 5m/],
    ['DELIVERY_TIMEOUT', 'soon', /duration such as/],
    ['DELIVERY_TIMEOUT', '30', /duration such as/],
    ['DELIVERY_CONCURRENCY', '0', /1 to 1000/],
    ['WEBHOOK_MAX_IN_FLIGHT', 'many', /1 to 1000/],
    ['PUBLIC_URL', 'hooks.example.com', /http:\/\/ or https:\/\/ URL/],
    ['PUBLIC_URL', 'https://hooks.example.com/?x=1', /without a query or fragment/],
    ['PORTAL_FRAME_ANCESTORS', "https://app.example.com 'self'", /origins separated by spaces or commas/],
    ['PORTAL_FRAME_ANCESTORS', 'https://app.example.com/path', /origins separated by spaces or commas/],
    ['PORTAL_ACCENT_COLOR', 'blue', /a colour such as #12abef/],
    ['PORTAL_ACCENT_COLOR', '#12abef; color: red', /a colour such as #12abef/],
    ['PORTAL_NAME', 'x'.repeat(81), /at most 80 characters/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /must be an http\(s\) URL/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317', /must be an http\(s\) URL/],
  ])('rejects %s=%s with a ConfigError naming the variable and what it accepts', (name, value, allowed) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    const line = message.split('\n').find((l) => l.trim().startsWith(`${name}:`));
    expect(line, message).toBeDefined();
    expect(line).toMatch(allowed);
  });

  it('reads the portal settings: PUBLIC_URL without a trailing slash, frame ancestors split on spaces and commas', () => {
    expect(loadConfig({})).toMatchObject({
      publicUrl: undefined,
      portalFrameAncestors: [],
      portalName: 'AI Platform Webhooks',
      portalAccentColor: undefined,
    });
    expect(
      loadConfig({
        PUBLIC_URL: 'https://hooks.example.com/',
        PORTAL_FRAME_ANCESTORS: 'https://app.example.com, https://*.example.org  http://localhost:3000',
        PORTAL_NAME: 'Acme Cloud',
        PORTAL_ACCENT_COLOR: '#12abef',
      }),
    ).toMatchObject({
      publicUrl: 'https://hooks.example.com',
      portalFrameAncestors: ['https://app.example.com', 'https://*.example.org', 'http://localhost:3000'],
      portalName: 'Acme Cloud',
      portalAccentColor: '#12abef',
    });
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', ROLE: 'boss' })).toThrow(/PORT:[\s\S]*ROLE:/);
  });
});

describe('README', () => {
  it('documents every variable src/config.ts reads, in the configuration table', () => {
    const source = readFileSync(path.join(root, 'src/config.ts'), 'utf8');
    const schemaBody = source.slice(source.indexOf('z.object({'), source.indexOf('\n});', source.indexOf('z.object({')));
    const variables = [...schemaBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'ROLE', 'BOOTSTRAP_API_KEY', 'RETRY_SCHEDULE']));
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const tableRows = readme.split('\n').filter((line) => line.startsWith('|'));
    const undocumented = variables.filter((name) => !tableRows.some((row) => row.startsWith(`| \`${name}\``)));
    expect(undocumented, 'add these variables to the configuration table in README.md').toEqual([]);
  });
});

describe('npm start with a bad configuration', () => {
  it('exits with code 2 and prints the variable', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
    };
    delete env.DATABASE_URL;
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: root,
      env: { ...env, ROLE: 'boss', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(2);
    expect(output).toMatch(/ROLE: .*"all"\|"api"\|"worker"/);
    expect(output).not.toMatch(/embedded PostgreSQL started|is running/);
  });
});
