-- Attempt records stop copying their request (issue 21). The body is a function of the event and retry_count, the
-- headers of the delivery, the event, the instant the request was signed (started_at) and how many secrets signed
-- it; a new attempt keeps only what those do not give, and every read rebuilds the rest (attemptRequest in
-- src/delivery/sending/attempt-request.ts). Each new column is null when it holds the usual value.
ALTER TABLE "delivery_attempts"
  ADD COLUMN "retry_count" INTEGER,
  ADD COLUMN "signature_count" SMALLINT,
  ADD COLUMN "traceparent" TEXT,
  ADD COLUMN "header_names" TEXT[],
  -- Attempts recorded until now keep their copy, shown as stored: nothing proves that the code which recorded
  -- each wrote exactly what is rebuilt today. Null, so free, for every later attempt; gone with retention.
  ALTER COLUMN "request_headers" DROP NOT NULL,
  ALTER COLUMN "request_body" DROP NOT NULL;

-- The attempt's id was never shown anywhere: (delivery_id, number) is its key, one index where there were two.
ALTER TABLE "delivery_attempts" DROP CONSTRAINT "delivery_attempts_pkey", DROP COLUMN "id";
ALTER TABLE "delivery_attempts"
  ADD CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY USING INDEX "delivery_attempts_delivery_id_number_key";
