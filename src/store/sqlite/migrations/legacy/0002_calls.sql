-- Calls: the projection of events. Everything here can be rebuilt from the events table (telehook rebuild).
CREATE TABLE calls (
  key            TEXT    PRIMARY KEY,
  started_at     INTEGER NOT NULL,
  direction      TEXT,
  state          TEXT    NOT NULL,
  outcome        TEXT,
  from_number    TEXT,
  to_number      TEXT,
  virtual_number TEXT,
  team           TEXT,
  answered_by    TEXT,
  placed_by      TEXT,
  waited_sec     REAL,
  talk_sec       REAL,
  last_event_at  INTEGER NOT NULL,
  leg_only       INTEGER NOT NULL,
  record         TEXT    NOT NULL             -- the Call as JSON
);
CREATE INDEX calls_started ON calls (started_at, key);
CREATE INDEX calls_team_started ON calls (team, started_at);
CREATE INDEX calls_from_started ON calls (from_number, started_at);
CREATE INDEX calls_outbound_to ON calls (to_number, started_at) WHERE direction = 'outbound';
CREATE INDEX calls_live ON calls (last_event_at) WHERE state <> 'ended';

-- Every TeleCMI id (conversation, call, request, leg) of a call, so that events find their call.
CREATE TABLE call_links (
  identifier TEXT    PRIMARY KEY,
  rank       INTEGER NOT NULL,
  call_key   TEXT    NOT NULL
);
CREATE INDEX call_links_call ON call_links (call_key);

-- Agent legs, for per-agent metrics and the agent filter.
CREATE TABLE call_agents (
  call_key        TEXT    NOT NULL,
  position        INTEGER NOT NULL,
  agent           TEXT    NOT NULL,
  team            TEXT,
  rang_at         INTEGER NOT NULL,
  answered        INTEGER NOT NULL,
  missed_by_agent INTEGER NOT NULL,
  talk_sec        REAL,
  PRIMARY KEY (call_key, position)
);
CREATE INDEX call_agents_agent ON call_agents (agent, rang_at);
CREATE INDEX call_agents_rang ON call_agents (rang_at);

-- How far the projection has folded the events table.
CREATE TABLE projection_state (
  name     TEXT    PRIMARY KEY,
  position INTEGER NOT NULL
);
