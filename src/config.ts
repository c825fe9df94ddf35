// The environment, read and validated once at start-up. A bad value stops the process with a message naming the
// variable and what it accepts.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DestinationPolicy } from './delivery/sending/destination-policy.js';
import { parseDuration } from './lib/duration.js';

const duration = (fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s, 5m, 2h' });
    return ms ?? 0;
  });

const integer = (min: number, max: number, fallback: number) => {
  const message = `must be an integer from ${min} to ${max}`;
  return z.coerce.number(message).int(message).min(min, message).max(max, message).default(fallback);
};

const base64Key = z
  .string()
  .transform((value) => Buffer.from(value.trim(), 'base64'))
  .refine((key) => key.length === 32, 'must be the base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)');

/** A CSP source for frame-ancestors: an http(s) origin, its host optionally a `*.` wildcard, nothing after it. */
const isOrigin = (value: string) => /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(value);

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  PORT: integer(0, 65535, 4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('.data'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  WORKERS: integer(1, 1024, availableParallelism()),
  BOOTSTRAP_API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ALLOW_HTTP_WEBHOOKS: z.enum(['true', 'false']).optional(),
  GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
  DELIVERY_TIMEOUT: duration('30s').refine((ms) => ms >= 100 && ms <= 300_000, 'must be from 100ms to 5m'),
  DELIVERY_CONCURRENCY: integer(1, 1000, 50),
  WEBHOOK_MAX_IN_FLIGHT: integer(1, 1000, 10),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('aiplatform-webhooks'),
  DESTINATION_ALLOWLIST: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((cidrs) => cidrs.every(DestinationPolicy.isValidCidr), 'must be comma-separated CIDRs such as 10.0.0.0/8,::1/128'),
  SECRET_ENCRYPTION_KEY: base64Key.optional(),
  SECRET_ENCRYPTION_OLD_KEYS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(base64Key)),
  RATE_LIMIT_MAX: z.coerce
    .number('must be an integer from 0 to 1000000')
    .int('must be an integer from 0 to 1000000')
    .min(0, 'must be an integer from 0 to 1000000')
    .max(1_000_000, 'must be an integer from 0 to 1000000')
    .default(600),
  HTTP_HEADERS_TIMEOUT: duration('10s').refine((ms) => ms >= 100 && ms <= 600_000, 'must be from 100ms to 10m'),
  HTTP_REQUEST_TIMEOUT: duration('30s').refine((ms) => ms >= 100 && ms <= 3_600_000, 'must be from 100ms to 1h'),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('72s').refine((ms) => ms >= 100 && ms <= 600_000, 'must be from 100ms to 10m'),
  RATE_LIMIT_WINDOW: duration('1m').refine((ms) => ms >= 1000, 'must be a duration of at least 1s, e.g. 1m'),
  AUTH_FAILURE_LIMIT: integer(0, 1_000_000, 60),
  MAX_EVENT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RECOVERY_RATE_PER_SECOND: integer(1, 10_000, 50),
  JOB_POLL_INTERVAL: duration('5s').refine((ms) => ms >= 500, 'must be at least 500ms'),
  JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10, 'must be at least 10 (a pg-boss limit)').max(3600).default(30),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: integer(1, 10_000, 100),
  MAX_SUBSCRIPTIONS_PER_PROJECT: integer(1, 1_000_000, 1_000),
  PUBLIC_URL: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL without a query or fragment, such as https://webhooks.example.com')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  PORTAL_FRAME_ANCESTORS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .refine(
      (origins) => origins.every(isOrigin),
      'must be origins separated by spaces or commas, such as https://app.example.com https://*.example.com',
    ),
  PORTAL_NAME: z
    .string()
    .max(80, 'must be at most 80 characters')
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters')
    .default('AI Platform Webhooks'),
  PORTAL_ACCENT_COLOR: z
    .string()
    .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a colour such as #12abef')
    .optional(),
  RETRY_SCHEDULE: z
    .string()
    .default('5m,30m,2h,8h,24h')
    .transform((value, ctx) => {
      const steps = value.split(',').map((s) => parseDuration(s.trim()));
      if (steps.some((s) => s === null)) {
        ctx.addIssue({ code: 'custom', message: 'must be comma-separated durations such as 5m,30m,2h,8h,24h' });
      }
      return steps.map((s) => s ?? 0);
    }),
});

