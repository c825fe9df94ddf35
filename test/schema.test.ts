// The committed schema.graphql is what the code serves: a stale file fails here.
import { readFile } from 'node:fs/promises';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../src/graphql/print.js';

const committed = () => readFile(new URL('../schema.graphql', import.meta.url), 'utf8');

describe('schema.graphql', () => {
  it('equals the printed Pothos schema', async () => {
    expect(await committed(), 'schema.graphql is stale: run `npm run schema:print` and commit the result').toBe(
      printedSchema(),
    );
  });

  it('is sorted lexicographically', async () => {
    const text = await committed();
    expect(`${printSchema(lexicographicSortSchema(buildSchema(text)))}\n`).toBe(text);
  });
});
