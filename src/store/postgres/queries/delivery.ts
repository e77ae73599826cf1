import type { Pool } from 'pg';

import type { ClaimRequest, Delivery } from '../../delivery-records.js';
import { DELIVERY_COLUMNS, type DeliveryRow, toDelivery } from '../../delivery-rows.js';

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

/** The claim of deliveries in PostgreSQL (the rest of forwarding is written once, in store/sql). */
export async function claimDeliveries(pool: Pool, request: ClaimRequest): Promise<Delivery[]> {
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
}
