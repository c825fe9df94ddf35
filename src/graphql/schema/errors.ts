// The typed results of expected failures: every field that lists one in `errors` answers it as data.
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import { builder } from '../builder.js';
import { graphqlField, graphqlMessage } from '../errors.js';

/** Expected failures are results, not exceptions: every one implements this interface. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  fields: (t) => ({
    message: t.string({ resolve: (error) => (error instanceof DomainError ? graphqlMessage(error) : error.message) }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was rejected; `field` names the input field to fix.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.string({ resolve: (error) => graphqlField(error.field) }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'Nothing with that id exists in your project.',
  interfaces: [ErrorInterface],
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The request contradicts what is stored, e.g. an idempotency key reused for a different event.',
  interfaces: [ErrorInterface],
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: "The API key lacks the scope this operation needs; `scope` names it.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ scope: t.exposeString('scope') }),
});
