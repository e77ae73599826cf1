-- Issue 21: how far the masking of old phone numbers (TELEHOOK_MASK_NUMBERS_AFTER) has gone through each kind of
-- data, so that each hourly pass reads only what aged past the cut since the last one. Kept with the events: a
-- rebuild of the calls folds the masked events again and does not start the masking over.
CREATE TABLE number_masking (
  data     text NOT NULL PRIMARY KEY,   -- calls (with their events), deliveries, alerts, followups, quarantine
  position text NOT NULL                -- calls: <started_at>:<key>; the others: their seq; '' before the first pass
);
INSERT INTO number_masking (data, position)
  VALUES ('calls', ''), ('deliveries', ''), ('alerts', ''), ('followups', ''), ('quarantine', '');
