// The commit horizon: the transaction id below which every transaction of this database has ended, so no row it
// writes can still appear. A stream that reads rows tagged with their writer's id (`pg_current_xact_id()`) only
// below the horizon, in (xid, id) order, hands out positions that a later commit can never fall behind
// (src/live/commit-order.ts).
//
// It is the lowest id still in progress in the statement's snapshot (`pg_snapshot_xip`), or the snapshot's xmax when
// none is. Transactions of other databases on the same server are left out, known by pg_stat_activity (they cannot
// write here): the server-wide `pg_snapshot_xmin` would let a long transaction in any database hold every stream
// back. An id in progress that pg_stat_activity no longer shows (it just ended, or is a prepared transaction) is
// kept, which only holds the horizon back for this one read. Transactions without an id (read-only) never count.
export const COMMIT_HORIZON = `(
  SELECT coalesce(min(x.xid), pg_snapshot_xmax(pg_current_snapshot()))
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
  WHERE NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.backend_xid = x.xid::xid AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
  )
)`;
