-- Issue 17: events also come from TeleCMI's call history (backfill), kept exactly as the REST row was received;
-- `rest_source` is what the row is read with again (product, list, app id, its voicemail row), JSON, null for a
-- webhook. Only the few backfill rows are indexed, so a webhook insert pays nothing for it.
ALTER TABLE events ADD COLUMN source text NOT NULL DEFAULT 'webhook';
ALTER TABLE events ADD COLUMN rest_source text;
CREATE INDEX events_not_webhook ON events (source, seq) WHERE source <> 'webhook';

-- One row per reconcile run (src/backfill): its window, status, counts and errors. Starting one takes an advisory
-- lock, so that two processes cannot both start a run over the same window.
CREATE TABLE reconcile_runs (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- start order; the paging cursor (newest first)
  id           text   NOT NULL UNIQUE,
  status       text   NOT NULL,                                 -- running, succeeded, failed
  window_from  bigint NOT NULL,                                 -- epoch ms, included
  window_to    bigint NOT NULL,                                 -- epoch ms, included
  started_at   bigint NOT NULL,
  finished_at  bigint,
  heartbeat_at bigint NOT NULL,
  rows_fetched integer NOT NULL DEFAULT 0,
  events_added integer NOT NULL DEFAULT 0,
  calls_added  integer NOT NULL DEFAULT 0,
  errors       text   NOT NULL DEFAULT '[]'                     -- JSON [{code, message}]
);
CREATE INDEX reconcile_runs_running ON reconcile_runs (status) WHERE status = 'running';
