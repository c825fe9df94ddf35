// The environment, read and validated once at start-up. A bad value stops the process with a message naming the
// variable and what it accepts.
import { z } from 'zod';
import { parseDuration } from './lib/duration.js';

const duration = (name: string, fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) ctx.addIssue({ code: 'custom', message: `${name} must be a duration such as 500ms, 30s, 5m, 2h` });
    return ms ?? 0;
  });

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('.data'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  BOOTSTRAP_API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ALLOW_HTTP_WEBHOOKS: z.enum(['true', 'false']).optional(),
  DELIVERY_TIMEOUT: duration('DELIVERY_TIMEOUT', '30s'),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  WEBHOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(10),
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
  port: number;
  host: string;
  dataDir: string;
  role: 'all' | 'api' | 'worker';
  bootstrapApiKey: string | undefined;
  logLevel: string;
  nodeEnv: 'development' | 'production' | 'test';
  /** Plain http:// webhook URLs are refused in production unless allowed here. */
  allowHttpWebhooks: boolean;
  deliveryTimeoutMs: number;
  deliveryConcurrency: number;
  webhookMaxInFlight: number;
  retryScheduleMs: number[];
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
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    role: e.ROLE,
    bootstrapApiKey: e.BOOTSTRAP_API_KEY,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    allowHttpWebhooks: e.ALLOW_HTTP_WEBHOOKS ? e.ALLOW_HTTP_WEBHOOKS === 'true' : e.NODE_ENV !== 'production',
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT,
    deliveryConcurrency: e.DELIVERY_CONCURRENCY,
    webhookMaxInFlight: e.WEBHOOK_MAX_IN_FLIGHT,
    retryScheduleMs: e.RETRY_SCHEDULE,
  };
}
