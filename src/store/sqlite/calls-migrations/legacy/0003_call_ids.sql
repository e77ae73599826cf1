-- Calls by an integer id in the order they were first seen, instead of by their TeleCMI key. A new call's row, its
-- agent legs and its links' reverse index then land on the last pages of their B-trees; by key they landed at a
-- random place in three of them, and each random page is written to the log at commit and again at the checkpoint
-- (bench/README.md, `npm run bench:fold`). Only the lookup of a TeleCMI id (call_links) stays at a random place:
-- a call's key is always one of its links, so it is found there too. The calls are derived from the events: they
-- are forgotten here and folded again.
DROP TABLE call_agents;
DROP TABLE call_links;
DROP TABLE calls;
DELETE FROM projection_state;

CREATE TABLE calls (
  id             INTEGER PRIMARY KEY,
  key            TEXT    NOT NULL,
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
CREATE INDEX calls_facts ON calls (started_at, leg_only, direction, state, outcome, waited_sec, talk_sec, team, answered_by, placed_by, key);
CREATE INDEX calls_orphans ON calls (from_number, started_at) WHERE leg_only = 1;

-- Every TeleCMI id (conversation, call, request, leg) of a call, so that events find their call, and the seqs of
-- the events whose own call key is that id (see EVENTS_OF_CALL in queries/read.ts).
CREATE TABLE call_links (
  identifier TEXT    PRIMARY KEY,
  rank       INTEGER NOT NULL,
  call_id    INTEGER NOT NULL,
  event_seqs TEXT
);
CREATE INDEX call_links_call ON call_links (call_id);

-- Agent legs, for per-agent metrics and the agent filter. The primary key is the table (no rowid B-tree besides),
-- and call_agents_facts, which begins with rang_at, also serves what the index call_agents_rang did.
CREATE TABLE call_agents (
  call_id         INTEGER NOT NULL,
  position        INTEGER NOT NULL,
  agent           TEXT    NOT NULL,
  team            TEXT,
  rang_at         INTEGER NOT NULL,
  answered        INTEGER NOT NULL,
  missed_by_agent INTEGER NOT NULL,
  talk_sec        REAL,
  PRIMARY KEY (call_id, position)
) WITHOUT ROWID;
CREATE INDEX call_agents_agent ON call_agents (agent, rang_at);
CREATE INDEX call_agents_facts ON call_agents (rang_at, agent, team, answered, missed_by_agent, talk_sec);
