import type { Database } from 'better-sqlite3';

import type {
  AttemptRecord,
  AttemptResult,
  ClaimRequest,
  Delivery,
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

const toColumn = (key: string, value: unknown): unknown => {
  if (key === 'filter') return JSON.stringify(value);
  if (key === 'enabled') return value ? 1 : 0;
  return value;
};

/**
 * The forwarding part of the SQLite store. Endpoints are written on `durable` (synchronous=FULL: rare, and
 * configuration); deliveries and attempts on `queue` (synchronous=NORMAL, still atomic in WAL mode): a worker
 * records thousands of attempts a second, and a lost last moment before a power cut only means a delivery is
 * sent again, which receivers recognise by its webhook-id.
 */
export function prepareDeliveryQueries(durable: Database, queue: Database) {
  const insertEndpoint =
    durable.prepare(`INSERT INTO endpoints (id, url, description, receives, format, filter,
      rate_limit, timeout_ms, enabled, disabled_reason, disabled_at, secret, previous_secret, previous_secret_expires_at,
      failing_since, created_at, updated_at)
    VALUES (@id, @url, @description, @receives, @format, @filter, @rateLimit, @timeoutMs, @enabled, @disabledReason,
      @disabledAt, @secret, @previousSecret, @previousSecretExpiresAt, @failingSince, @createdAt, @updatedAt)`);
  const selectEndpoint = queue.prepare('SELECT * FROM endpoints WHERE id = ?');
  const selectEndpoints = queue.prepare('SELECT * FROM endpoints ORDER BY created_at, id');
  const removeEndpoint = durable.prepare('DELETE FROM endpoints WHERE id = ?');

  const insertDelivery =
    queue.prepare(`INSERT INTO deliveries (id, endpoint_id, idempotency_key, order_key, type,
      payload, status, next_attempt_at, created_at)
    VALUES (@id, @endpointId, @idempotencyKey, @orderKey, @type, @payload, 'pending', @createdAt, @createdAt)
    ON CONFLICT (endpoint_id, idempotency_key) DO NOTHING`);
  const saveCursor = queue.prepare(`INSERT INTO delivery_cursors (name, position) VALUES (?, ?)
    ON CONFLICT (name) DO UPDATE SET position = excluded.position`);
  const selectCursor = queue.prepare('SELECT position FROM delivery_cursors WHERE name = ?').pluck();

  // Endpoint by endpoint (skipping those the worker is not to claim for now), the due, unclaimed (or claim
  // expired) pending deliveries, each the oldest pending one of its order key, oldest due first. Per endpoint, so
  // that a dead endpoint's backlog is never scanned to find another endpoint's work.
  const claimableEndpoints = queue
    .prepare(
      `SELECT id FROM endpoints WHERE enabled = 1 AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .pluck();
  const selectDue = queue
    .prepare(
      `SELECT d.seq FROM deliveries d
    WHERE d.endpoint_id = @endpointId AND d.status = 'pending' AND d.next_attempt_at <= @now
      AND (d.claimed_until IS NULL OR d.claimed_until <= @now)
      AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id
        AND p.order_key = d.order_key AND p.status = 'pending' AND p.seq < d.seq)
    ORDER BY d.next_attempt_at, d.seq LIMIT @limit`,
    )
    .pluck();
  const claimOne = queue.prepare(`UPDATE deliveries SET claimed_by = @workerId, claimed_until = @until
    WHERE seq = @seq RETURNING ${DELIVERY_COLUMNS}`);
  /** Where the next claim starts among the endpoints, so that none is always served last. */
  let turn = 0;
  const selectAttempts = queue.prepare(
    'SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY number',
  );
  const insertAttempt = queue.prepare(`INSERT INTO delivery_attempts (delivery_id, number, at, status_code,
      latency_ms, response, error)
    VALUES (?, (SELECT attempt_count + 1 FROM deliveries WHERE id = ?), ?, ?, ?, ?, ?)`);
  const finishAttempt =
    queue.prepare(`UPDATE deliveries SET status = @status, next_attempt_at = @nextAttemptAt,
      attempt_count = attempt_count + 1, retry_step = retry_step + 1, claimed_by = NULL, claimed_until = NULL,
      delivered_at = @deliveredAt
    WHERE id = @id AND claimed_by = @workerId AND status = 'pending'
    RETURNING endpoint_id`);
  const markEndpoint = queue.prepare(`UPDATE endpoints SET failing_since = CASE WHEN @isSuccess THEN NULL
      ELSE coalesce(failing_since, @at) END WHERE id = @id RETURNING failing_since`);
  const release = queue.prepare(
    "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ? AND status = 'pending'",
  );
  const selectClaim = queue.prepare('SELECT claimed_by, status FROM deliveries WHERE id = ?');
  const selectDelivery = queue.prepare(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ?`);
  const retryOne =
    queue.prepare(`UPDATE deliveries SET status = 'pending', next_attempt_at = @now, retry_step = 0,
      claimed_by = NULL, claimed_until = NULL, delivered_at = NULL
    WHERE id = @id AND (status <> 'pending' OR claimed_until IS NULL OR claimed_until <= @now)`);
  const retryMany =
    queue.prepare(`UPDATE deliveries SET status = 'pending', next_attempt_at = @now, retry_step = 0,
      claimed_by = NULL, claimed_until = NULL
    WHERE endpoint_id = @endpointId AND status = 'failed' AND created_at >= @since`);

  const where = (query: Omit<DeliveryQuery, 'limit'>): { sql: string; params: unknown[] } => {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) {
      clauses.push('status = ?');
      params.push(query.status);
    }
    if (query.endpointId !== undefined) {
      clauses.push('endpoint_id = ?');
      params.push(query.endpointId);
    }
    if (query.since !== undefined) {
      clauses.push('created_at >= ?');
      params.push(query.since);
    }
    if (query.after) {
      clauses.push('seq > ?');
      params.push(Number(query.after));
    }
    return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
  };
  const withAttempts = (rows: DeliveryRow[]): Delivery[] =>
    rows.map((row) => toDelivery(row, (selectAttempts.all(row.id) as AttemptRow[]).map(toAttempt)));
  const getDelivery = (id: string): Delivery | null => {
    const row = selectDelivery.get(id) as DeliveryRow | undefined;
    return row ? withAttempts([row])[0]! : null;
  };

  const enqueue = queue.transaction(
    (deliveries: readonly NewDelivery[], cursor?: { name: string; position: string }): number => {
      let added = 0;
      for (const delivery of deliveries) added += insertDelivery.run(delivery).changes;
      if (cursor) saveCursor.run(cursor.name, cursor.position);
      return added;
    },
  );
  const claim = queue.transaction((request: ClaimRequest): Delivery[] => {
    const ids = claimableEndpoints.all(JSON.stringify(request.skipEndpoints ?? [])) as string[];
    turn = (turn + 1) % Math.max(1, ids.length);
    const rows: DeliveryRow[] = [];
    for (const endpointId of [...ids.slice(turn), ...ids.slice(0, turn)]) {
      const limit = Math.min(request.maxPerEndpoint, request.limit - rows.length);
      if (limit <= 0) break;
      for (const seq of selectDue.all({ endpointId, now: request.now, limit }) as number[]) {
        const row = claimOne.get({ seq, workerId: request.workerId, until: request.now + request.leaseMs });
        rows.push(row as DeliveryRow);
      }
    }
    return rows.sort((a, b) => a.seq - b.seq).map((row) => toDelivery(row, []));
  });
  const recordAttempt = queue.transaction((record: AttemptRecord): AttemptResult => {
    const { attempt, outcome } = record;
    const current = selectClaim.get(record.deliveryId) as
      { claimed_by: string | null; status: string } | undefined;
    // The claim was lost (expired and taken over by another worker, or replayed): record nothing.
    if (current?.claimed_by !== record.workerId || current.status !== 'pending')
      return { recorded: false, failingSince: null };
    insertAttempt.run(
      record.deliveryId,
      record.deliveryId,
      attempt.at,
      attempt.statusCode,
      Math.round(attempt.latencyMs),
      attempt.response,
      attempt.error,
    );
    const finished = finishAttempt.get({
      id: record.deliveryId,
      workerId: record.workerId,
      status: outcome.status,
      nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
      deliveredAt: outcome.status === 'delivered' ? attempt.at : null,
    }) as { endpoint_id: string };
    const marked = markEndpoint.get({
      id: finished.endpoint_id,
      isSuccess: outcome.status === 'delivered' ? 1 : 0,
      at: attempt.at,
    }) as { failing_since: number | null } | undefined;
    return { recorded: true, failingSince: marked?.failing_since ?? null };
  });

  return {
    createEndpoint(endpoint: Endpoint): void {
      insertEndpoint.run({
        ...endpoint,
        filter: JSON.stringify(endpoint.filter),
        enabled: endpoint.enabled ? 1 : 0,
      });
    },
    getEndpoint(id: string): Endpoint | null {
      const row = selectEndpoint.get(id) as EndpointRow | undefined;
      return row ? toEndpoint(row) : null;
    },
    listEndpoints(): Endpoint[] {
      return (selectEndpoints.all() as EndpointRow[]).map(toEndpoint);
    },
    updateEndpoint(id: string, changes: EndpointChanges): Endpoint | null {
      const sets = ['updated_at = ?'];
      const params: unknown[] = [changes.updatedAt];
      for (const [key, value] of Object.entries(changes)) {
        const column = COLUMNS[key as keyof typeof COLUMNS] as string | undefined;
        if (column === undefined || value === undefined) continue;
        sets.push(`${column} = ?`);
        params.push(toColumn(key, value));
      }
      const row = durable
        .prepare(`UPDATE endpoints SET ${sets.join(', ')} WHERE id = ? RETURNING *`)
        .get(...params, id) as EndpointRow | undefined;
      return row ? toEndpoint(row) : null;
    },
    deleteEndpoint(id: string): boolean {
      return removeEndpoint.run(id).changes > 0;
    },
    enqueue: (deliveries: readonly NewDelivery[], cursor?: { name: string; position: string }): number =>
      enqueue.immediate(deliveries, cursor),
    getCursor(name: string): string | null {
      return (selectCursor.get(name) as string | undefined) ?? null;
    },
    claim: (request: ClaimRequest): Delivery[] => claim.immediate(request),
    recordAttempt: (record: AttemptRecord): AttemptResult => recordAttempt.immediate(record),

    releaseClaims(workerId: string): void {
      release.run(workerId);
    },
    getDelivery,
    listDeliveries(query: DeliveryQuery): Page<Delivery> {
      const { sql, params } = where(query);
      const rows = queue
        .prepare(`SELECT ${DELIVERY_COLUMNS} FROM deliveries ${sql} ORDER BY seq LIMIT ?`)
        .all(...params, query.limit + 1) as DeliveryRow[];
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? String(page.at(-1)!.seq) : null;
      return { items: withAttempts(page), next };
    },
    countDeliveries(query: Omit<DeliveryQuery, 'after' | 'limit'>): number {
      const { sql, params } = where(query);
      return queue
        .prepare(`SELECT count(*) FROM deliveries ${sql}`)
        .pluck()
        .get(...params) as number;
    },
    retryDelivery(id: string, now: number): Delivery | null {
      retryOne.run({ id, now });
      return getDelivery(id);
    },
    retryDeliveries(query: RetryQuery): number {
      return retryMany.run(query).changes;
    },
  };
}
