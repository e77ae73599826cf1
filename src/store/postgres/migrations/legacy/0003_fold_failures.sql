-- Events the fold cannot fold, even alone (a value that no stage after the parser could handle): the projection
-- marks them here and moves past them (they leave projection_queue), so that later calls keep folding, also after a
-- restart. They are counted in /metrics (telehook_fold_failures_total); a rebuild forgets them and tries them again.
CREATE TABLE fold_failures (
  seq       bigint PRIMARY KEY,    -- the event's seq
  event_id  text   NOT NULL,
  failed_at bigint NOT NULL,
  reason    text   NOT NULL
);

-- A version before 2026-12-05 could store a call whose record no reader can serialise (a payload nested thousands of
-- levels deep), and its fold could stop for good at such an event. The calls are derived: they are forgotten here
-- and every event is queued to be folded again, by a fold that serves such values as null with a warning.
TRUNCATE calls, call_links, call_agents, projection_state;
INSERT INTO projection_queue (seq) SELECT seq FROM events ON CONFLICT DO NOTHING;
