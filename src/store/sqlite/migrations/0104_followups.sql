-- Issue 19: what supervisors did about callers on the follow-up list (src/followups). The list itself is worked out
-- from the calls; only what a person did, who, when and why, is kept.
CREATE TABLE followup_actions (
  seq     INTEGER PRIMARY KEY,
  number  TEXT    NOT NULL,   -- the caller's number, as the calls have it
  action  TEXT    NOT NULL,   -- handled
  note    TEXT    NOT NULL,
  by_name TEXT    NOT NULL,   -- the signed-in person, or "API token"
  at      INTEGER NOT NULL
);
CREATE INDEX followup_actions_at ON followup_actions (at);
CREATE INDEX followup_actions_number ON followup_actions (number, at);
