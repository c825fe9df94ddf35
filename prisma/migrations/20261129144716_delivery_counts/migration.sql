-- CreateTable
CREATE TABLE "delivery_counts" (
    "id" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "status" "delivery_status" NOT NULL,
    "event_type" TEXT NOT NULL,
    "delta" BIGINT NOT NULL,

    CONSTRAINT "delivery_counts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "delivery_counts_webhook_id_project_id_status_event_type_idx" ON "delivery_counts"("webhook_id", "project_id", "status", "event_type");

-- Written by hand from here: the triggers that keep "delivery_counts" exact, and the counts of existing
-- deliveries. Each statement on "deliveries" appends, per key it changed, how many deliveries the key gained or
-- lost; a listing's total is the sum over its key's rows (src/delivery/counts.ts).

-- CreateFunction
CREATE FUNCTION "delivery_counts_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
  SELECT project_id, webhook_id, status, event_type, count(*) FROM new_deliveries
  GROUP BY project_id, webhook_id, status, event_type;
  RETURN NULL;
END $$;

-- CreateFunction
CREATE FUNCTION "delivery_counts_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An update that keeps every delivery's key (most of them: attempt counts, next attempt times) appends nothing.
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
  SELECT project_id, webhook_id, status, event_type, sum(delta) FROM (
    SELECT project_id, webhook_id, status, event_type, -1 AS delta FROM old_deliveries
    UNION ALL
    SELECT project_id, webhook_id, status, event_type, 1 FROM new_deliveries
  ) moved
  GROUP BY project_id, webhook_id, status, event_type
  HAVING sum(delta) <> 0;
  RETURN NULL;
END $$;

-- CreateFunction
CREATE FUNCTION "delivery_counts_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Deliveries deleted with their webhook need nothing appended: the webhook's rows go (delivery_counts_drop).
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, delta)
  SELECT project_id, webhook_id, status, event_type, -count(*) FROM old_deliveries d
  WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id)
  GROUP BY project_id, webhook_id, status, event_type;
  RETURN NULL;
END $$;

-- CreateFunction
CREATE FUNCTION "delivery_counts_drop"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM delivery_counts c USING old_webhooks w WHERE c.webhook_id = w.id;
  RETURN NULL;
END $$;

-- CreateTrigger
CREATE TRIGGER "deliveries_count_insert" AFTER INSERT ON "deliveries"
  REFERENCING NEW TABLE AS new_deliveries FOR EACH STATEMENT EXECUTE FUNCTION "delivery_counts_insert"();

-- CreateTrigger
CREATE TRIGGER "deliveries_count_update" AFTER UPDATE ON "deliveries"
  REFERENCING OLD TABLE AS old_deliveries NEW TABLE AS new_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION "delivery_counts_update"();

-- CreateTrigger
CREATE TRIGGER "deliveries_count_delete" AFTER DELETE ON "deliveries"
  REFERENCING OLD TABLE AS old_deliveries FOR EACH STATEMENT EXECUTE FUNCTION "delivery_counts_delete"();

-- CreateTrigger
CREATE TRIGGER "webhooks_drop_delivery_counts" AFTER DELETE ON "webhooks"
  REFERENCING OLD TABLE AS old_webhooks FOR EACH STATEMENT EXECUTE FUNCTION "delivery_counts_drop"();

-- Backfill: after the triggers, in the migration's transaction, so no delivery is counted twice or missed.
INSERT INTO "delivery_counts" ("project_id", "webhook_id", "status", "event_type", "delta")
SELECT "project_id", "webhook_id", "status", "event_type", count(*) FROM "deliveries"
GROUP BY "project_id", "webhook_id", "status", "event_type";
