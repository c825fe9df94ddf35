-- CreateTable
CREATE TABLE "listener_exchanges" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "headers" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "reply_topic" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3),
    "report" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "listener_exchanges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "listener_exchanges_webhook_id_created_at_idx" ON "listener_exchanges"("webhook_id", "created_at");

-- CreateIndex
CREATE INDEX "listener_exchanges_deadline_idx" ON "listener_exchanges"("deadline");

-- Exchanges live one attempt timeout: no WAL for their bodies. A crash empties the table; the attempts waiting on
-- its rows end as timeouts, recorded and retried like any other failure.
ALTER TABLE "listener_exchanges" SET UNLOGGED;
