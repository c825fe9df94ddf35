-- The delivery row's indexes, fewer bytes and entries (docs/performance.md, "The delivery row: fewer index bytes and
-- entries"): the listing indexes end in the time, not "id" (the query orders the rows of one time by id), so they are
-- narrower and rows with one key share an entry (an event's deliveries in the project's index); the by-status indexes
-- leave out SUCCESS, so a delivery that succeeds leaves no entry in them.

-- DropIndex
DROP INDEX "deliveries_webhook_id_created_at_id_idx";
DROP INDEX "deliveries_webhook_id_status_created_at_id_idx";
DROP INDEX "deliveries_webhook_id_event_type_created_at_id_idx";
DROP INDEX "deliveries_project_id_created_at_id_idx";
DROP INDEX "deliveries_project_id_status_created_at_id_idx";

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_created_at_idx" ON "deliveries"("webhook_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_status_created_at_not_success_idx" ON "deliveries"("webhook_id", "status", "created_at" DESC) WHERE (status <> 'SUCCESS');

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_event_type_created_at_idx" ON "deliveries"("webhook_id", "event_type", "created_at" DESC);

-- CreateIndex
CREATE INDEX "deliveries_project_id_created_at_idx" ON "deliveries"("project_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "deliveries_project_id_status_created_at_not_success_idx" ON "deliveries"("project_id", "status", "created_at" DESC) WHERE (status <> 'SUCCESS');
