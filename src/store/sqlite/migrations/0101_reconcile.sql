-- Issue 17: events also come from TeleCMI's call history (backfill), kept exactly as the REST row was received;
-- `rest_source` is what the row is read with again (product, list, app id, its voicemail row), JSON, null for a
-- webhook. Only the few backfill rows are indexed, so a webhook insert pays nothing for it.
ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook';
ALTER TABLE events ADD COLUMN rest_source TEXT;
CREATE INDEX events_not_webhook ON events (source, seq) WHERE source <> 'webhook';

-- One row per reconcile run (src/backfill): its window, status, counts and errors.
CREATE TABLE reconcile_runs (
  seq          INTEGER PRIMARY KEY,           -- start order; the paging cursor (newest first)
  id           TEXT    NOT NULL UNIQUE,
  status       TEXT    NOT NULL,              -- running, succeeded, failed
  window_from  INTEGER NOT NULL,              -- epoch ms, included
  window_to    INTEGER NOT NULL,              -- epoch ms, included
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  heartbeat_at INTEGER NOT NULL,
  rows_fetched INTEGER NOT NULL DEFAULT 0,
  events_added INTEGER NOT NULL DEFAULT 0,
  calls_added  INTEGER NOT NULL DEFAULT 0,
  errors       TEXT    NOT NULL DEFAULT '[]'  -- JSON [{code, message}]
);
CREATE INDEX reconcile_runs_running ON reconcile_runs (status) WHERE status = 'running';
