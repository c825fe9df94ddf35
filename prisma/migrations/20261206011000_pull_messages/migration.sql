-- CreateTable
CREATE TABLE "pull_messages" (
    "delivery_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "seq" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pull_messages_pkey" PRIMARY KEY ("delivery_id")
);

-- CreateIndex
CREATE INDEX "pull_messages_webhook_id_xid_seq_idx" ON "pull_messages"("webhook_id", "xid", "seq");

-- AddForeignKey
ALTER TABLE "pull_messages" ADD CONSTRAINT "pull_messages_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
