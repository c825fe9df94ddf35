-- deliveryUpdates positions (src/live/commit-order.ts): each delivery row carries the id of the transaction that
-- last wrote it. Rows already there get xid 1, before every position ever handed out (a constant default: adding
-- the column does not rewrite the table); new rows take the inserting transaction's id.
ALTER TABLE "deliveries" ADD COLUMN     "change_xid" xid8 NOT NULL DEFAULT '1';
ALTER TABLE "deliveries" ALTER COLUMN "change_xid" SET DEFAULT pg_current_xact_id();

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_change_xid_id_idx" ON "deliveries"("webhook_id", "change_xid", "id");

-- Every update, whoever writes it (the recorder, a manual retry, a disabled webhook's pending deliveries, Prisma),
-- moves the row to the updating transaction: a change committed later always gets a later position.
CREATE FUNCTION "deliveries_change_xid"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."change_xid" := pg_current_xact_id();
  RETURN NEW;
END
$$;

CREATE TRIGGER "deliveries_change_xid"
BEFORE UPDATE ON "deliveries"
FOR EACH ROW EXECUTE FUNCTION "deliveries_change_xid"();
