-- The events' file as of the first release: legacy/0001–0010 squashed into one file. A data folder migrated by a
-- version before it runs the legacy files it has not seen, then records this one as applied without running it
-- (src/store/migration-plan.ts); test/store-contract/upgrade-schemas.test.ts checks that both end in this schema.

-- Every accepted TeleCMI event: the exact bytes received, plus the normalised fields that queries filter on.
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,           -- commit order; the paging cursor
  id           TEXT    NOT NULL UNIQUE,       -- ULID assigned on receipt
  received_at  INTEGER NOT NULL,              -- epoch ms
  dedupe_key   BLOB    NOT NULL UNIQUE,       -- the payload's time, then the SHA-256 of its canonical JSON (dedupe-key.ts)
  method       TEXT    NOT NULL,
  content_type TEXT,
  kind         TEXT    NOT NULL,
  product      TEXT    NOT NULL,
  status       TEXT,
  call_key     TEXT,                          -- what the event was folded by; not indexed (calls' call_links.event_seqs)
  occurred_at  INTEGER,
  raw          BLOB    NOT NULL               -- the exact bytes received; the normalised event is derived from it
);
CREATE INDEX events_received_at ON events (received_at);

-- Requests that could not be accepted as events, kept with the reason.
CREATE TABLE quarantine (
  seq          INTEGER PRIMARY KEY,
  id           TEXT    NOT NULL UNIQUE,
  received_at  INTEGER NOT NULL,
  reason       TEXT    NOT NULL,
  message      TEXT    NOT NULL,
  method       TEXT    NOT NULL,
  path         TEXT    NOT NULL,
  content_type TEXT,
  raw          BLOB    NOT NULL
);

-- Forwarding: endpoints (downstream destinations), deliveries (one event or call notification to one endpoint)
-- and their attempts (one HTTP try each). Not derived: kept as they are, across rebuilds.
CREATE TABLE endpoints (
  id                          TEXT    PRIMARY KEY,
  url                         TEXT    NOT NULL,
  description                 TEXT,
  receives                    TEXT    NOT NULL,             -- events | calls
  format                      TEXT    NOT NULL,             -- json | slack | teams
  filter                      TEXT    NOT NULL,             -- JSON: { key: [values] }
  rate_limit                  REAL,                         -- requests per second, null: none
  timeout_ms                  INTEGER NOT NULL,
  enabled                     INTEGER NOT NULL,
  disabled_reason             TEXT,
  disabled_at                 INTEGER,
  secret                      TEXT    NOT NULL,
  previous_secret             TEXT,
  previous_secret_expires_at  INTEGER,
  failing_since               INTEGER,
  created_at                  INTEGER NOT NULL,
  updated_at                  INTEGER NOT NULL
);

CREATE TABLE deliveries (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,     -- enqueue order; the paging cursor
  id               TEXT    NOT NULL UNIQUE,               -- msg_<ulid>: the webhook-id
  endpoint_id      TEXT    NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  idempotency_key  TEXT    NOT NULL,                      -- event:<id> | call:<key>
  order_key        TEXT    NOT NULL,                      -- one call's deliveries go out in order
  type             TEXT    NOT NULL,
  payload          TEXT    NOT NULL,
  status           TEXT    NOT NULL,                      -- pending | delivered | failed
  attempt_count    INTEGER NOT NULL DEFAULT 0,
  retry_step       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  claimed_by       TEXT,
  claimed_until    INTEGER,
  created_at       INTEGER NOT NULL,
  delivered_at     INTEGER,
  UNIQUE (endpoint_id, idempotency_key)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX deliveries_in_order ON deliveries (endpoint_id, order_key, seq) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, seq);
CREATE INDEX deliveries_status ON deliveries (status, seq);
-- Claims go endpoint by endpoint (a busy or dead endpoint's backlog is never scanned for the others).
CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
  delivery_id  TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  at           INTEGER NOT NULL,
  status_code  INTEGER,
  latency_ms   INTEGER NOT NULL,
  response     TEXT,
  error        TEXT,
  PRIMARY KEY (delivery_id, number)
);

-- How far a scheduler has gone through the events, saved with the deliveries it enqueued.
CREATE TABLE delivery_cursors (
  name      TEXT PRIMARY KEY,
  position  TEXT NOT NULL
);
