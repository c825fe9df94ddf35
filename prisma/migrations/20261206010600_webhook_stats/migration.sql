-- Webhook stats (src/webhooks/stats.ts): the health columns kept on each webhook, and the time buckets of its attempts.
-- Both are written by the recorder, in the transaction that records the attempts (src/db/sql/webhook-stats.ts).
-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "last_failure_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_success_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "webhook_stats" (
    "webhook_id" TEXT NOT NULL,
    "bucket_seconds" INTEGER NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "response_times" INTEGER[],

    CONSTRAINT "webhook_stats_pkey" PRIMARY KEY ("webhook_id","bucket_seconds","bucket_start")
);

-- CreateIndex
CREATE INDEX "webhook_stats_bucket_seconds_bucket_start_idx" ON "webhook_stats"("bucket_seconds", "bucket_start");

-- AddForeignKey
ALTER TABLE "webhook_stats" ADD CONSTRAINT "webhook_stats_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
