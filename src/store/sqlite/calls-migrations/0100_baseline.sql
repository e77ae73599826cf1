-- The calls' file as of the first release: legacy/0001–0004 squashed into one file. A calls file migrated by a
-- version before it runs the legacy files it has not seen, then records this one as applied without running it
-- (src/store/migration-plan.ts); test/store-contract/upgrade-schemas.test.ts checks that both end in this schema.
--
-- The calls, derived from the events: in a database file of their own (<name>-calls.db next to the events'), so that
-- folding events into calls never holds the events' write lock (SQLite has one writer per file). Everything here is
-- rebuilt from the events when lost (telehook rebuild).

-- Calls by an integer id in the order they were first seen: a new call's row, its agent legs and its links' reverse
-- index land on the last pages of their B-trees (bench/README.md, `npm run bench:fold`). A call's TeleCMI key is
-- always one of its links, so it is found through call_links.
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
-- Covering index for the metrics: a month of calls is read from the index alone, never from the wide rows.
CREATE INDEX calls_facts ON calls (started_at, leg_only, direction, state, outcome, waited_sec, talk_sec, team, answered_by, placed_by, key);
-- Agent-only legs waiting for their call are few: a partial index finds them without scanning a busy number's calls.
CREATE INDEX calls_orphans ON calls (from_number, started_at) WHERE leg_only = 1;

-- Every TeleCMI id (conversation, call, request, leg) of a call, so that events find their call, and the seqs of
-- the events whose own call key is that id (the events' call key is not indexed: it put every insert at a random page).
CREATE TABLE call_links (
  identifier TEXT    PRIMARY KEY,
  rank       INTEGER NOT NULL,
  call_id    INTEGER NOT NULL,
  event_seqs TEXT
);
CREATE INDEX call_links_call ON call_links (call_id);

-- Agent legs, for per-agent metrics and the agent filter. The primary key is the table (no rowid B-tree besides).
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

-- How far the projection has folded the events table.
CREATE TABLE projection_state (
  name     TEXT    PRIMARY KEY,
  position INTEGER NOT NULL
);

-- Events the fold cannot fold, even alone (a value that no stage after the parser could handle): the projection
-- marks them here and moves past them, so that later calls keep folding, also after a restart. They are counted in
-- /metrics (telehook_fold_failures_total); a rebuild forgets them and tries them again.
CREATE TABLE fold_failures (
  seq       INTEGER PRIMARY KEY,   -- the event's seq in the events file
  event_id  TEXT    NOT NULL,
  failed_at INTEGER NOT NULL,
  reason    TEXT    NOT NULL
);