export type Config = {
  databaseUrl: string | undefined;
  /** Whether the inserts of every publish and delivery are prepared per connection (off behind PgBouncer < 1.21). */
  preparedStatements: boolean;
  port: number;
  host: string;
  dataDir: string;
  role: 'all' | 'api' | 'worker';
  /**
   * Processes of the set `npm start` runs (src/process-set/), each in `role`, sharing the HTTP port; the machine's
   * cores by default. 1: one process, no primary.
   */
  workers: number;
  bootstrapApiKey: string | undefined;
  logLevel: string;
  nodeEnv: 'development' | 'production' | 'test';
  /** Plain http:// webhook URLs are refused in production unless allowed here. */
  allowHttpWebhooks: boolean;
  /** Whether GraphQL answers introspection (`__schema`, `__type`); off in production unless turned on. */
  graphqlIntrospection: boolean;
  deliveryTimeoutMs: number;
  deliveryConcurrency: number;
  webhookMaxInFlight: number;
  /** OpenTelemetry traces go to this OTLP/HTTP collector; none when unset (src/observability/tracing.ts). */
  otlpEndpoint: string | undefined;
  otelServiceName: string;
  retryScheduleMs: number[];
  /** Non-public address ranges deliveries may reach anyway (local development, tests). */
  destinationAllowlist: string[];
  /** Seals webhook signing secrets at rest; generated into DATA_DIR outside production when unset. */
  secretEncryptionKey: Buffer | undefined;
  /** Earlier keys, still able to open what they sealed until `secrets rotate-key` re-seals it. */
  secretEncryptionOldKeys: Buffer[];
  /**
   * Requests one API key may make per window, across the process set, for REST and for GraphQL each (GraphQL over HTTP, SSE
   * and graphql-ws operations together); 0 turns it off.
   */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Failed authentications one client address may make per rate-limit window before it is refused; 0: no limit. */
  authFailureLimit: number;
  /** How long a client has to send a request's line and headers, and the whole request; then its connection closes. */
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after its last response. */
  httpKeepAliveTimeoutMs: number;
  /** Largest event `data` accepted, in bytes of JSON. */
  maxEventBytes: number;
  /** Events, deliveries and attempts older than this are deleted (pending retries excepted). */
  retentionDays: number;
  /** Deliveries one bulk recovery re-queues per second (the workers' pace, so live traffic goes on). */
  recoveryRatePerSecond: number;
  /** How often idle workers look for due retries (new deliveries wake them at once through NOTIFY). */
  jobPollIntervalMs: number;
  /** A job held by a worker that stopped heartbeating for this long is handed to another worker. */
  jobHeartbeatSeconds: number;
  /** Live subscriptions one graphql-ws connection (or SSE request) may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** Live subscriptions one project may hold at once, across the process set. */
  maxSubscriptionsPerProject: number;
  /** The service's public address, for portal links; the request's origin when unset. */
  publicUrl: string | undefined;
  /** Origins that may show the dashboard in a frame (CSP frame-ancestors); none when empty. */
  portalFrameAncestors: string[];
  /** The name the dashboard shows, and its accent colour (the default theme's when unset). */
  portalName: string;
  portalAccentColor: string | undefined;
};

export class ConfigError extends Error {}

/** Parses an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    preparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'true',
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    role: e.ROLE,
    workers: e.WORKERS,
    bootstrapApiKey: e.BOOTSTRAP_API_KEY,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    allowHttpWebhooks: e.ALLOW_HTTP_WEBHOOKS ? e.ALLOW_HTTP_WEBHOOKS === 'true' : e.NODE_ENV !== 'production',
    graphqlIntrospection: e.GRAPHQL_INTROSPECTION ? e.GRAPHQL_INTROSPECTION === 'true' : e.NODE_ENV !== 'production',
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT,
    deliveryConcurrency: e.DELIVERY_CONCURRENCY,
    webhookMaxInFlight: e.WEBHOOK_MAX_IN_FLIGHT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    otelServiceName: e.OTEL_SERVICE_NAME,
    retryScheduleMs: e.RETRY_SCHEDULE,
    destinationAllowlist: e.DESTINATION_ALLOWLIST,
    secretEncryptionKey: e.SECRET_ENCRYPTION_KEY,
    secretEncryptionOldKeys: e.SECRET_ENCRYPTION_OLD_KEYS,
    rateLimitMax: e.RATE_LIMIT_MAX,
    rateLimitWindowMs: e.RATE_LIMIT_WINDOW,
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT,
    httpKeepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT,
    maxEventBytes: e.MAX_EVENT_BYTES,
    retentionDays: e.RETENTION_DAYS,
    recoveryRatePerSecond: e.RECOVERY_RATE_PER_SECOND,
    jobPollIntervalMs: e.JOB_POLL_INTERVAL,
    jobHeartbeatSeconds: e.JOB_HEARTBEAT_SECONDS,
    maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxSubscriptionsPerProject: e.MAX_SUBSCRIPTIONS_PER_PROJECT,
    publicUrl: e.PUBLIC_URL,
    portalFrameAncestors: e.PORTAL_FRAME_ANCESTORS,
    portalName: e.PORTAL_NAME,
    portalAccentColor: e.PORTAL_ACCENT_COLOR,
  };
}
