// Bounds on what one GraphQL request may ask for, so no query can exhaust the server. Every transport (HTTP, SSE,
// graphql-ws) runs through the same envelop, so these hold on each alike.
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { BREAK, GraphQLError, Kind, NoSchemaIntrospectionCustomRule, parse, visit, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { findJsonProblem, textProblem } from '../lib/text.js';

export const MAX_DEPTH = 10;
export const MAX_ALIASES = 15;
export const MAX_COST = 5000;
/** Tokens one document may hold: bounds the parser's recursion (and all later walks of the document). */
export const MAX_TOKENS = 2000;

/** graphql-js parses with a token limit: a document nested 20,000 deep stops at MAX_TOKENS, not with a stack overflow. */
const useTokenLimit = (): Plugin => ({
  onParse: ({ setParseFn }) => setParseFn((source, options) => parse(source, { ...options, maxTokens: MAX_TOKENS })),
});

/** The first string argument, in the document or the variables, that Postgres could not store; named by its path. */
function findTextProblem(document: DocumentNode, variables: unknown): GraphQLError | null {
  const refuse = (field: string, problem: string) =>
    new GraphQLError(`${field}: ${problem}`, { extensions: { code: 'BAD_USER_INPUT', field } });
  const fromVariables = findJsonProblem(variables);
  if (fromVariables) return refuse(fromVariables.path.join('.'), fromVariables.message);
  const names: string[] = [];
  let found: GraphQLError | null = null;
  visit(document, {
    Argument: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    ObjectField: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    VariableDefinition: { enter: (node) => void names.push(node.variable.name.value), leave: () => void names.pop() },
    [Kind.STRING]: (node) => {
      const problem = textProblem(node.value);
      if (!problem) return undefined;
      found = refuse(names.join('.'), problem);
      return BREAK;
    },
  });
  return found;
}

/** Refuses, before anything runs, an operation carrying a string Postgres cannot store (src/lib/text.ts). */
const useStorableText = (): Plugin => ({
  onExecute: ({ args, setResultAndStopExecution }) => {
    const error = findTextProblem(args.document, args.variableValues);
    if (error) setResultAndStopExecution({ errors: [error] });
  },
  onSubscribe: ({ args, setResultAndStopExecution }) => {
    const error = findTextProblem(args.document, args.variableValues);
    if (error) setResultAndStopExecution({ errors: [error] });
  },
});

/** Introspection refused (graphql-js' own rule): nothing of the project reads the schema at run time. */
const useNoIntrospection = (): Plugin => ({
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
});

/**
 * graphql-js' suggestions, as its didYouMean writes them: ` Did you mean "a", "b", or "c"?`, ` Did you mean the enum
 * value "X"?`, ` Did you mean to use an inline fragment on "T"?` (names never hold a `?`).
 */
const SUGGESTION = / Did you mean [^?]*\?/g;
const dropSuggestions = (errors: readonly Error[] | undefined) => {
  for (const error of errors ?? []) error.message = error.message.replace(SUGGESTION, '');
};

/**
 * No names suggested, in validation errors nor in the variable errors execution answers with: they would tell a
 * caller the schema's fields, arguments and enum values one guess at a time.
 */
const useNoSuggestions = (): Plugin => ({
  onValidate: () => ({ result }) => dropSuggestions(result),
  onExecute: () => ({
    onExecuteDone: ({ result }) => {
      if (!isAsyncIterable(result)) dropSuggestions(result.errors);
    },
  }),
  onSubscribe: () => ({
    onSubscribeResult: ({ result }) => {
      if (!isAsyncIterable(result)) dropSuggestions(result.errors);
    },
  }),
});

export type SchemaExposure = {
  /** Whether `__schema` and `__type` may be queried (off in production unless GRAPHQL_INTROSPECTION=true). */
  introspection: boolean;
  /** Whether validation errors suggest names ("Did you mean …?"); off in production. */
  suggestions: boolean;
};

export const limitPlugins = (exposure: SchemaExposure) => [
  useTokenLimit(),
  maxDepthPlugin({ n: MAX_DEPTH, flattenFragments: true }),
  maxAliasesPlugin({ n: MAX_ALIASES }),
  costLimitPlugin({ maxCost: MAX_COST }),
  useStorableText(),
  ...(exposure.introspection ? [] : [useNoIntrospection()]),
  ...(exposure.suggestions ? [] : [useNoSuggestions()]),
  // A browser sends a cross-site "simple" request without preflight; ours carry Authorization (or an explicit
  // CSRF header), which a cross-site form or <img> cannot add.
  useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf'] }),
];
