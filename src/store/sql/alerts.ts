import sql, { join, type Sql } from 'sql-template-tag';

import type {
  Alert,
  AlertQuery,
  AlertState,
  AlertStore,
  NewAlert,
  StoredAlertRule,
} from '../alert-records.js';
import type { NewDelivery } from '../delivery-records.js';
import { all, one, type Program, run } from './program.js';
import type { Engine } from './sql-store.js';

interface AlertRow {
  seq: number;
  id: string;
  rule: string;
  state: string;
  fired_at: number;
  resolved_at: number | null;
  notified_at: number;
  repeats: number;
  summary: string;
  details: string;
}

const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  rule: row.rule,
  state: row.state as AlertState,
  firedAt: row.fired_at,
  resolvedAt: row.resolved_at,
  notifiedAt: row.notified_at,
  repeats: row.repeats,
  summary: row.summary,
  details: JSON.parse(row.details) as Record<string, unknown>,
  cursor: String(row.seq),
});

/** Enqueues deliveries in the transaction of the change they announce (sql-store.ts's enqueue). */
type Enqueue = (deliveries: readonly NewDelivery[]) => Program<number>;

/**
 * A state change and its deliveries in one transaction, only when the change is still to make: `change` returns
 * how many rows it changed, and 0 means another process (or this one, before a restart) made it already.
 */
function* changeThenEnqueue(
  change: Sql,
  deliveries: readonly NewDelivery[],
  enqueue: Enqueue,
): Program<boolean> {
  if ((yield* run(change)) === 0) return false;
  yield* enqueue(deliveries);
  return true;
}

/**
 * The Store's alert methods, written once. A rule's firing alert is unique (the partial index alerts_firing), a
 * resolution and a repeat are conditional updates: under PostgreSQL's row locks a second process's identical change
 * waits for the first, then finds nothing to change, so it enqueues nothing. They are written on SQLite's
 * configuration connection (synchronous=FULL): a change that was sent is never lost by a power cut and sent again.
 */
export function createAlertQueries(engine: Engine, enqueue: Enqueue): AlertStore {
  const read = <T>(program: Program<T>): Promise<T> => engine.read(program);
  return {
    listAlertRules: () =>
      read(
        (function* () {
          const rows = yield* all<{ name: string; settings: string; updated_at: number }>(
            sql`SELECT name, settings, updated_at FROM alert_rules ORDER BY name`,
          );
          return rows.map((row): StoredAlertRule => ({
            name: row.name,
            settings: row.settings,
            updatedAt: row.updated_at,
          }));
        })(),
      ),
    saveAlertRule: async (rule) => {
      await engine.write(
        'config',
        run(sql`INSERT INTO alert_rules (name, settings, updated_at)
          VALUES (${rule.name}, ${rule.settings}, ${rule.updatedAt})
          ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`),
      );
    },
    fireAlert: (alert: NewAlert, deliveries) =>
      engine.write(
        'config',
        changeThenEnqueue(
          sql`INSERT INTO alerts (id, rule, state, fired_at, notified_at, summary, details)
            VALUES (${alert.id}, ${alert.rule}, 'firing', ${alert.firedAt}, ${alert.firedAt}, ${alert.summary},
              ${JSON.stringify(alert.details)})
            ON CONFLICT (rule) WHERE state = 'firing' DO NOTHING`,
          deliveries,
          enqueue,
        ),
      ),
    resolveAlert: (resolution, deliveries) =>
      engine.write(
        'config',
        changeThenEnqueue(
          sql`UPDATE alerts SET state = 'resolved', resolved_at = ${resolution.resolvedAt},
              details = ${JSON.stringify(resolution.details)}
            WHERE id = ${resolution.id} AND state = 'firing'`,
          deliveries,
          enqueue,
        ),
      ),
    repeatAlert: (repeat, deliveries) =>
      engine.write(
        'config',
        changeThenEnqueue(
          sql`UPDATE alerts SET notified_at = ${repeat.notifiedAt}, repeats = repeats + 1
            WHERE id = ${repeat.id} AND state = 'firing' AND notified_at = ${repeat.previousNotifiedAt}`,
          deliveries,
          enqueue,
        ),
      ),
    listAlerts: (query: AlertQuery) =>
      read(
        (function* () {
          const where: Sql[] = [
            sql`seq < ${query.after == null ? Number.MAX_SAFE_INTEGER : Number(query.after)}`,
          ];
          if (query.state !== undefined) where.push(sql`state = ${query.state}`);
          if (query.rule !== undefined) where.push(sql`rule = ${query.rule}`);
          const rows = yield* all<AlertRow>(
            sql`SELECT * FROM alerts WHERE ${join(where, ' AND ')}
              ORDER BY seq DESC LIMIT ${query.limit}`,
          );
          const items = rows.map(toAlert);
          const last = items.at(-1);
          return { items, next: items.length === query.limit && last ? last.cursor : null };
        })(),
      ),
    // Walks the index on received_at backwards; the few backfill rows it skips are TeleCMI's history read by us.
    getLatestWebhookAt: () =>
      read(
        (function* () {
          const row = yield* one<{ received_at: number }>(
            sql`SELECT received_at FROM events WHERE source = 'webhook' ORDER BY received_at DESC LIMIT 1`,
          );
          return row?.received_at ?? null;
        })(),
      ),
  };
}
