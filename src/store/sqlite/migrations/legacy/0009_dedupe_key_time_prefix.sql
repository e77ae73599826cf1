-- The dedupe key gets the payload's own time before the SHA-256 (src/store/sqlite/dedupe-key.ts), so that the keys
-- of a commit land on the last pages of the unique index instead of one random page each. The existing keys are
-- rewritten by this migration's step in src/store/sqlite/migrate.ts (the time is read from each event's payload),
-- in the same transaction, so that a resend of an event stored before the upgrade is still recognised.
SELECT 1;
