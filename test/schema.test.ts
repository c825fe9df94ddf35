// The committed schema.graphql is what the code serves: a stale file fails here.
import { readFile } from 'node:fs/promises';
import { buildSchema, lexicographicSortSchema, printSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../src/delivery/sending/http-client.js';
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

  it('names every kind of failure an attempt records in the errorKind description', async () => {
    const attempt = buildSchema(await committed()).getType('DeliveryAttempt') as GraphQLObjectType;
    const description = attempt.getFields().errorKind?.description ?? '';
    for (const kind of ERROR_KINDS) expect(description).toContain(kind);
  });
});
