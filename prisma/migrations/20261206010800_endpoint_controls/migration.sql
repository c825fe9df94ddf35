-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "header_names" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "propagate_trace_context" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "rate_limit_per_second" INTEGER,
ADD COLUMN     "sealed_headers" TEXT;

-- CreateTable
CREATE TABLE "webhook_rate_limits" (
    "webhook_id" TEXT NOT NULL,
    "allowed_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "webhook_rate_limits_pkey" PRIMARY KEY ("webhook_id")
);

-- AddForeignKey
ALTER TABLE "webhook_rate_limits" ADD CONSTRAINT "webhook_rate_limits_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
