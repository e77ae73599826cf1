import type { Pool, PoolClient } from 'pg';

import type {
  AttemptRecord,
  AttemptResult,
  ClaimRequest,
  Delivery,
  DeliveryAttempt,
  DeliveryQuery,
  Endpoint,
  EndpointChanges,
  NewDelivery,
  RetryQuery,
} from '../../delivery-records.js';
import {
  type AttemptRow,
  COLUMNS,
  DELIVERY_COLUMNS,
  type DeliveryRow,
  type EndpointRow,
  toAttempt,
  toDelivery,
  toEndpoint,
} from '../../delivery-rows.js';
import type { Page } from '../../store.js';
import { createParams } from './params.js';

// Due, unclaimed (or its lease expired), of an enabled endpoint, and the oldest pending one of its order key; then at
// most maxPerEndpoint per endpoint, oldest due first. FOR UPDATE SKIP LOCKED: workers of every process claim at
// once without waiting for each other, and never claim the same row (a row another claim locked is skipped; one
// it claimed and committed is re-checked and no longer matches). The inner LIMIT bounds the work with a backlog.
const CLAIM = `
  WITH candidates AS (
    SELECT d.seq, d.endpoint_id, d.next_attempt_at FROM deliveries d
    JOIN endpoints e ON e.id = d.endpoint_id AND e.enabled
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1
      AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
      AND NOT (d.endpoint_id = ANY($2::text[]))
      AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id
        AND p.order_key = d.order_key AND p.status = 'pending' AND p.seq < d.seq)
    ORDER BY d.next_attempt_at, d.seq LIMIT $3
    FOR UPDATE OF d SKIP LOCKED
  ), ranked AS (
    SELECT seq, next_attempt_at AS due,
      row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, seq) AS n
    FROM candidates
  )
  UPDATE deliveries SET claimed_by = $4, claimed_until = $5
  WHERE seq IN (SELECT seq FROM ranked WHERE n <= $6 ORDER BY due, seq LIMIT $7)
  RETURNING ${DELIVERY_COLUMNS}`;

