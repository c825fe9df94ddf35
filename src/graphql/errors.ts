// The one mapping from domain errors (src/app/errors.ts) to GraphQL. A field that lists a domain error in its
// `errors` answers it as a typed result (ValidationError, NotFoundError, ConflictError: src/graphql/schema/errors.ts);
// where a result cannot carry it (a subscription being set up), `graphqlErrors` turns it into a GraphQL error whose
// `extensions.code` says what happened. Anything else thrown is a bug, masked as "Unexpected error." and logged.
import { GraphQLError } from 'graphql';
import { DomainError, SubscriptionLimitError, ValidationError } from '../app/errors.js';

/** GraphQL's name for a logical input field: the inputs are named as in the domain, but for an event's `type`. */
export function graphqlField(field: string): string {
  const [head = '', ...rest] = field.split('.');
  return [head === 'eventType' ? 'type' : head, ...rest].join('.');
}

/** A domain error's message, its field named as GraphQL names it. */
export const graphqlMessage = (error: DomainError): string =>
  error instanceof ValidationError ? error.messageFor(graphqlField) : error.message;

function extensionsOf(error: DomainError): Record<string, unknown> {
  if (error instanceof SubscriptionLimitError) return { code: error.code, scope: error.scope, limit: error.limit };
  if (error instanceof ValidationError) return { code: 'BAD_USER_INPUT', field: graphqlField(error.field) };
  return { code: error.code };
}

/** Runs `work`; a domain error it raises comes out as a GraphQL error with its code, anything else as it was. */
export async function graphqlErrors<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw new GraphQLError(graphqlMessage(error), { extensions: extensionsOf(error) });
    throw error;
  }
}
