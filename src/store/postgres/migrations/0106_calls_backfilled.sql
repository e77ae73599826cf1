-- The call list's `source=backfill` filter reads a column of its own, and the calls recovered from TeleCMI's call
-- history (closedBy "backfill": a reconcile run found no webhook of them) have a partial index: a page of them in a
-- month reads only those calls, never the month's records. The fold writes the column with the record; the record
-- is compact JSON (JSON.stringify), so the key and value stand together in its text.
ALTER TABLE calls ADD COLUMN backfilled boolean NOT NULL DEFAULT false;
UPDATE calls SET backfilled = true WHERE record LIKE '%"closedBy":"backfill"%';
CREATE INDEX calls_backfilled ON calls (started_at, key) WHERE backfilled;
