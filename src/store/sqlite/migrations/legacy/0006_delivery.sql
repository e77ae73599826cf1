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
