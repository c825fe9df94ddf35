// The payload filter's language (src/webhooks/filter.ts): what each operator matches, and what parseFilter refuses,
// with the path of the offending operator.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/app/errors.js';
import { matches, MAX_FILTER_BYTES, MAX_FILTER_DEPTH, parseFilter } from '../src/webhooks/filter.js';

const completed = {
  job_id: 'job-1',
  status: 'completed',
  problem_type: 'MAXCUT',
  result: { solution: [0, 1, 0, 1], objective_value: 8, approximation_ratio: 0.95, execution_time: 300 },
  tags: ['gpu', 'a100'],
  owner: null,
  finished_at: '2026-12-06T01:00:00Z',
};

/** Whether `filter` (checked first, as a saved one is) matches the event above. */
const on = (filter: unknown, data: unknown = completed) => matches(parseFilter(filter), data);

/** The ValidationError parseFilter raises, as [field, message]. */
function refusal(filter: unknown): [string, string] {
  try {
    parseFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [(error as ValidationError).field, (error as ValidationError).message];
  }
  throw new Error(`parseFilter accepted ${JSON.stringify(filter)}`);
}

describe('matches', () => {
  it("the issue's example: a plain value is $eq, an object descends", () => {
    const filter = { problem_type: 'MAXCUT', result: { approximation_ratio: { $gte: 0.9 } } };
    expect(on(filter)).toBe(true);
    expect(on(filter, { ...completed, result: { ...completed.result, approximation_ratio: 0.89 } })).toBe(false);
    expect(on(filter, { ...completed, problem_type: 'TSP' })).toBe(false);
    expect(on({})).toBe(true);
  });

  it('$eq and $neq compare JSON values: numbers by value, objects whatever their key order, arrays in order', () => {
    expect(on({ result: { objective_value: { $eq: 8.0 } } })).toBe(true);
    expect(on({ result: { objective_value: { $eq: '8' } } })).toBe(false);
    expect(on({ result: { $eq: { execution_time: 300, approximation_ratio: 0.95, objective_value: 8, solution: [0, 1, 0, 1] } } })).toBe(true);
    expect(on({ result: { $eq: { objective_value: 8 } } })).toBe(false);
    expect(on({ result: { solution: [0, 1, 0, 1] } })).toBe(true);
    expect(on({ result: { solution: [1, 0, 1, 0] } })).toBe(false);
    expect(on({ status: { $neq: 'failed' } })).toBe(true);
    expect(on({ status: { $neq: 'completed' } })).toBe(false);
    expect(on({ owner: null })).toBe(true);
    expect(on({ owner: { $neq: null } })).toBe(false);
    expect(on({ owner: false })).toBe(false);
  });

  it('$in and $nin: one of, none of', () => {
    expect(on({ problem_type: { $in: ['TSP', 'MAXCUT'] } })).toBe(true);
    expect(on({ problem_type: { $in: ['TSP', 'QUBO'] } })).toBe(false);
    expect(on({ problem_type: { $nin: ['TSP', 'QUBO'] } })).toBe(true);
    expect(on({ problem_type: { $nin: ['TSP', 'MAXCUT'] } })).toBe(false);
  });

  it('$gt, $gte, $lt, $lte order numbers and strings, and never a value of another type', () => {
    const ratio = (condition: unknown) => on({ result: { approximation_ratio: condition } });
    expect([ratio({ $gt: 0.95 }), ratio({ $gte: 0.95 }), ratio({ $lt: 0.95 }), ratio({ $lte: 0.95 })]).toEqual([false, true, false, true]);
    expect([ratio({ $gt: 0.9 }), ratio({ $lt: 1 }), ratio({ $gt: 1 }), ratio({ $lt: 0.9 })]).toEqual([true, true, false, false]);
    expect(on({ finished_at: { $gte: '2026-12-06T00:00:00Z', $lt: '2026-12-07T00:00:00Z' } })).toBe(true);
    expect(on({ finished_at: { $gt: '2026-12-06T02:00:00Z' } })).toBe(false);
    // A string is not ordered against a number, nor null against anything.
    expect(ratio({ $gt: '0' })).toBe(false);
    expect(on({ status: { $lt: 10 } })).toBe(false);
    expect(on({ owner: { $lte: 0 } })).toBe(false);
  });

  it('$startsWith and $endsWith match strings only', () => {
    expect(on({ job_id: { $startsWith: 'job-' } })).toBe(true);
    expect(on({ job_id: { $startsWith: 'run-' } })).toBe(false);
    expect(on({ job_id: { $endsWith: '-1' } })).toBe(true);
    expect(on({ job_id: { $endsWith: '-2' } })).toBe(false);
    expect(on({ result: { objective_value: { $startsWith: '8' } } })).toBe(false);
  });

  it('$exists: present (even as null) or missing', () => {
    expect(on({ owner: { $exists: true } })).toBe(true);
    expect(on({ error: { $exists: true } })).toBe(false);
    expect(on({ error: { $exists: false } })).toBe(true);
    expect(on({ result: { solution: { $exists: true } } })).toBe(true);
  });

  it('a missing field or a path through a non-object equals nothing, so negations match it', () => {
    expect(on({ error: null })).toBe(false);
    expect(on({ error: { $eq: null } })).toBe(false);
    expect(on({ error: { $neq: 'x' } })).toBe(true);
    expect(on({ error: { $nin: ['x'] } })).toBe(true);
    expect(on({ error: { $gte: 0 } })).toBe(false);
    expect(on({ status: { length: 9 } })).toBe(false);
    expect(on({ owner: { name: { $exists: false } } })).toBe(true);
    expect(on({ toString: { $exists: true } })).toBe(false);
    const ownProto = JSON.parse('{"__proto__": {"$exists": true}}') as unknown;
    expect(on(ownProto, JSON.parse('{"__proto__": 1}'))).toBe(true);
    expect(on(ownProto, {})).toBe(false);
  });

  it('arrays: a field descends by index; $eq, $in, orderings and string operators match the array or any element', () => {
    expect(on({ result: { solution: { '1': 1, '3': { $gte: 1 } } } })).toBe(true);
    expect(on({ result: { solution: { '0': 1 } } })).toBe(false);
    expect(on({ result: { solution: { '4': { $exists: false }, '01': { $exists: false }, x: { $exists: false } } } })).toBe(true);
    expect(on({ tags: 'gpu' })).toBe(true);
    expect(on({ tags: 'cpu' })).toBe(false);
    expect(on({ tags: ['gpu', 'a100'] })).toBe(true);
    expect(on({ tags: { $in: ['tpu', 'a100'] } })).toBe(true);
    expect(on({ tags: { $nin: ['tpu', 'a100'] } })).toBe(false);
    expect(on({ tags: { $neq: 'gpu' } })).toBe(false);
    expect(on({ tags: { $neq: 'cpu' } })).toBe(true);
    expect(on({ tags: { $startsWith: 'a1' } })).toBe(true);
    expect(on({ result: { solution: { $gt: 0 } } })).toBe(true);
    expect(on({ result: { solution: { $gt: 1 } } })).toBe(false);
    const detections = { detections: [{ class_name: 'person', confidence: 0.95 }, { class_name: 'car', confidence: 0.4 }] };
    expect(on({ detections: { '1': { class_name: 'car', confidence: { $lt: 0.5 } } } }, detections)).toBe(true);
    expect(on({ detections: { '0': { class_name: 'car' } } }, detections)).toBe(false);
  });

  it('$and, $or and $not combine conditions on the value at hand, at the top or under a field', () => {
    expect(on({ $or: [{ problem_type: 'TSP' }, { result: { objective_value: { $gt: 5 } } }] })).toBe(true);
    expect(on({ $or: [{ problem_type: 'TSP' }, { result: { objective_value: { $gt: 10 } } }] })).toBe(false);
    expect(on({ $and: [{ problem_type: 'MAXCUT' }, { status: 'completed' }] })).toBe(true);
    expect(on({ $and: [{ problem_type: 'MAXCUT' }, { status: 'failed' }] })).toBe(false);
    expect(on({ status: { $or: ['failed', 'completed'] } })).toBe(true);
    expect(on({ status: { $or: [{ $startsWith: 'fail' }, { $endsWith: 'led' }] } })).toBe(false);
    expect(on({ $not: { problem_type: 'TSP' } })).toBe(true);
    expect(on({ $not: { problem_type: 'MAXCUT' } })).toBe(false);
    expect(on({ result: { approximation_ratio: { $not: { $lt: 0.9 } } } })).toBe(true);
    expect(on({ error: { $not: { $startsWith: 'x' } } })).toBe(true);
    // Every key must hold: fields and operators side by side.
    expect(on({ problem_type: 'MAXCUT', $not: { status: 'completed' } })).toBe(false);
    expect(on({ result: { $exists: true, approximation_ratio: { $gt: 0.9, $lt: 0.96 } } })).toBe(true);
    expect(on({ result: { $exists: true, approximation_ratio: { $gt: 0.9, $lt: 0.95 } } })).toBe(false);
  });

  it('matches data whose objects have no prototype (a GraphQL literal) as any other', () => {
    const filter = Object.assign(Object.create(null) as object, { result: { $eq: Object.assign(Object.create(null) as object, { a: 1 }) } });
    expect(on(filter, { result: { a: 1 } })).toBe(true);
  });
});

