-- The calls moved to a database file of their own (see calls-migrations/): folding no longer waits for, or makes
-- wait, the events' commits. They are derived, so they are dropped here and folded again from the events there.
DROP TABLE call_agents;
DROP TABLE call_links;
DROP TABLE calls;
DROP TABLE projection_state;
