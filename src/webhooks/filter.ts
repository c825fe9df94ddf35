// A webhook's payload filter: which events of its subscribed types it receives, decided on the event's `data`. Pure:
// `parseFilter` checks a filter when a webhook is written (the error names the offending operator's path, e.g.
// `filter.result.approximation_ratio.$gte`), and `matches` decides an event at fan-out (src/events/publisher.ts) and
// in the dashboard's preview (`WebhookService.previewFilter`), so both answer alike.
//
// The language. A filter is a JSON object; each key is a field of the value at hand, or an operator on it:
//   - a field (any key not starting with `$`) descends: into an object by name, into an array by index ("0", "1"…);
//     its condition is an object (more fields and operators, applied to that field's value) or a plain value, which
//     means `$eq` that value (an array too);
//   - `$eq`, `$neq`: JSON equality (numbers by value, objects whatever their key order);
//   - `$in`, `$nin`: equal to one of (none of) a non-empty list;
//   - `$gt`, `$gte`, `$lt`, `$lte`: ordered against a number or a string (strings by code unit, so ISO timestamps
//     compare in time order); a value of another type does not match;
//   - `$startsWith`, `$endsWith`: a string prefix or suffix; a value that is not a string does not match;
//   - `$exists`: true when the field is present (even as null), false when it is missing;
//   - `$and`, `$or`: a non-empty list of conditions on the value at hand; `$not`: a condition it must not meet.
// Every key of an object must hold (an implicit `$and`); `{}` matches everything. A missing field is equal to
// nothing, not even null, so `$neq`/`$nin`/`$not` match it. A value that is an array matches `$eq`, `$in`, the
// orderings and the string operators when the array itself or any of its elements does (`{"tags": "gpu"}` matches
// `"tags": ["gpu", "a100"]`); `$neq`/`$nin` match when neither does.
//
// Why not a library: sift and mingo evaluate MongoDB queries, where a nested object is an exact match of the whole
// subdocument and paths are dotted strings (the issue's `{"result": {"approximation_ratio": {"$gte": 0.9}}}` would
// compare `result` to that object), they name `$ne` not `$neq`, and they validate nothing with a path. The evaluator
// here is small; what it must mean is the list above, tested in test/webhook-filter.test.ts.
import { ValidationError } from '../app/errors.js';
import { findJsonProblem } from '../lib/text.js';

/** A filter that parseFilter accepted. */
export type Filter = { readonly [key: string]: unknown };

/** Deepest nesting of objects and arrays in a filter (the filter itself is level 1). */
export const MAX_FILTER_DEPTH = 10;
/** Largest filter, as JSON. */
export const MAX_FILTER_BYTES = 4096;

type Operand = { check: (operand: unknown) => string | null; test: (operand: unknown, value: unknown) => boolean };

type JsonObject = { readonly [key: string]: unknown };
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON equality: numbers by value, arrays in order, objects whatever their key order (and prototype). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/** The value, or one of its elements when it is an array, meets `test`. */
const anyOf = (value: unknown, test: (item: unknown) => boolean) => test(value) || (Array.isArray(value) && value.some(test));

const equal = (value: unknown, operand: unknown) => anyOf(value, (item) => jsonEqual(item, operand));

const comparable = (operand: unknown) =>
  typeof operand === 'number' || typeof operand === 'string' ? null : 'must be a number or a string';
const ordered = (holds: (order: number) => boolean): Operand => ({
  check: comparable,
  test: (operand, value) =>
    anyOf(value, (item) => typeof item === typeof operand && holds(item! < operand! ? -1 : item! > operand! ? 1 : 0)),
});

const nonEmptyList = (operand: unknown) =>
  Array.isArray(operand) && operand.length > 0 ? null : 'must be a non-empty list of values';
const aString = (operand: unknown) => (typeof operand === 'string' ? null : 'must be a string');
const text = (holds: (item: string, operand: string) => boolean): Operand => ({
  check: aString,
  test: (operand, value) => anyOf(value, (item) => typeof item === 'string' && holds(item, operand as string)),
});

