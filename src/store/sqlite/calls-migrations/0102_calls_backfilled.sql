-- The call list's `source=backfill` filter reads a column of its own, and the calls recovered from TeleCMI's call
-- history (closedBy "backfill": a reconcile run found no webhook of them) have a partial index: a page of them in a
-- month reads only those calls, never the month's 84,000 records (bench:queries on 1,000,000 calls: 432 ms before).
-- The fold writes the column with the record. A record that is not JSON (never written by telehook) stays 0.
ALTER TABLE calls ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 0;
UPDATE calls SET backfilled = 1
  WHERE record LIKE '%"closedBy":"backfill"%'
    AND CASE WHEN json_valid(record) THEN json_extract(record, '$.closedBy') END = 'backfill';
CREATE INDEX calls_backfilled ON calls (started_at, key) WHERE backfilled = 1;
