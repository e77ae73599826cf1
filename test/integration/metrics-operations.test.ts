import { describe, expect, it } from 'vitest';

import { writeLastBackup } from '../../src/backup-marker.js';
import { createTestApp } from '../helpers/test-app.js';

describe('/metrics for operators', () => {
  it("shows each endpoint's queue and dead letters, open live streams, the disk's free bytes and the last backup", async () => {
    const t = await createTestApp({ overrides: { allowPrivateEndpoints: '1' } });
    const before = (await t.app.inject({ url: '/metrics' })).body;
    expect(before).toContain('telehook_backup_age_seconds +Inf');
    expect(before).toContain('telehook_live_clients 0');
    expect(before).not.toContain('telehook_delivery_queue_depth{');

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: t.auth,
      payload: { url: 'http://127.0.0.1:1/hooks', receives: 'events' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    writeLastBackup(t.dir, { takenAt: Date.now() - 3_600_000, path: '/backups/telehook-1' });

    const after = (await t.app.inject({ url: '/metrics' })).body;
    expect(after).toContain(`telehook_delivery_queue_depth{endpoint="${id}"} 0`);
    expect(after).toContain(`telehook_deliveries_failed{endpoint="${id}"} 0`);
    expect(Number(/^telehook_backup_age_seconds (\S+)$/m.exec(after)?.[1])).toBeGreaterThanOrEqual(3600);
    const free = Number(/^telehook_data_dir_free_bytes (\d+)$/m.exec(after)?.[1]);
    expect(free).toBeGreaterThan(0);
  });

  it('shows each alert rule as firing or not, and when the latest reconcile runs ended, whichever process ran them', async () => {
    const t = await createTestApp();
    const before = (await t.app.inject({ url: '/metrics' })).body;
    expect(before).toContain('telehook_alert_firing{rule="silence"} 0');
    expect(before).toContain('telehook_alert_firing{rule="waiting"} 0');
    expect(before).not.toContain('telehook_reconcile_last_finished_timestamp_seconds{');

    const firedAt = Date.now();
    const alert = { id: 'al_01', rule: 'silence', firedAt, summary: 'No event for 20 min', details: {} };
    expect(await t.store.fireAlert(alert, [])).toBe(true);
    // As `telehook backfill` records a run in another process: only the database knows of it.
    const window = { from: firedAt - 7_200_000, to: firedAt - 3_600_000 };
    await t.store.startReconcileRun(
      { id: 'rr_1', ...window, startedAt: firedAt },
      { now: firedAt, leaseMs: 60_000 },
    );
    await t.store.updateReconcileRun('rr_1', {
      now: firedAt,
      status: 'succeeded',
      finishedAt: firedAt + 5000,
    });

    const firing = (await t.app.inject({ url: '/metrics' })).body;
    expect(firing).toContain('telehook_alert_firing{rule="silence"} 1');
    expect(firing).toContain('telehook_alert_firing{rule="waiting"} 0');
    expect(firing).toContain(
      `telehook_reconcile_last_finished_timestamp_seconds{status="succeeded"} ${(firedAt + 5000) / 1000}`,
    );
    expect(firing).not.toContain('telehook_reconcile_last_finished_timestamp_seconds{status="failed"}');

    expect(await t.store.resolveAlert({ id: 'al_01', resolvedAt: firedAt + 1, details: {} }, [])).toBe(true);
    expect((await t.app.inject({ url: '/metrics' })).body).toContain(
      'telehook_alert_firing{rule="silence"} 0',
    );
  });
});
