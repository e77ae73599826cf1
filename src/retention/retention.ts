import { setImmediate as yieldToIngest } from 'node:timers/promises';

import type { Config } from '../config.js';
import type { RetainedData, Store } from '../store/index.js';

/** Rows deleted per transaction: each holds a write lock for a few milliseconds, and ingest commits between them. */
export const RETENTION_BATCH = 500;

/** How often retention runs. */
export const RETENTION_EVERY_MS = 3_600_000;

export type RetentionSettings = Pick<
  Config,
  'retainEventsMs' | 'retainCallsMs' | 'retainDeliveriesMs' | 'retainQuarantineMs'
>;

const SETTING_OF: Record<RetainedData, keyof RetentionSettings> = {
  events: 'retainEventsMs',
  calls: 'retainCallsMs',
  deliveries: 'retainDeliveriesMs',
  quarantine: 'retainQuarantineMs',
};

/** How many rows of each kind a run deleted. */
export type RetentionResult = Record<RetainedData, number>;

/**
 * Deletes what is older than its retention setting (kinds set to keep are not touched), in batches of
 * {@link RETENTION_BATCH} rows, giving the event loop back to ingest between batches.
 *
 * @example
 * const deleted = await applyRetention(store, config, Date.now()); // { events: 1200, calls: 0, … }
 */
export async function applyRetention(
  store: Store,
  settings: RetentionSettings,
  now: number,
  batch = RETENTION_BATCH,
): Promise<RetentionResult> {
  const result: RetentionResult = { events: 0, calls: 0, deliveries: 0, quarantine: 0 };
  for (const data of Object.keys(SETTING_OF) as RetainedData[]) {
    const keepMs = settings[SETTING_OF[data]];
    if (keepMs === null) continue;
    for (;;) {
      const deleted = await store.pruneData(data, now - keepMs, batch);
      result[data] += deleted;
      if (deleted < batch) break;
      await yieldToIngest();
    }
  }
  return result;
}

/** Whether any retention setting, or the masking of old numbers, is set (else nothing is scheduled). */
export const retentionIsOn = (settings: RetentionSettings & Pick<Config, 'maskNumbersAfterMs'>): boolean =>
  settings.maskNumbersAfterMs !== null || Object.values(SETTING_OF).some((key) => settings[key] !== null);
