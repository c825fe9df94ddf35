// What every string the API accepts must be, decided once for REST (src/rest/schemas.ts), GraphQL (the input
// guard in src/graphql/limits.ts) and event data (src/events/validate.ts): storable by Postgres, which refuses NUL
// characters in text and jsonb and lone UTF-16 surrogates in jsonb.

/** Deepest nesting of objects and arrays accepted in event data (`data` itself is level 1). */
export const MAX_JSON_DEPTH = 32;

/** What is wrong with a string, as the end of a sentence naming the field; null when it is fine. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  // With the u flag a surrogate pair is one code point: only a lone surrogate matches \p{Cs}.
  if (/\p{Cs}/u.test(value)) return 'contains a lone UTF-16 surrogate (such as \\ud800), which is not valid Unicode';
  return null;
}

export type JsonProblem = { path: (string | number)[]; message: string };

/**
 * The first string (value or key) with a textProblem in a JSON value, or the first place it nests deeper than
 * maxDepth. Walks without recursion, so any depth is safe to check.
 */
export function findJsonProblem(root: unknown, maxDepth = Number.POSITIVE_INFINITY): JsonProblem | null {
  type Place = { value: unknown; key: string | number | null; parent: Place | null; depth: number };
  const pathOf = (place: Place) => {
    const path: (string | number)[] = [];
    for (let at: Place | null = place; at && at.key !== null; at = at.parent) path.unshift(at.key);
    return path;
  };
  const pending: Place[] = [{ value: root, key: null, parent: null, depth: 0 }];
  for (let place = pending.pop(); place; place = pending.pop()) {
    const { value } = place;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { path: pathOf(place), message: problem };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (place.depth >= maxDepth) {
      return { path: pathOf(place), message: `nests objects and arrays more than ${maxDepth} levels deep (the limit)` };
    }
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries.reverse()) {
      const entry = { value: child, key, parent: place, depth: place.depth + 1 };
      const keyProblem = typeof key === 'string' ? textProblem(key) : null;
      if (keyProblem) return { path: pathOf(entry), message: `has a key that ${keyProblem}` };
      pending.push(entry);
    }
  }
  return null;
}
