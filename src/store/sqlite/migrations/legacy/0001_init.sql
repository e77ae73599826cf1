-- Every accepted TeleCMI event: the exact bytes received, plus the normalised event derived from them.
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,           -- commit order; the paging cursor
  id           TEXT    NOT NULL UNIQUE,       -- ULID assigned on receipt
  received_at  INTEGER NOT NULL,              -- epoch ms
  dedupe_key   BLOB    NOT NULL UNIQUE,       -- SHA-256 of the payload's canonical JSON
  method       TEXT    NOT NULL,
  content_type TEXT,
  kind         TEXT    NOT NULL,
  product      TEXT    NOT NULL,
  status       TEXT,
  call_key     TEXT,
  occurred_at  INTEGER,
  raw          BLOB    NOT NULL               -- the exact bytes received; the normalised event is derived from it
);
CREATE INDEX events_call_key ON events (call_key);
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
