// The one mapping from domain errors (src/app/errors.ts) to GraphQL. A field that lists a domain error in its
// `errors` answers it as a typed result (ValidationError, NotFoundError, ConflictError, ForbiddenError:
// src/graphql/schema/errors.ts). Anywhere else (a list, a relation, a subscription being set up), `useDomainErrors`
// turns it into a GraphQL error whose `extensions.code` says what happened (FORBIDDEN, NOT_FOUND, ...), on every
// transport. Anything else thrown is a bug, masked as "Unexpected error." and logged.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import { DomainError, ForbiddenError, SubscriptionLimitError, ValidationError } from '../app/errors.js';

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
  if (error instanceof ForbiddenError) return { code: error.code, scope: error.scope };
  if (error instanceof ValidationError) return { code: 'BAD_USER_INPUT', field: graphqlField(error.field) };
  return { code: error.code };
}

/** The error as the caller sees it: a domain error with its code, located where it was raised; others unchanged. */
function mapped(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (!(original instanceof DomainError)) return error;
  return new GraphQLError(graphqlMessage(original), {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions: extensionsOf(original),
  });
}

const mapResult = ({ result, setResult }: { result: ExecutionResult; setResult: (result: ExecutionResult) => void }) => {
  if (result.errors?.some((error) => error.originalError instanceof DomainError)) {
    setResult({ ...result, errors: result.errors.map(mapped) });
  }
};

/**
 * Maps domain errors in every result, before Yoga masks unexpected errors (plugins run in the order given, and
 * Yoga's masking comes after these).
 */
export const useDomainErrors = (): Plugin => ({
  onExecute: () => ({ onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, mapResult) }),
  onSubscribe: () => ({ onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, mapResult) }),
});
