-- CreateEnum
CREATE TYPE "webhook_kind" AS ENUM ('HTTP', 'LISTEN', 'PULL');

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "kind" "webhook_kind" NOT NULL DEFAULT 'HTTP',
ALTER COLUMN "url" DROP NOT NULL;

-- A URL exactly for HTTP webhooks: the other kinds' receivers open the connection.
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_url_by_kind" CHECK (("kind" = 'HTTP') = ("url" IS NOT NULL));
