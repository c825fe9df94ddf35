import { pino } from 'pino';

/**
 * An error as logged: pino's serialisation, less the fields that hold objects of some class (pg-pool hangs the
 * whole pg client on a dropped connection's error as `client`); those are named by their class only.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(serialized)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const kind = value.constructor;
    if (kind !== Object && kind !== undefined) serialized[field] = `[${kind.name}]`;
  }
  return serialized;
}

/** Structured JSON logs on stdout; secrets in headers never reach them. */
export const createLogger = (level: string, destination?: pino.DestinationStream) =>
  pino(
    {
      level,
      base: { service: 'aiplatform-webhooks' },
      redact: ['req.headers.authorization', 'headers.authorization'],
      serializers: { err: serializeError },
    },
    destination,
  );
