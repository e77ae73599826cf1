import type { Pool } from 'pg';

import type { AgentSummary, CallSummary, FactsQuery, SummaryQuery } from '../../store.js';
import { callConditions } from './calls-read.js';
import { createParams } from './params.js';

/**
 * Metrics aggregation in PostgreSQL: counts and sums per group with FILTER clauses; period buckets are arrays
 * unnested into a table and joined on the start time.
 */
export function createSummaries(pool: Pool) {
  const summariseCalls = async (query: SummaryQuery): Promise<CallSummary[]> => {
    const params = createParams();
    const serviceLevel = params.add(query.serviceLevelSec);
    const shortAbandon = params.add(query.shortAbandonSec);
    let from = 'calls c';
    let group = 'NULL::text';
    if (query.groupBy === 'team') group = 'c.team';
    else if (query.groupBy === 'placedBy') group = 'c.placed_by';
    else if (query.groupBy !== undefined) {
      const starts = query.groupBy.bucketStarts;
      if (starts.length === 0) return [];
      const ends = starts.map((_, index) => starts[index + 1] ?? query.to);
      from = `unnest(${params.add(starts)}::bigint[], ${params.add(ends)}::bigint[]) WITH ORDINALITY AS b(s, e, i)
        JOIN calls c ON c.started_at >= b.s AND c.started_at < b.e`;
      group = '(b.i - 1)::integer';
    }
    const where = callConditions(
      { from: query.from, to: query.to, team: query.team, agent: query.agent },
      params,
    );
    const { rows } = await pool.query<{
      grp: string | number | null;
      direction: string | null;
      state: string;
      outcome: string | null;
      calls: number;
      wait_known: number;
      wait_sum: number;
      within: number;
      short_wait: number;
      talk_known: number;
      talk_sum: number;
    }>(
      `SELECT ${group} AS grp, c.direction, c.state, c.outcome, count(*) AS calls,
         count(c.waited_sec) AS wait_known, coalesce(sum(c.waited_sec), 0) AS wait_sum,
         count(*) FILTER (WHERE c.waited_sec <= ${serviceLevel}) AS within,
         count(*) FILTER (WHERE c.waited_sec < ${shortAbandon}) AS short_wait,
         count(*) FILTER (WHERE c.state = 'ended' AND c.talk_sec IS NOT NULL) AS talk_known,
         coalesce(sum(c.talk_sec) FILTER (WHERE c.state = 'ended'), 0) AS talk_sum
       FROM ${from} WHERE ${where.join(' AND ')}
       GROUP BY 1, 2, 3, 4`,
      params.values,
    );
    return rows.map((row) => ({
      group: row.grp,
      direction: row.direction,
      state: row.state,
      outcome: row.outcome,
      calls: row.calls,
      waitKnown: row.wait_known,
      waitSum: row.wait_sum,
      withinServiceLevel: row.within,
      shortWait: row.short_wait,
      talkKnown: row.talk_known,
      talkSum: row.talk_sum,
    }));
  };

  const summariseAgents = async (query: FactsQuery): Promise<AgentSummary[]> => {
    const params = createParams();
    const where = [`a.rang_at >= ${params.add(query.from)}`, `a.rang_at < ${params.add(query.to)}`];
    if (query.team !== undefined) where.push(`a.team = ${params.add(query.team)}`);
    if (query.agent !== undefined) where.push(`a.agent = ${params.add(query.agent)}`);
    const { rows } = await pool.query<{
      agent: string;
      team: string | null;
      legs: number;
      answered: number;
      rang_not_answered: number;
      talk_known: number;
      talk_sum: number;
    }>(
      `SELECT a.agent, min(a.team) AS team, count(*) AS legs, count(*) FILTER (WHERE a.answered) AS answered,
         count(*) FILTER (WHERE NOT a.answered AND a.missed_by_agent) AS rang_not_answered,
         count(a.talk_sec) FILTER (WHERE a.answered) AS talk_known,
         coalesce(sum(a.talk_sec) FILTER (WHERE a.answered), 0) AS talk_sum
       FROM call_agents a WHERE ${where.join(' AND ')} GROUP BY a.agent ORDER BY a.agent`,
      params.values,
    );
    return rows.map((row) => ({
      agent: row.agent,
      team: row.team,
      legs: row.legs,
      answered: row.answered,
      rangNotAnswered: row.rang_not_answered,
      talkKnown: row.talk_known,
      talkSum: row.talk_sum,
    }));
  };

  return { summariseCalls, summariseAgents };
}
