-- Issue 18: alerts. The settings of the rules changed from their defaults (src/alerts has the defaults), JSON.
CREATE TABLE alert_rules (
  name       text NOT NULL PRIMARY KEY,
  settings   text NOT NULL,                  -- JSON {enabled, threshold, forMs, repeatEveryMs, team}
  updated_at bigint NOT NULL
);

-- Every alert, firing or resolved. A rule has at most one firing alert (alerts_firing): two processes that see the
-- same rule break cannot both start one, and only the one whose insert or update changed a row enqueues its
-- deliveries, in the same transaction.
CREATE TABLE alerts (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- history order; the paging cursor (newest first)
  id          text NOT NULL UNIQUE,
  rule        text NOT NULL,
  state       text NOT NULL,                 -- firing, resolved
  fired_at    bigint NOT NULL,
  resolved_at bigint,
  notified_at bigint NOT NULL,                 -- alert.fired last sent (first time or repeat)
  repeats     integer NOT NULL DEFAULT 0,
  summary     text NOT NULL,
  details     text NOT NULL DEFAULT '{}'     -- JSON
);
CREATE UNIQUE INDEX alerts_firing ON alerts (rule) WHERE state = 'firing';