/** The forwarding part of the PostgreSQL store: endpoints, the delivery queue, attempts. */
export function createDeliveryQueries(
  pool: Pool,
  inTransaction: <T>(run: (client: PoolClient) => Promise<T>) => Promise<T>,
) {
  const attemptsOf = async (ids: readonly string[]): Promise<Map<string, DeliveryAttempt[]>> => {
    const byId = new Map<string, DeliveryAttempt[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byId;
    const { rows } = await pool.query<AttemptRow>(
      'SELECT * FROM delivery_attempts WHERE delivery_id = ANY($1::text[]) ORDER BY delivery_id, number',
      [ids],
    );
    for (const row of rows) byId.get(row.delivery_id)?.push(toAttempt(row));
    return byId;
  };
  const withAttempts = async (rows: DeliveryRow[]): Promise<Delivery[]> => {
    const attempts = await attemptsOf(rows.map((row) => row.id));
    return rows.map((row) => toDelivery(row, attempts.get(row.id) ?? []));
  };
  const getDelivery = async (id: string): Promise<Delivery | null> => {
    const { rows } = await pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`,
      [id],
    );
    return rows[0] ? (await withAttempts(rows))[0]! : null;
  };
  const where = (query: Omit<DeliveryQuery, 'limit'>, params: ReturnType<typeof createParams>): string => {
    const clauses: string[] = [];
    if (query.status !== undefined) clauses.push(`status = ${params.add(query.status)}`);
    if (query.endpointId !== undefined) clauses.push(`endpoint_id = ${params.add(query.endpointId)}`);
    if (query.since !== undefined) clauses.push(`created_at >= ${params.add(query.since)}`);
    if (query.after) clauses.push(`seq > ${params.add(Number(query.after))}`);
    return clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  };

  return {
    async createEndpoint(endpoint: Endpoint): Promise<void> {
      await pool.query(
        `INSERT INTO endpoints (id, url, description, receives, format, filter, rate_limit, timeout_ms, enabled,
           disabled_reason, disabled_at, secret, previous_secret, previous_secret_expires_at, failing_since,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          endpoint.id,
          endpoint.url,
          endpoint.description,
          endpoint.receives,
          endpoint.format,
          JSON.stringify(endpoint.filter),
          endpoint.rateLimit,
          endpoint.timeoutMs,
          endpoint.enabled,
          endpoint.disabledReason,
          endpoint.disabledAt,
          endpoint.secret,
          endpoint.previousSecret,
          endpoint.previousSecretExpiresAt,
          endpoint.failingSince,
          endpoint.createdAt,
          endpoint.updatedAt,
        ],
      );
    },
    async getEndpoint(id: string): Promise<Endpoint | null> {
      const { rows } = await pool.query<EndpointRow>('SELECT * FROM endpoints WHERE id = $1', [id]);
      return rows[0] ? toEndpoint(rows[0]) : null;
    },
    async listEndpoints(): Promise<Endpoint[]> {
      return (await pool.query<EndpointRow>('SELECT * FROM endpoints ORDER BY created_at, id')).rows.map(
        toEndpoint,
      );
    },
    async updateEndpoint(id: string, changes: EndpointChanges): Promise<Endpoint | null> {
      const params = createParams();
      const sets = [`updated_at = ${params.add(changes.updatedAt)}`];
      for (const [key, value] of Object.entries(changes)) {
        const column = COLUMNS[key as keyof typeof COLUMNS] as string | undefined;
        if (column === undefined || value === undefined) continue;
        sets.push(`${column} = ${params.add(key === 'filter' ? JSON.stringify(value) : value)}`);
      }
      const { rows } = await pool.query<EndpointRow>(
        `UPDATE endpoints SET ${sets.join(', ')} WHERE id = ${params.add(id)} RETURNING *`,
        params.values,
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },
    async deleteEndpoint(id: string): Promise<boolean> {
      return ((await pool.query('DELETE FROM endpoints WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },
    enqueue: (deliveries: readonly NewDelivery[], cursor?: { name: string; position: string }) =>
      inTransaction(async (client) => {
        let added = 0;
        if (deliveries.length > 0) {
          const result = await client.query(
            `INSERT INTO deliveries (id, endpoint_id, idempotency_key, order_key, type, payload, status,
               next_attempt_at, created_at)
             SELECT id, endpoint_id, idempotency_key, order_key, type, payload, 'pending', created_at, created_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
               WITH ORDINALITY AS t(id, endpoint_id, idempotency_key, order_key, type, payload, created_at, ord)
             ORDER BY ord
             ON CONFLICT (endpoint_id, idempotency_key) DO NOTHING`,
            [
              deliveries.map((delivery) => delivery.id),
              deliveries.map((delivery) => delivery.endpointId),
              deliveries.map((delivery) => delivery.idempotencyKey),
              deliveries.map((delivery) => delivery.orderKey),
              deliveries.map((delivery) => delivery.type),
              deliveries.map((delivery) => delivery.payload),
              deliveries.map((delivery) => delivery.createdAt),
            ],
          );
          added = result.rowCount ?? 0;
        }
        if (cursor) {
          await client.query(
            `INSERT INTO delivery_cursors (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
            [cursor.name, cursor.position],
          );
        }
        return added;
      }),
    async getCursor(name: string): Promise<string | null> {
      const { rows } = await pool.query<{ position: string }>(
        'SELECT position FROM delivery_cursors WHERE name = $1',
        [name],
      );
      return rows[0]?.position ?? null;
    },
    async claim(request: ClaimRequest): Promise<Delivery[]> {
      const { rows } = await pool.query<DeliveryRow>(CLAIM, [
        request.now,
        request.skipEndpoints ?? [],
        Math.max(request.limit * 20, 1000),
        request.workerId,
        request.now + request.leaseMs,
        request.maxPerEndpoint,
        request.limit,
      ]);
      return rows.sort((a, b) => a.seq - b.seq).map((row) => toDelivery(row, []));
    },
    recordAttempt: (record: AttemptRecord): Promise<AttemptResult> =>
      inTransaction(async (client) => {
        const { attempt, outcome } = record;
        const current = (
          await client.query<{ claimed_by: string | null; status: string; endpoint_id: string }>(
            'SELECT claimed_by, status, endpoint_id FROM deliveries WHERE id = $1 FOR UPDATE',
            [record.deliveryId],
          )
        ).rows[0];
        // The claim was lost (expired and taken over by another worker, or replayed): record nothing.
        if (current?.claimed_by !== record.workerId || current.status !== 'pending')
          return { recorded: false, failingSince: null };
        await client.query(
          `INSERT INTO delivery_attempts (delivery_id, number, at, status_code, latency_ms, response, error)
           VALUES ($1, (SELECT attempt_count + 1 FROM deliveries WHERE id = $1), $2, $3, $4, $5, $6)`,
          [
            record.deliveryId,
            attempt.at,
            attempt.statusCode,
            Math.round(attempt.latencyMs),
            attempt.response,
            attempt.error,
          ],
        );
        await client.query(
          `UPDATE deliveries SET status = $2, next_attempt_at = $3, attempt_count = attempt_count + 1,
             retry_step = retry_step + 1, claimed_by = NULL, claimed_until = NULL, delivered_at = $4
           WHERE id = $1`,
          [
            record.deliveryId,
            outcome.status,
            outcome.status === 'pending' ? outcome.nextAttemptAt : null,
            outcome.status === 'delivered' ? attempt.at : null,
          ],
        );
        const marked = (
          await client.query<{ failing_since: number | null }>(
            `UPDATE endpoints SET failing_since = CASE WHEN $2 THEN NULL ELSE coalesce(failing_since, $3) END
             WHERE id = $1 RETURNING failing_since`,
            [current.endpoint_id, outcome.status === 'delivered', attempt.at],
          )
        ).rows[0];
        return { recorded: true, failingSince: marked?.failing_since ?? null };
      }),
    async releaseClaims(workerId: string): Promise<void> {
      await pool.query(
        "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND status = 'pending'",
        [workerId],
      );
    },
    getDelivery,
    async listDeliveries(query: DeliveryQuery): Promise<Page<Delivery>> {
      const params = createParams();
      const clause = where(query, params);
      const { rows } = await pool.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM deliveries ${clause} ORDER BY seq LIMIT ${params.add(query.limit + 1)}`,
        params.values,
      );
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? String(page.at(-1)!.seq) : null;
      return { items: await withAttempts(page), next };
    },
    async countDeliveries(query: Omit<DeliveryQuery, 'after' | 'limit'>): Promise<number> {
      const params = createParams();
      const clause = where(query, params);
      return (
        await pool.query<{ n: number }>(`SELECT count(*) AS n FROM deliveries ${clause}`, params.values)
      ).rows[0]!.n;
    },
    async retryDelivery(id: string, now: number): Promise<Delivery | null> {
      await pool.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, retry_step = 0,
           claimed_by = NULL, claimed_until = NULL, delivered_at = NULL
         WHERE id = $1 AND (status <> 'pending' OR claimed_until IS NULL OR claimed_until <= $2)`,
        [id, now],
      );
      return getDelivery(id);
    },
    async retryDeliveries(query: RetryQuery): Promise<number> {
      const result = await pool.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $3, retry_step = 0,
           claimed_by = NULL, claimed_until = NULL
         WHERE endpoint_id = $1 AND status = 'failed' AND created_at >= $2`,
        [query.endpointId, query.since, query.now],
      );
      return result.rowCount ?? 0;
    },
  };
}
