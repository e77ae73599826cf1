import sql from 'sql-template-tag';

import type { FollowupAction, FollowupCall, FollowupStore } from '../followup-records.js';
import { all, run } from './program.js';
import type { Engine } from './sql-store.js';

const UNANSWERED = sql`('missed', 'abandoned', 'voicemail')`;

/** The follow-up list's queries, written once for both databases. */
export function createFollowupQueries(engine: Engine): FollowupStore {
  const d = engine.dialect;
  return {
    listFollowupCalls: ({ from, to }) => {
      // The callers to follow up: served by calls_from_started; their calls back by calls_outbound_to.
      const callers = sql`SELECT m.from_number FROM calls m WHERE m.direction = 'inbound' AND m.outcome IN ${UNANSWERED}
        AND m.started_at >= ${from} AND m.started_at < ${to} AND m.from_number IS NOT NULL AND ${d.isFalse('m.leg_only')}`;
      return engine.read(
        (function* () {
          const rows = yield* all<{
            key: string;
            started_at: number | string;
            direction: 'inbound' | 'outbound';
            outcome: string | null;
            from_number: string | null;
            to_number: string | null;
            team: string | null;
            placed_by: string | null;
            answered_by: string | null;
          }>(sql`SELECT c.key, c.started_at, c.direction, c.outcome, c.from_number, c.to_number, c.team, c.placed_by,
              c.answered_by FROM calls c
            WHERE c.started_at >= ${from} AND c.started_at < ${to} AND c.state = 'ended' AND ${d.isFalse('c.leg_only')}
              AND ((c.direction = 'inbound' AND c.from_number IN (${callers}))
                OR (c.direction = 'outbound' AND c.to_number IN (${callers})))
            ORDER BY c.started_at, c.key`);
          return rows.map((row): FollowupCall => ({
            key: row.key,
            startedAt: Number(row.started_at),
            direction: row.direction,
            outcome: row.outcome,
            from: row.from_number,
            to: row.to_number,
            team: row.team,
            placedBy: row.placed_by,
            answeredBy: row.answered_by,
          }));
        })(),
      );
    },
    recordFollowupAction: async (action) => {
      await engine.write(
        'config',
        run(sql`INSERT INTO followup_actions (number, action, note, by_name, at)
          VALUES (${action.number}, ${action.action}, ${action.note}, ${action.by}, ${action.at})`),
      );
    },
    listFollowupActions: ({ from, number }) =>
      engine.read(
        (function* () {
          const rows = yield* all<{
            number: string;
            action: 'handled';
            note: string;
            by_name: string;
            at: number | string;
          }>(
            number === undefined
              ? sql`SELECT number, action, note, by_name, at FROM followup_actions WHERE at >= ${from} ORDER BY at, seq`
              : sql`SELECT number, action, note, by_name, at FROM followup_actions WHERE number = ${number} AND at >= ${from}
                  ORDER BY at, seq`,
          );
          return rows.map((row): FollowupAction => ({
            number: row.number,
            action: row.action,
            note: row.note,
            by: row.by_name,
            at: Number(row.at),
          }));
        })(),
      ),
  };
}
