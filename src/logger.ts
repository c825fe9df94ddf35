import { pino } from 'pino';

/** Structured JSON logs on stdout; secrets in headers never reach them. */
export const createLogger = (level: string) =>
  pino({
    level,
    base: { service: 'aiplatform-webhooks' },
    redact: ['req.headers.authorization', 'headers.authorization'],
  });
