import { defineConfig } from 'prisma/config';

// The CLI is used only to generate the client (offline); migrations run through src/db/migrations.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
