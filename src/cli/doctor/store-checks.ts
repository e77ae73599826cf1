import type { Store } from '../../store/index.js';
import { estimateClockOffset } from './clock-offset.js';
import { type CheckResult, formatAge, ok, skip, warn } from './report.js';

/** A clock this far from TeleCMI's puts calls on the wrong minute of the wallboard and the reports. */
export const CLOCK_SKEW_WARN_MS = 60_000;

/**
 * This machine's clock against TeleCMI's: for the webhook events of the last day (not backfilled rows, whose
 * TeleCMI time is the call's), when telehook received each one against the time TeleCMI wrote in it. The estimate
 * is the clock's offset plus the usual delivery delay, taken from the live events only (clock-offset.ts).
 */
export async function checkClock(store: Store, now: number): Promise<CheckResult> {
  const page = await store.listEventsReceived({ from: now - 86_400_000, to: now + 60_000, limit: 1000 });
  const differences = page.items
    .filter((event) => event.source === 'webhook' && event.occurredAt !== null)
    .map((event) => event.receivedAt - (event.occurredAt ?? 0));
  if (differences.length === 0) return skip('clock', 'no webhook event in the last day to compare with');
  const estimate = estimateClockOffset(differences);
  if (estimate === null)
    return skip(
      'clock',
      `none of the last day's ${differences.length} webhook events agree on a time: replayed or re-sent payloads, not live calls`,
    );
  const offset = estimate.offsetMs;
  const text = `events arrive ${formatAge(offset)} ${offset < 0 ? 'before' : 'after'} TeleCMI's time (${estimate.live} live of ${estimate.of} webhook events from the last day)`;
  if (Math.abs(offset) > CLOCK_SKEW_WARN_MS)
    return warn(
      'clock',
      `${text}: this machine's clock is probably ${offset < 0 ? 'behind' : 'ahead'}; run NTP (timedatectl set-ntp true)`,
    );
  return ok('clock', text);
}

/** Each endpoint's last results: enabled and succeeding, failing since when, disabled and why, dead letters. */
export async function checkEndpoints(store: Store, now: number): Promise<CheckResult[]> {
  const endpoints = await store.listEndpoints();
  if (endpoints.length === 0) return [skip('endpoints', 'none configured')];
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const name = `endpoint ${endpoint.id}`;
      const [failed, pending] = await Promise.all([
        store.countDeliveries({ endpointId: endpoint.id, status: 'failed' }),
        store.countDeliveries({ endpointId: endpoint.id, status: 'pending' }),
      ]);
      const counts = `${pending} pending, ${failed} failed`;
      if (!endpoint.enabled)
        return warn(name, `${endpoint.url}: disabled (${endpoint.disabledReason ?? 'by hand'}); ${counts}`);
      if (endpoint.failingSince !== null)
        return warn(
          name,
          `${endpoint.url}: failing for ${formatAge(now - endpoint.failingSince)} without a success; ${counts}`,
        );
      if (failed > 0)
        return warn(name, `${endpoint.url}: succeeding now; ${counts} (telehook deliveries retry)`);
      return ok(name, `${endpoint.url}: succeeding; ${counts}`);
    }),
  );
}
