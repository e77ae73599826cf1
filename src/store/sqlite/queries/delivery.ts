import type { Database } from 'better-sqlite3';

import type { ClaimRequest, Delivery } from '../../delivery-records.js';
import { DELIVERY_COLUMNS, type DeliveryRow, toDelivery } from '../../delivery-rows.js';

/**
 * The claim of deliveries in SQLite (the rest of forwarding is written once, in store/sql). Endpoint by endpoint
 * (skipping those the worker is not to claim for now), the due, unclaimed (or claim expired) pending deliveries,
 * each the oldest pending one of its order key, oldest due first. Per endpoint, so that a dead endpoint's backlog
 * is never scanned to find another endpoint's work. On the queue connection (synchronous=NORMAL).
 */
export function prepareClaim(queue: Database): (request: ClaimRequest) => Delivery[] {
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
  return (request) => claim.immediate(request);
}
