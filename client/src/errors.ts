// Expected failures as classes, so callers `catch (e) { if (e instanceof NotFoundError) … }` instead of reading
// GraphQL error arrays. Every error the client throws is a WebhooksClientError.

/** A GraphQL error as the server sends it. */
export type GraphQLErrorLike = {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
};

export class WebhooksClientError extends Error {
  override name = 'WebhooksClientError';
}

/** The input was rejected; `field` names the input field to fix (e.g. `url`, `events`, `data`). */
export class ValidationError extends WebhooksClientError {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Nothing with that id exists in the API key's project. */
export class NotFoundError extends WebhooksClientError {
  override name = 'NotFoundError';
}

/** The request contradicts what is stored, e.g. an idempotency key reused for a different event. */
export class ConflictError extends WebhooksClientError {
  override name = 'ConflictError';
}

/** The API key lacks the scope the operation needs (`scope` names it), or may not act in the project it named. */
export class ForbiddenError extends WebhooksClientError {
  override name = 'ForbiddenError';
  constructor(
    message: string,
    readonly scope: string | undefined,
  ) {
    super(message);
  }
}

/** The API key is missing, unknown or revoked (HTTP 401, or the WebSocket closed with 4403). */
export class AuthenticationError extends WebhooksClientError {
  override name = 'AuthenticationError';
}

/** The service could not be reached, or answered with something that is not a GraphQL response. */
export class NetworkError extends WebhooksClientError {
  override name = 'NetworkError';
  /** The HTTP status when the server answered, or the WebSocket close code. */
  readonly status: number | undefined;
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

/**
 * The server reported an error that is not one of the above: an invalid document, a limit (e.g.
 * `SUBSCRIPTION_LIMIT_EXCEEDED`) or an internal error. `code` is the first error's
 * `extensions.code`; `errors` keeps the server's errors for logging.
 */
export class ApiError extends WebhooksClientError {
  override name = 'ApiError';
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly errors: readonly GraphQLErrorLike[],
    readonly status?: number,
  ) {
    super(message);
    const code = errors[0]?.extensions?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** Maps a GraphQL `errors` array to the most specific error class. */
export function errorFromGraphQL(errors: readonly GraphQLErrorLike[], status?: number): WebhooksClientError {
  const codes = errors.map((e) => e.extensions?.code);
  const message = errors.map((e) => e.message).join('; ') || 'The server answered with an error';
  if (codes.includes('UNAUTHENTICATED') || status === 401) return new AuthenticationError(message);
  if (codes.includes('NOT_FOUND')) return new NotFoundError(message);
  const forbidden = errors.find((e) => e.extensions?.code === 'FORBIDDEN');
  if (forbidden || status === 403) {
    const scope = forbidden?.extensions?.scope;
    return new ForbiddenError(message, typeof scope === 'string' ? scope : undefined);
  }
  return new ApiError(message, errors, status);
}

/**
 * An error member of a result union: every error type implements the schema's `Error` interface and is named
 * `…Error`, and the operations select `... on Error { message }`.
 */
export type ErrorResult = { __typename: `${string}Error`; message: string };

const fieldOf = (result: object, key: string): string | undefined => {
  const value = (result as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
};

/** The typed error for an error member of a result union; undefined for anything else. */
export function errorOf(result: { __typename: string }): WebhooksClientError | undefined {
  if (!result.__typename.endsWith('Error') || !('message' in result)) return undefined;
  const message = String(result.message);
  switch (result.__typename) {
    case 'ValidationError':
      return new ValidationError(message, fieldOf(result, 'field') ?? '');
    case 'NotFoundError':
      return new NotFoundError(message);
    case 'ConflictError':
      return new ConflictError(message);
    case 'ForbiddenError':
      return new ForbiddenError(message, fieldOf(result, 'scope'));
    default:
      return new ApiError(message, [{ message, extensions: { code: result.__typename } }]);
  }
}

/** Throws the typed error for an error member of a result union; returns anything else unchanged. */
export function unwrap<T extends { __typename: string }>(result: T): Exclude<T, ErrorResult> {
  const error = errorOf(result);
  if (error) throw error;
  return result as Exclude<T, ErrorResult>;
}
