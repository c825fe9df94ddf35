// Builds the operators' dashboard into dashboard/dist, which the service serves at /dashboard (src/http/dashboard.ts).
// `npm run dashboard:dev` serves it with hot reload and forwards /graphql (HTTP and WebSocket) to `npm start`.
import { defineConfig } from 'vite';

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: '/dashboard/',
  // No public/ folder: everything the page needs is imported, so it gets a hashed file name.
  publicDir: false,
  resolve: {
    // The typed client from its source: one build, no separate `npm run client:build` step needed.
    alias: { '@aiplatform/webhooks-client': here('../client/src/index.ts') },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // A dashboard is loaded rarely and kept open: one small bundle is fine.
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
