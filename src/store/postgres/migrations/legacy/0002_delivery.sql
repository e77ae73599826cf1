-- Forwarding: endpoints (downstream destinations), deliveries (one event or call notification to one endpoint)
-- and their attempts (one HTTP try each). Not derived: kept as they are, across rebuilds.
CREATE TABLE endpoints (
  id                          text    PRIMARY KEY,
  url                         text    NOT NULL,
  description                 text,
  receives                    text    NOT NULL,             -- events | calls
  format                      text    NOT NULL,             -- json | slack | teams
  filter                      text    NOT NULL,             -- JSON: { key: [values] }
  rate_limit                  double precision,             -- requests per second, null: none
  timeout_ms                  integer NOT NULL,
  enabled                     boolean NOT NULL,
  disabled_reason             text,
  disabled_at                 bigint,
  secret                      text    NOT NULL,
  previous_secret             text,
  previous_secret_expires_at  bigint,
  failing_since               bigint,
  created_at                  bigint  NOT NULL,
  updated_at                  bigint  NOT NULL
);

-- Workers of every process claim from this table with FOR UPDATE SKIP LOCKED and a lease (claimed_until).
CREATE TABLE deliveries (
  seq              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- enqueue order; the paging cursor
  id               text    NOT NULL UNIQUE,                          -- msg_<ulid>: the webhook-id
  endpoint_id      text    NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  idempotency_key  text    NOT NULL,                                 -- event:<id> | call:<key>
  order_key        text    NOT NULL,                                 -- one call's deliveries go out in order
  type             text    NOT NULL,
  payload          text    NOT NULL,
  status           text    NOT NULL,                                 -- pending | delivered | failed
  attempt_count    integer NOT NULL DEFAULT 0,
  retry_step       integer NOT NULL DEFAULT 0,
  next_attempt_at  bigint,
  claimed_by       text,
  claimed_until    bigint,
  created_at       bigint  NOT NULL,
  delivered_at     bigint,
  UNIQUE (endpoint_id, idempotency_key)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX deliveries_in_order ON deliveries (endpoint_id, order_key, seq) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, seq);
CREATE INDEX deliveries_status ON deliveries (status, seq);

CREATE TABLE delivery_attempts (
  delivery_id  text    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  number       integer NOT NULL,
  at           bigint  NOT NULL,
  status_code  integer,
  latency_ms   integer NOT NULL,
  response     text,
  error        text,
  PRIMARY KEY (delivery_id, number)
);

-- How far a scheduler has gone through the events, saved with the deliveries it enqueued.
CREATE TABLE delivery_cursors (
  name      text PRIMARY KEY,
  position  text NOT NULL
);
