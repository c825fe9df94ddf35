-- AlterTable (consecutive_failures came with webhook_stats)
ALTER TABLE "webhooks" ADD COLUMN     "failure_announced" BOOLEAN NOT NULL DEFAULT false;