describe('parseFilter', () => {
  it('accepts the language and returns the filter as given', () => {
    const filter = { problem_type: 'MAXCUT', $or: [{ a: { $in: [1, 2] } }, { b: { $exists: false } }], c: { $not: { $endsWith: 'x' } } };
    expect(parseFilter(filter)).toBe(filter);
  });

  it('refuses anything but an object', () => {
    for (const raw of [null, 'status', 3, [{ status: 'completed' }]]) {
      expect(refusal(raw)).toEqual(['filter', expect.stringContaining('filter must be a JSON object')]);
    }
  });

  it('names the path of an unknown operator', () => {
    expect(refusal({ result: { approximation_ratio: { $gtee: 0.9 } } })).toEqual([
      'filter.result.approximation_ratio.$gtee',
      expect.stringContaining('is not an operator; use one of $eq, $neq, $in'),
    ]);
    expect(refusal({ $or: [{ a: 1 }, { b: { $ne: 2 } }] })[0]).toBe('filter.$or.1.b.$ne');
    expect(refusal({ $not: { a: { $regex: 'x' } } })[0]).toBe('filter.$not.a.$regex');
  });

  it("names the path of an operator given what it cannot take", () => {
    expect(refusal({ result: { approximation_ratio: { $gte: '0.9x', $lt: true } } })).toEqual([
      'filter.result.approximation_ratio.$lt',
      'filter.result.approximation_ratio.$lt must be a number or a string',
    ]);
    expect(refusal({ a: { $gt: null } })[0]).toBe('filter.a.$gt');
    expect(refusal({ a: { $in: 'x' } })).toEqual(['filter.a.$in', 'filter.a.$in must be a non-empty list of values']);
    expect(refusal({ a: { $nin: [] } })[0]).toBe('filter.a.$nin');
    expect(refusal({ a: { $exists: 'yes' } })).toEqual(['filter.a.$exists', 'filter.a.$exists must be true or false']);
    expect(refusal({ a: { $startsWith: 1 } })[0]).toBe('filter.a.$startsWith');
    expect(refusal({ a: { $endsWith: ['x'] } })[0]).toBe('filter.a.$endsWith');
    expect(refusal({ $and: [] })).toEqual(['filter.$and', 'filter.$and must be a non-empty list of conditions']);
    expect(refusal({ $or: { a: 1 } })[0]).toBe('filter.$or');
  });

  it('bounds the depth', () => {
    let deep: Record<string, unknown> = { $eq: 1 };
    for (let level = 2; level <= MAX_FILTER_DEPTH; level += 1) deep = { a: deep };
    expect(parseFilter(deep)).toBe(deep);
    const [field, message] = refusal({ a: deep });
    expect(field).toBe(`filter${'.a'.repeat(MAX_FILTER_DEPTH)}`);
    expect(message).toContain(`more than ${MAX_FILTER_DEPTH} levels deep`);
    // Far deeper than any stack: refused by the walk that does not recurse.
    let abyss: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) abyss = { $not: abyss };
    expect(refusal(abyss)[1]).toContain('levels deep');
  });

  it('bounds the size', () => {
    const list = (n: number) => ({ a: { $in: Array.from({ length: n }, (_, i) => `value-${String(i).padStart(4, '0')}`) } });
    const fits = Math.floor((MAX_FILTER_BYTES - JSON.stringify(list(0)).length) / '"value-0000",'.length);
    expect(parseFilter(list(fits))).toEqual(list(fits));
    expect(refusal(list(fits + 1))).toEqual(['filter', expect.stringMatching(/^filter is \d+ bytes as JSON; the limit is 4096$/)]);
  });

  it('refuses strings Postgres cannot store, by their path', () => {
    expect(refusal({ a: { $eq: 'x\u0000' } })[0]).toBe('filter.a.$eq');
    expect(refusal({ 'b\ud800': 1 })[0]).toBe('filter.b\ud800');
  });
});
