-- Events the fold cannot fold, even alone (a value that no stage after the parser could handle): the projection
-- marks them here and moves past them, so that later calls keep folding, also after a restart. They are counted in
-- /metrics (telehook_fold_failures_total); a rebuild forgets them and tries them again.
CREATE TABLE fold_failures (
  seq       INTEGER PRIMARY KEY,   -- the event's seq in the events file
  event_id  TEXT    NOT NULL,
  failed_at INTEGER NOT NULL,
  reason    TEXT    NOT NULL
);

-- A version before 2026-12-05 could store a call whose record no reader can serialise (a payload nested thousands of
-- levels deep), and its fold could stop for good at such an event. The calls are derived: they are forgotten here
-- and folded again from the events, by a fold that serves such values as null with a warning.
DELETE FROM call_agents;
DELETE FROM call_links;
DELETE FROM calls;
DELETE FROM projection_state;
