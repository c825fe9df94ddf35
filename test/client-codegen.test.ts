// The client's generated code matches schema.graphql and the operations, and every root field has an operation.
import { readdir, readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, Kind, parse, validate, type DocumentNode, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';

const root = new URL('../', import.meta.url);
const operationsDir = new URL('client/src/operations/', root);
const generatedDir = new URL('client/src/generated/', root);

async function operationFiles(): Promise<Map<string, DocumentNode>> {
  const names = (await readdir(operationsDir)).filter((n) => n.endsWith('.graphql')).sort();
  const documents = new Map<string, DocumentNode>();
  for (const name of names) documents.set(name, parse(await readFile(new URL(name, operationsDir), 'utf8')));
  return documents;
}

describe('client codegen', () => {
  it('client/src/generated is what `npm run codegen` produces now', { timeout: 60_000 }, async () => {
    const outputs = (await generate({ ...config, cwd: root.pathname, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThan(0);
    const stale = 'client/src/generated is stale against schema.graphql or client/src/operations: run `npm run codegen`';
    for (const { filename, content } of outputs) {
      const onDisk = await readFile(new URL(filename, root), 'utf8').catch(() => '(missing)');
      expect(onDisk, `${filename}: ${stale}`).toBe(content);
    }
    const expected = outputs.map((o) => o.filename.replace(/^.*\//, '')).sort();
    expect((await readdir(generatedDir)).sort(), `unexpected files in client/src/generated: ${stale}`).toEqual(expected);
  });

  it('has one operations file per area, each valid against schema.graphql', async () => {
    const schema = buildSchema(await readFile(new URL('schema.graphql', root), 'utf8'));
    const documents = await operationFiles();
    expect([...documents.keys()]).toEqual([
      'deliveries.graphql',
      'events.graphql',
      'jobs.graphql',
      'listeners.graphql',
      'projects.graphql',
      'subscriptions.graphql',
      'tokens.graphql',
      'webhooks.graphql',
    ]);
    // Fragments are shared across files, so validate the files together.
    const all: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...documents.values()].flatMap((d) => d.definitions) };
    expect(validate(schema, all).map((e) => e.message)).toEqual([]);
  });

  it('has an operation for every query, mutation and subscription field of schema.graphql', async () => {
    const schema = buildSchema(await readFile(new URL('schema.graphql', root), 'utf8'));
    const selected = new Set<string>();
    for (const document of (await operationFiles()).values()) {
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        for (const selection of definition.selectionSet.selections) {
          if (selection.kind === Kind.FIELD) selected.add(`${definition.operation}.${selection.name.value}`);
        }
      }
    }
    const roots: [string, GraphQLObjectType | null | undefined][] = [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ];
    const fields = roots.flatMap(([kind, type]) => Object.keys(type?.getFields() ?? {}).map((f) => `${kind}.${f}`));
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((f) => !selected.has(f)), 'root fields without an operation in client/src/operations').toEqual([]);
  });
});
