-- Covering indexes for the metrics: a month of calls is read from the index alone, never from the wide rows.
CREATE INDEX calls_facts ON calls (started_at, leg_only, direction, state, outcome, waited_sec, talk_sec, team, answered_by, placed_by, key);
CREATE INDEX call_agents_facts ON call_agents (rang_at, agent, team, answered, missed_by_agent, talk_sec);
