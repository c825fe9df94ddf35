import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql 16's CommonJS entry for dependencies; Vite would pick its .mjs twin for our own imports,
    // giving two copies of graphql. Point ours at the same entry.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file gets its own database, so files run in parallel safely.
    fileParallelism: true,
  },
});
