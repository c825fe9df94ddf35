// Expected failures, returned to GraphQL clients as typed results (Pothos errors plugin) and to REST clients
// as JSON errors. Anything else is a bug and is masked.

export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request contradicts what is already stored, e.g. an idempotency key reused for a different event. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
