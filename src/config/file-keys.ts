import type { Config } from '../config.js';

/**
 * Each setting's key in a configuration file (`telehook serve --config telehook.toml`): a section and a name that
 * read like the setting, `[telecmi] appid`, where the environment has TELEHOOK_TELECMI_APPID. Top-level keys have
 * no dot. Typed over every setting, so that a new setting cannot be left without a key.
 */
export const FILE_KEYS: { readonly [K in keyof Config]: string } = {
  dataDir: 'data_dir',
  timezone: 'timezone',
  port: 'server.port',
  host: 'server.host',
  bodyLimitBytes: 'server.body_limit',
  headersTimeoutMs: 'server.headers_timeout',
  requestTimeoutMs: 'server.request_timeout',
  keepAliveTimeoutMs: 'server.keep_alive_timeout',
  trustProxy: 'server.trust_proxy',
  maxConnections: 'server.max_connections',
  ingestToken: 'tokens.ingest',
  apiToken: 'tokens.api',
  viewerToken: 'tokens.viewer',
  logLevel: 'log.level',
  logFormat: 'log.format',
  databaseUrl: 'database.url',
  databasePoolSize: 'database.pool_size',
  serviceLevelSec: 'calls.service_level',
  shortAbandonSec: 'calls.short_abandon',
  staleCallAfterMs: 'calls.stale_after',
  waitAmberSec: 'wallboard.wait_amber',
  waitRedSec: 'wallboard.wait_red',
  serviceLevelAmber: 'wallboard.service_level_amber',
  liveMaxClients: 'live.max_clients',
  allowPrivateEndpoints: 'delivery.allow_private_endpoints',
  deliveryRetrySchedule: 'delivery.retry_schedule',
  endpointDisableAfterMs: 'delivery.endpoint_disable_after',
  deliveryConcurrency: 'delivery.concurrency',
  telecmiAppId: 'telecmi.appid',
  telecmiSecret: 'telecmi.secret',
  telecmiProduct: 'telecmi.product',
  telecmiApiUrl: 'telecmi.api_url',
  reconcileEveryMs: 'reconcile.every',
  reconcileWindowMs: 'reconcile.window',
  recordingsCacheDir: 'recordings.cache',
  recordingsCacheBytes: 'recordings.cache_size',
  viewerRecordings: 'recordings.viewer',
  businessHours: 'alerts.business_hours',
  holidays: 'alerts.holidays',
  alertsEveryMs: 'alerts.every',
  retainEventsMs: 'retention.events',
  retainCallsMs: 'retention.calls',
  retainDeliveriesMs: 'retention.deliveries',
  retainQuarantineMs: 'retention.quarantine',
  maskNumbersAfterMs: 'retention.mask_numbers_after',
};

/** Settings that name a path: in a file, a relative one is taken from the file's directory. */
export const PATH_SETTINGS: readonly (keyof Config)[] = ['dataDir', 'recordingsCacheDir'];
