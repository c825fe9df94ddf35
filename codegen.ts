// Generates the client's typed documents from the committed schema and the operations in client/src/operations.
// `npm run codegen`; test/client-codegen.test.ts fails when client/src/generated is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['client/src/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/generated/': {
      preset: 'client',
      presetConfig: {
        // Results are plain objects: fragments are a way to share selections, not to hide data.
        fragmentMasking: false,
      },
      config: {
        documentMode: 'string',
        // NodeNext: relative imports need their `.js` extension.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumType: 'string-literal',
        scalars: { DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
