-- CreateEnum
CREATE TYPE "recovery_state" AS ENUM ('RUNNING', 'COMPLETED');

-- CreateTable
CREATE TABLE "recoveries" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "statuses" "delivery_status"[],
    "total" INTEGER NOT NULL,
    "requeued" INTEGER NOT NULL DEFAULT 0,
    "state" "recovery_state" NOT NULL DEFAULT 'RUNNING',
    "after_created_at" TIMESTAMPTZ(3),
    "after_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "recoveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "recoveries_project_id_idx" ON "recoveries"("project_id");

-- CreateIndex
CREATE UNIQUE INDEX "recoveries_webhook_id_since_until_statuses_key" ON "recoveries"("webhook_id", "since", "until", "statuses");

-- CreateIndex
CREATE INDEX "events_project_id_timestamp_id_idx" ON "events"("project_id", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "deliveries_project_id_created_at_id_idx" ON "deliveries"("project_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "deliveries_project_id_status_created_at_id_idx" ON "deliveries"("project_id", "status", "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "recoveries" ADD CONSTRAINT "recoveries_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recoveries" ADD CONSTRAINT "recoveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
