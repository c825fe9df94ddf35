// Every REST error has one shape, `{ "error": { "code", "message", "field"? } }`. This module turns whatever was
// thrown (domain errors, schema validation, Fastify's body parsing, the rate limiter) into that shape: the one
// mapping from domain errors (src/app/errors.ts) to HTTP statuses.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConflictError, ForbiddenError, NotFoundError, SubscriptionLimitError, ValidationError } from '../app/errors.js';

export type ErrorCode =
  | 'invalid_json'
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'rate_limited'
  | 'internal_error';

export type ErrorBody = { error: { code: ErrorCode; message: string; field?: string } };

/** An error answered as is: thrown by the REST layer itself (authentication, rate limit, bad cursor, ...). */
export class RestError extends Error {
  override name = 'RestError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** REST's name for a logical input field (`idempotencyKey`): snake_case. Nested paths keep their keys (`data.job_id`). */
const restField = (field: string) => {
  const [head = '', ...rest] = field.split('.');
  return [head.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), ...rest].join('.');
};

const FASTIFY_ERRORS: Record<string, { status: number; code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send request bodies as JSON with the header "Content-Type: application/json"',
  },
};

/** The status and body that answer `error` (also one item's answer in a batch). */
export function describeError(error: unknown): { status: number; body: ErrorBody } {
  const answer = (status: number, code: ErrorCode, message: string, field?: string) => ({
    status,
    body: { error: { code, message, ...(field !== undefined && { field }) } },
  });
  if (error instanceof RestError) return answer(error.status, error.code, error.message, error.field);
  if (error instanceof ValidationError) {
    return answer(422, 'validation_failed', error.messageFor(restField), restField(error.field));
  }
  if (error instanceof NotFoundError) return answer(404, 'not_found', error.message);
  if (error instanceof ForbiddenError) return answer(403, 'forbidden', error.message);
  if (error instanceof ConflictError) {
    return answer(409, 'conflict', error.message, error.field === undefined ? undefined : restField(error.field));
  }
  // A waiting read beyond the caller's live slots (src/app/messages.ts).
  if (error instanceof SubscriptionLimitError) return answer(429, 'rate_limited', error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const [issue] = error.validation;
    const where = (error as FastifyError).validationContext;
    const path = issue!.instancePath.split('/').filter(Boolean);
    const keys = (issue!.params as { keys?: string[] }).keys;
    // An unknown body field is named by the field; a body that is not an object at all names nothing.
    const field = issue!.keyword === 'unrecognized_keys' && keys?.length ? [...path, keys[0]!].join('.') : path.join('.');
    const message = issue!.message ?? 'Invalid input';
    if (field) return answer(422, 'validation_failed', `${field}: ${message}`, field);
    const notAnObject = where === 'body' && issue!.keyword === 'invalid_type';
    return answer(422, 'validation_failed', notAnObject ? 'The request body must be a JSON object' : message);
  }
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return answer(known.status, known.code, known.message ?? fastifyError.message ?? '');
  // Body parsing found a forbidden key such as __proto__: as malformed as broken JSON.
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) return answer(400, 'invalid_json', error.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return answer(fastifyError.statusCode, 'bad_request', fastifyError.message ?? 'Bad request');
  }
  return answer(500, 'internal_error', 'Internal server error; the request id identifies it in the logs');
}

export function restErrorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = describeError(error);
  if (status >= 500) req.log.error({ err: error }, 'REST request failed');
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(body);
}

/**
 * Fastify's `frameworkErrors`: a request refused before routing (a path that is not valid percent-encoding such as
 * `/v1/webhooks/%ff%fe`), answered in the one error shape.
 */
export function restFrameworkErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } =
    error.code === 'FST_ERR_BAD_URL'
      ? {
          status: 400,
          body: { error: { code: 'bad_request', message: 'The request path is not valid percent-encoded UTF-8; encode it again', field: 'path' } },
        }
      : describeError(error);
  req.log.warn({ err: error }, 'Request refused before routing');
  return reply.code(status).send(body);
}

export function restNotFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
}