/** The operators on a value; `$and`, `$or` and `$not` (conditions, not values) are handled by `check` and `test`. */
const OPERATORS: Record<string, Operand> = {
  $eq: { check: () => null, test: (operand, value) => equal(value, operand) },
  $neq: { check: () => null, test: (operand, value) => !equal(value, operand) },
  $in: { check: nonEmptyList, test: (operand, value) => (operand as unknown[]).some((item) => equal(value, item)) },
  $nin: { check: nonEmptyList, test: (operand, value) => !(operand as unknown[]).some((item) => equal(value, item)) },
  $gt: ordered((order) => order > 0),
  $gte: ordered((order) => order >= 0),
  $lt: ordered((order) => order < 0),
  $lte: ordered((order) => order <= 0),
  $startsWith: text((item, operand) => item.startsWith(operand)),
  $endsWith: text((item, operand) => item.endsWith(operand)),
  $exists: {
    check: (operand) => (typeof operand === 'boolean' ? null : 'must be true or false'),
    test: (operand, value) => (value !== undefined) === operand,
  },
};
const LOGICAL = ['$and', '$or', '$not'];
export const FILTER_OPERATORS = [...Object.keys(OPERATORS), ...LOGICAL];

/** What a field of `value` holds: an object's own property, an array's element by index; undefined when missing. */
function fieldOf(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(key) ? value[Number(key)] : undefined;
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** Whether `value` (undefined: missing) meets a condition: an object of fields and operators, or a plain value. */
function test(condition: unknown, value: unknown): boolean {
  if (!isObject(condition)) return equal(value, condition);
  return Object.entries(condition).every(([key, operand]) => {
    if (key === '$and') return (operand as unknown[]).every((part) => test(part, value));
    if (key === '$or') return (operand as unknown[]).some((part) => test(part, value));
    if (key === '$not') return !test(operand, value);
    if (key.startsWith('$')) return OPERATORS[key]?.test(operand, value) ?? false;
    return test(operand, fieldOf(value, key));
  });
}

/** Whether an event's `data` meets the filter. */
export const matches = (filter: Filter, data: unknown): boolean => test(filter, data);

/** The first thing wrong with a condition, with its path below the filter; null when it is fine. */
function problemOf(condition: unknown, path: string[]): { path: string[]; message: string } | null {
  if (!isObject(condition)) return null;
  for (const [key, operand] of Object.entries(condition)) {
    const at = [...path, key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(operand) || operand.length === 0) return { path: at, message: 'must be a non-empty list of conditions' };
      for (const [i, part] of operand.entries()) {
        const problem = problemOf(part, [...at, String(i)]);
        if (problem) return problem;
      }
    } else if (key === '$not') {
      const problem = problemOf(operand, at);
      if (problem) return problem;
    } else if (key.startsWith('$')) {
      const operator = OPERATORS[key];
      if (!operator) return { path: at, message: `is not an operator; use one of ${FILTER_OPERATORS.join(', ')}` };
      const message = operator.check(operand);
      if (message) return { path: at, message };
    } else {
      const problem = problemOf(operand, at);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * Checks a filter before it is stored: a JSON object, at most MAX_FILTER_DEPTH levels deep and MAX_FILTER_BYTES
 * long, whose operators are known and take what they need. The error names the offending place from `field`
 * (`filter.result.approximation_ratio.$gte`, `filter.$or.1.status.$in`).
 */
export function parseFilter(raw: unknown, field = 'filter'): Filter {
  const refuse = (path: (string | number)[], message: string): never => {
    throw new ValidationError([field, ...path].join('.'), (f) => `${f} ${message}`);
  };
  if (!isObject(raw)) return refuse([], 'must be a JSON object of fields and operators, e.g. {"status": "completed"}');
  const jsonProblem = findJsonProblem(raw, MAX_FILTER_DEPTH);
  if (jsonProblem) refuse(jsonProblem.path, jsonProblem.message.replace(/\(the limit\)$/, '(the limit for a filter)'));
  const bytes = Buffer.byteLength(JSON.stringify(raw), 'utf8');
  if (bytes > MAX_FILTER_BYTES) refuse([], `is ${bytes} bytes as JSON; the limit is ${MAX_FILTER_BYTES}`);
  const problem = problemOf(raw, []);
  if (problem) refuse(problem.path, problem.message);
  return raw;
}
