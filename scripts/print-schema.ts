// Prints the Pothos schema, sorted, to schema.graphql (a test fails when the committed file is stale).
import { writeFileSync } from 'node:fs';
import { printedSchema } from '../src/graphql/print.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('schema.graphql written');
