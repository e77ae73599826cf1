/**
 * The rows of forwarding as both adapters read them, and their mapping to the records of delivery-records.ts:
 * the same tables and columns in SQLite and PostgreSQL.
 */
import type {
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  Endpoint,
  EndpointChanges,
  EndpointFormat,
  EndpointReceives,
} from './delivery-records.js';

export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  receives: string;
  format: string;
  filter: string;
  rate_limit: number | null;
  timeout_ms: number;
  /** SQLite keeps 0/1, PostgreSQL a boolean. */
  enabled: number | boolean;
  disabled_reason: string | null;
  disabled_at: number | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeliveryRow {
  seq: number;
  id: string;
  endpoint_id: string;
  idempotency_key: string;
  order_key: string;
  type: string;
  payload: string;
  status: string;
  attempt_count: number;
  retry_step: number;
  next_attempt_at: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface AttemptRow {
  delivery_id: string;
  at: number;
  status_code: number | null;
  latency_ms: number;
  response: string | null;
  error: string | null;
}

/** Endpoint fields and their columns, for partial updates. */
export const COLUMNS: Record<Exclude<keyof EndpointChanges, 'updatedAt'>, string> = {
  url: 'url',
  description: 'description',
  receives: 'receives',
  format: 'format',
  filter: 'filter',
  rateLimit: 'rate_limit',
  timeoutMs: 'timeout_ms',
  enabled: 'enabled',
  disabledReason: 'disabled_reason',
  disabledAt: 'disabled_at',
  secret: 'secret',
  previousSecret: 'previous_secret',
  previousSecretExpiresAt: 'previous_secret_expires_at',
  failingSince: 'failing_since',
};

export const toEndpoint = (row: EndpointRow): Endpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  receives: row.receives as EndpointReceives,
  format: row.format as EndpointFormat,
  filter: JSON.parse(row.filter) as Endpoint['filter'],
  rateLimit: row.rate_limit,
  timeoutMs: row.timeout_ms,
  enabled: row.enabled === true || row.enabled === 1,
  disabledReason: row.disabled_reason,
  disabledAt: row.disabled_at,
  secret: row.secret,
  previousSecret: row.previous_secret,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toDelivery = (row: DeliveryRow, attempts: DeliveryAttempt[]): Delivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  idempotencyKey: row.idempotency_key,
  orderKey: row.order_key,
  type: row.type,
  payload: row.payload,
  status: row.status as DeliveryStatus,
  attemptCount: row.attempt_count,
  retryStep: row.retry_step,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
  attempts,
});

export const toAttempt = (row: AttemptRow): DeliveryAttempt => ({
  at: row.at,
  statusCode: row.status_code,
  latencyMs: row.latency_ms,
  response: row.response,
  error: row.error,
});

export const DELIVERY_COLUMNS = `seq, id, endpoint_id, idempotency_key, order_key, type, payload, status, attempt_count,
  retry_step, next_attempt_at, created_at, delivered_at`;
