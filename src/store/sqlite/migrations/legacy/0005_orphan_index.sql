-- Agent-only legs waiting for their call are few: a partial index finds them without scanning a busy number's calls.
CREATE INDEX calls_orphans ON calls (from_number, started_at) WHERE leg_only = 1;
