// The expected failures of the use cases, raised by the application services and the domain rules they call. They
// speak no transport: a field is named by its logical name (`url`, `eventType`, `gracePeriodSeconds`,
// `data.result.solution`), and a message is written for whatever name the transport gives that field. The one
// mapping to GraphQL lives in src/graphql/errors.ts, the one to HTTP in src/rest/errors.ts. Anything else thrown
// is a bug: logged, and masked to the caller.

/** Every expected failure, by what went wrong. */
export type DomainErrorCode = 'VALIDATION_FAILED' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'SUBSCRIPTION_LIMIT_EXCEEDED';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** Writes a message naming the field as the caller knows it (`event_type` on REST, `type` on GraphQL). */
export type Describe = (fieldName: string) => string;

/** The input was refused; `field` is the logical path of the input to fix. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly field: string,
    readonly describe: Describe,
  ) {
    super(describe(field));
  }

  /** The message, with the field named as a transport names it (`fieldName` maps the logical path). */
  messageFor(fieldName: (field: string) => string): string {
    return this.describe(fieldName(this.field));
  }
}

/** Nothing with that id exists for the caller: another project's resource is indistinguishable from none. */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
}

/** The request contradicts what is already stored, e.g. an idempotency key reused for a different event. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  readonly code = 'CONFLICT';

  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The caller's credential lacks the scope the use case needs. */
export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';

  constructor(
    message: string,
    readonly scope: string,
  ) {
    super(message);
  }
}

/** A cap on live subscriptions held by this process: per transport connection, or per project. */
export class SubscriptionLimitError extends DomainError {
  override name = 'SubscriptionLimitError';
  readonly code = 'SUBSCRIPTION_LIMIT_EXCEEDED';

  constructor(
    message: string,
    readonly scope: 'connection' | 'project',
    readonly limit: number,
  ) {
    super(message);
  }
}
