-- The PostgreSQL schema as of the first release: legacy/0001–0003 squashed into one file. A schema migrated by a
-- version before it runs the legacy files it has not seen, then records this one as applied without running it
-- (src/store/migration-plan.ts); test/store-contract/upgrade-schemas.test.ts checks that both end in this schema.

-- Every accepted TeleCMI event: the exact bytes received, plus the normalised fields that queries filter on.
CREATE TABLE events (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- store order; the paging cursor
  id           text   NOT NULL UNIQUE,                          -- ULID assigned on receipt
  received_at  bigint NOT NULL,                                 -- epoch ms
  dedupe_key   bytea  NOT NULL UNIQUE,                          -- SHA-256 of the payload's canonical JSON
  method       text   NOT NULL,
  content_type text,
  kind         text   NOT NULL,
  product      text   NOT NULL,
  status       text,
  call_key     text,
  occurred_at  bigint,
  raw          bytea  NOT NULL                                  -- the exact bytes received
);
CREATE INDEX events_call_key ON events (call_key);
CREATE INDEX events_received_at ON events (received_at, seq);

-- Requests that could not be accepted as events, kept with the reason.
CREATE TABLE quarantine (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           text   NOT NULL UNIQUE,
  received_at  bigint NOT NULL,
  reason       text   NOT NULL,
  message      text   NOT NULL,
  method       text   NOT NULL,
  path         text   NOT NULL,
  content_type text,
  raw          bytea  NOT NULL
);

-- Events stored and not folded into calls yet. With several processes, sequence numbers are not committed in
-- order, so a watermark cannot say what is folded: each event is queued with its insert and dequeued by its fold.
CREATE TABLE projection_queue (
  seq bigint PRIMARY KEY
);

-- Calls: the projection of events. Everything here can be rebuilt from the events table (telehook rebuild).
-- Keys sort bytewise (COLLATE "C"), as in SQLite, so that paging order is the same on both stores.
CREATE TABLE calls (
  key            text COLLATE "C" PRIMARY KEY,
  started_at     bigint  NOT NULL,
  direction      text,
  state          text    NOT NULL,
  outcome        text,
  from_number    text,
  to_number      text,
  virtual_number text,
  team           text,
  answered_by    text,
  placed_by      text,
  waited_sec     double precision,
  talk_sec       double precision,
  last_event_at  bigint  NOT NULL,
  leg_only       boolean NOT NULL,
  record         text    NOT NULL              -- the Call as JSON text, passed on unparsed by exports
);
CREATE INDEX calls_started ON calls (started_at, key);
CREATE INDEX calls_team_started ON calls (team, started_at);
CREATE INDEX calls_from_started ON calls (from_number, started_at);
CREATE INDEX calls_outbound_to ON calls (to_number, started_at) WHERE direction = 'outbound';
CREATE INDEX calls_live ON calls (last_event_at) WHERE state <> 'ended';
CREATE INDEX calls_orphans ON calls (from_number, started_at) WHERE leg_only;

-- Every TeleCMI id (conversation, call, request, leg) of a call, so that events find their call.
CREATE TABLE call_links (
  identifier text    PRIMARY KEY,
  rank       integer NOT NULL,
  call_key   text COLLATE "C" NOT NULL
);
CREATE INDEX call_links_call ON call_links (call_key);

-- Agent legs, for per-agent metrics and the agent filter.
CREATE TABLE call_agents (
  call_key        text COLLATE "C" NOT NULL,
  position        integer NOT NULL,
  agent           text COLLATE "C" NOT NULL,
  team            text,
  rang_at         bigint  NOT NULL,
  answered        boolean NOT NULL,
  missed_by_agent boolean NOT NULL,
  talk_sec        double precision,
  PRIMARY KEY (call_key, position)
);
CREATE INDEX call_agents_agent ON call_agents (agent, rang_at);
CREATE INDEX call_agents_rang ON call_agents (rang_at);

-- The latest event folded into calls (the live stream's position).
CREATE TABLE projection_state (
  name     text   PRIMARY KEY,
  position bigint NOT NULL
);

-- One row per committed fold, so that the other processes' live streams show it: NOTIFY carries only the id
-- (its payload is limited to 8000 bytes); listeners read the row, then the events and calls it names.
CREATE TABLE live_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin     text   NOT NULL,
  created_at bigint NOT NULL,
  events     bigint[] NOT NULL,
  changed    text[]   NOT NULL,
  removed    text[]   NOT NULL,
  position   bigint
);

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

-- Events the fold cannot fold, even alone (a value that no stage after the parser could handle): the projection
-- marks them here and moves past them (they leave projection_queue), so that later calls keep folding, also after a
-- restart. They are counted in /metrics (telehook_fold_failures_total); a rebuild forgets them and tries them again.
CREATE TABLE fold_failures (
  seq       bigint PRIMARY KEY,    -- the event's seq
  event_id  text   NOT NULL,
  failed_at bigint NOT NULL,
  reason    text   NOT NULL
);

