-- Issue 18: alerts. The settings of the rules changed from their defaults (src/alerts has the defaults), JSON.
CREATE TABLE alert_rules (
  name       TEXT NOT NULL PRIMARY KEY,
  settings   TEXT NOT NULL,                  -- JSON {enabled, threshold, forMs, repeatEveryMs, team}
  updated_at INTEGER NOT NULL
);

-- Every alert, firing or resolved. A rule has at most one firing alert (alerts_firing): two processes that see the
-- same rule break cannot both start one, and only the one whose insert or update changed a row enqueues its
-- deliveries, in the same transaction.
CREATE TABLE alerts (
  seq          INTEGER PRIMARY KEY,           -- history order; the paging cursor (newest first)
  id          TEXT NOT NULL UNIQUE,
  rule        TEXT NOT NULL,
  state       TEXT NOT NULL,                 -- firing, resolved
  fired_at    INTEGER NOT NULL,
  resolved_at INTEGER,
  notified_at INTEGER NOT NULL,                 -- alert.fired last sent (first time or repeat)
  repeats     integer NOT NULL DEFAULT 0,
  summary     TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}'     -- JSON
);
CREATE UNIQUE INDEX alerts_firing ON alerts (rule) WHERE state = 'firing';
