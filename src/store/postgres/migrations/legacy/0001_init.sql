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
