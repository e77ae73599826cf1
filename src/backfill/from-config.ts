import type { Config } from '../config.js';
import { apiBase } from './endpoints.js';
import { type ApiLogger, createTelecmiApi, type TelecmiApi } from './telecmi-api.js';

/** The settings the client is built from. */
export type TelecmiSettings = Pick<
  Config,
  'telecmiAppId' | 'telecmiSecret' | 'telecmiProduct' | 'telecmiApiUrl'
>;

/**
 * The client of the configured TeleCMI app's REST API, or null when no credentials are set (backfill and
 * recordings are then off, and telehook works from webhooks alone).
 *
 * @example
 * const api = telecmiApiFromConfig(config, { logger: app.log });
 */
export function telecmiApiFromConfig(
  config: TelecmiSettings,
  options: { logger?: ApiLogger } = {},
): TelecmiApi | null {
  if (config.telecmiAppId === null || config.telecmiSecret === null) return null;
  return createTelecmiApi({
    product: config.telecmiProduct,
    appId: config.telecmiAppId,
    secret: config.telecmiSecret,
    apiUrl: config.telecmiApiUrl ?? undefined,
    logger: options.logger,
  });
}

/** One line for the start-up banner: whether backfill is on, for which app and where; never the secret. */
export function describeBackfill(config: TelecmiSettings): string {
  if (config.telecmiAppId === null || config.telecmiSecret === null)
    return 'off (set TELEHOOK_TELECMI_APPID and TELEHOOK_TELECMI_SECRET to fill gaps from TeleCMI and play recordings)';
  const base = apiBase(config.telecmiProduct, config.telecmiApiUrl ?? undefined);
  return `on: ${config.telecmiProduct} app ${config.telecmiAppId} at ${base.origin}${base.prefix}`;
}
