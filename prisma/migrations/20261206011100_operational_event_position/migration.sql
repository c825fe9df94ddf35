-- webhookHealth positions (src/live/commit-order.ts): each event carries the id of the transaction that inserted
-- it (events never change after). Rows already there get xid 1, before every position ever handed out (a constant
-- default: adding the column does not rewrite the table); new rows take the inserting transaction's id.
ALTER TABLE "events" ADD COLUMN     "commit_xid" xid8 NOT NULL DEFAULT '1';
ALTER TABLE "events" ALTER COLUMN "commit_xid" SET DEFAULT pg_current_xact_id();

-- CreateIndex
-- Operational events only (the types of src/events/catalog.ts's operational catalog): job events' inserts skip it.
CREATE INDEX "events_operational_commit_order" ON "events"("project_id", "commit_xid", "id") WHERE (type LIKE 'webhook.%' OR type LIKE 'delivery.%');
