import type { Database, Statement } from 'better-sqlite3';

import type { AgentSummary, CallSummary, FactsQuery, SummaryQuery } from '../../store.js';
import { callConditions } from './calls-read.js';

/**
 * Metrics aggregation in SQLite. The covering index calls_facts holds every column read here, so a month of calls
 * is counted from the index alone; period buckets are a VALUES table joined on the start time.
 */
export function prepareSummaries(db: Database) {
  const cache = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };

  const summariseCalls = (query: SummaryQuery): CallSummary[] => {
    const { where, params } = callConditions({
      from: query.from,
      to: query.to,
      team: query.team,
      agent: query.agent,
    });
    let from = 'calls c';
    let group = 'NULL';
    const bucketParams: number[] = [];
    if (query.groupBy === 'team') group = 'c.team';
    else if (query.groupBy === 'placedBy') group = 'c.placed_by';
    else if (query.groupBy !== undefined) {
      const starts = query.groupBy.bucketStarts;
      if (starts.length === 0) return [];
      const rows = starts.map(() => '(?, ?, ?)').join(', ');
      starts.forEach((start, index) => bucketParams.push(index, start, starts[index + 1] ?? query.to));
      from = `(WITH b(i, s, e) AS (VALUES ${rows}) SELECT b.i AS bucket, c.key, c.started_at, c.leg_only, c.direction, c.state, c.outcome, c.waited_sec, c.talk_sec, c.team, c.answered_by, c.placed_by FROM b JOIN calls c ON c.started_at >= b.s AND c.started_at < b.e) c`;
      group = 'c.bucket';
    }
    const sql = `SELECT ${group} AS grp, c.direction, c.state, c.outcome, count(*) AS calls,
        count(c.waited_sec) AS wait_known, total(c.waited_sec) AS wait_sum,
        total(c.waited_sec <= ?) AS within, total(c.waited_sec < ?) AS short_wait,
        total(c.state = 'ended' AND c.talk_sec IS NOT NULL) AS talk_known,
        total(CASE WHEN c.state = 'ended' THEN c.talk_sec END) AS talk_sum
      FROM ${from} WHERE ${where.join(' AND ')}
      GROUP BY grp, c.direction, c.state, c.outcome`;
    const rows = prepared(sql)
      .raw()
      .all(query.serviceLevelSec, query.shortAbandonSec, ...bucketParams, ...params) as unknown[][];
    return rows.map((row) => ({
      group: row[0] as string | number | null,
      direction: row[1] as string | null,
      state: row[2] as string,
      outcome: row[3] as string | null,
      calls: row[4] as number,
      waitKnown: row[5] as number,
      waitSum: row[6] as number,
      withinServiceLevel: row[7] as number,
      shortWait: row[8] as number,
      talkKnown: row[9] as number,
      talkSum: row[10] as number,
    }));
  };

  const summariseAgents = (query: FactsQuery): AgentSummary[] => {
    const where = ['a.rang_at >= ?', 'a.rang_at < ?'];
    const params: unknown[] = [query.from, query.to];
    if (query.team !== undefined) {
      where.push('a.team = ?');
      params.push(query.team);
    }
    if (query.agent !== undefined) {
      where.push('a.agent = ?');
      params.push(query.agent);
    }
    const sql = `SELECT a.agent, min(a.team), count(*), total(a.answered), total(a.answered = 0 AND a.missed_by_agent = 1),
        count(CASE WHEN a.answered = 1 THEN a.talk_sec END), total(CASE WHEN a.answered = 1 THEN a.talk_sec END)
      FROM call_agents a WHERE ${where.join(' AND ')} GROUP BY a.agent ORDER BY a.agent`;
    return (
      prepared(sql)
        .raw()
        .all(...params) as unknown[][]
    ).map((row) => ({
      agent: row[0] as string,
      team: row[1] as string | null,
      legs: row[2] as number,
      answered: row[3] as number,
      rangNotAnswered: row[4] as number,
      talkKnown: row[5] as number,
      talkSum: row[6] as number,
    }));
  };

  return { summariseCalls, summariseAgents };
}
