import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { builder } from '../builder.js';

/** Expected failures are results, not exceptions: every one implements this interface. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was rejected; `field` names the input field to fix.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
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
