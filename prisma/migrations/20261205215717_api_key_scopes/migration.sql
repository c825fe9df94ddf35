-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['webhooks:read', 'webhooks:write', 'events:publish', 'deliveries:read', 'deliveries:write', 'jobs:read']::TEXT[];

-- The first-start key (BOOTSTRAP_API_KEY, or the one generated on first start) is the platform's key.
UPDATE "api_keys" SET "scopes" = ARRAY['platform']::TEXT[] WHERE "name" = 'bootstrap';
