-- Delivery counters without a row per delivery (docs/performance.md, "Delivery counters: a row per writer, not per
-- statement"). Each statement on "deliveries" adds its change per key to the writing backend's row of that key (its
-- slot: pg_backend_pid(), never the same for two backends at once), so no two transactions in flight update one
-- row; a row is appended only when a backend first writes a key after a fold. Folded rows are in slot 0.
ALTER TABLE "delivery_counts" ADD COLUMN     "slot" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "delivery_counts_slot_key" ON "delivery_counts"("webhook_id", "project_id", "status", "event_type", "slot") WHERE (slot <> 0);

-- Written by hand from here. Room on each page for a row's next versions: an upsert that only changes "delta" (no
-- index covers it) is then a HOT update, with no index entry.
ALTER TABLE "delivery_counts" SET (fillfactor = 50);

CREATE OR REPLACE FUNCTION "delivery_counts_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, slot, delta)
  SELECT project_id, webhook_id, status, event_type, pg_backend_pid(), count(*) FROM new_deliveries
  GROUP BY project_id, webhook_id, status, event_type
  ON CONFLICT (webhook_id, project_id, status, event_type, slot) WHERE slot <> 0
  DO UPDATE SET delta = delivery_counts.delta + excluded.delta;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "delivery_counts_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An update that keeps every delivery's key (most of them: attempt counts, next attempt times) writes nothing.
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, slot, delta)
  SELECT project_id, webhook_id, status, event_type, pg_backend_pid(), sum(delta) FROM (
    SELECT project_id, webhook_id, status, event_type, -1 AS delta FROM old_deliveries
    UNION ALL
    SELECT project_id, webhook_id, status, event_type, 1 FROM new_deliveries
  ) moved
  GROUP BY project_id, webhook_id, status, event_type
  HAVING sum(delta) <> 0
  ON CONFLICT (webhook_id, project_id, status, event_type, slot) WHERE slot <> 0
  DO UPDATE SET delta = delivery_counts.delta + excluded.delta;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "delivery_counts_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Deliveries deleted with their webhook need nothing written: the webhook's rows go (delivery_counts_drop).
  INSERT INTO delivery_counts (project_id, webhook_id, status, event_type, slot, delta)
  SELECT project_id, webhook_id, status, event_type, pg_backend_pid(), -count(*) FROM old_deliveries d
  WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id)
  GROUP BY project_id, webhook_id, status, event_type
  ON CONFLICT (webhook_id, project_id, status, event_type, slot) WHERE slot <> 0
  DO UPDATE SET delta = delivery_counts.delta + excluded.delta;
  RETURN NULL;
END $$;
