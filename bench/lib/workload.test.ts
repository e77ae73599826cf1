import { describe, expect, it } from 'vitest';

import { callsByKey, diffLines } from './catch-up.js';
import { judge } from './report.js';
import type { Summary } from './stats.js';
import { buildCallFlowBodies, distinctAmong } from './workload.js';

describe('buildCallFlowBodies', () => {
  const workload = buildCallFlowBodies(20_000, { seed: 3, startAt: 1_800_000_000_000 });
  const payloads = workload.bodies.map(
    (body) => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
  );

  it('builds whole calls of every product, 4 to 12 events each, about 10% sent twice', () => {
    expect(workload.bodies.length).toBe(20_000);
    expect(Object.keys(workload.products).sort()).toEqual(['chub', 'chub-india', 'piopiy']);
    expect(workload.scenarios['incoming-agent-no-answer']).toBeGreaterThan(0);
    const share = workload.duplicates / workload.bodies.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
    expect(distinctAmong(workload.bodies, workload.bodies.length)).toBe(20_000 - workload.duplicates);
    expect(payloads.some((payload) => payload['type'] === 'cdr')).toBe(true);
  });

  it('interleaves the calls: consecutive bodies mostly belong to different calls', () => {
    const callOf = (payload: Record<string, unknown>) =>
      String(payload['conversation_uuid'] ?? payload['cmiuuid']);
    let changes = 0;
    for (let index = 1; index < 1000; index += 1)
      if (callOf(payloads[index]!) !== callOf(payloads[index - 1]!)) changes += 1;
    expect(changes).toBeGreaterThan(900);
  });

  it('gives the same bodies for the same seed', () => {
    const again = buildCallFlowBodies(500, { seed: 3, startAt: 1_800_000_000_000 });
    expect(again.bodies.map(String)).toEqual(workload.bodies.slice(0, 500).map(String));
  });
});

describe('comparing calls with a rebuild', () => {
  it('compares calls whatever their order and key order, and counts what differs', () => {
    const before = callsByKey('{"key":"a","n":1}\n{"key":"b","n":2}\n');
    expect(diffLines(before, callsByKey('{"n":2,"key":"b"}\n{"key":"a","n":1}'))).toEqual({
      equal: true,
      differing: 0,
    });
    expect(diffLines(before, callsByKey('{"key":"a","n":1}\n{"key":"b","n":3}'))).toEqual({
      equal: false,
      differing: 2,
    });
  });
});

describe('judge (issue 20)', () => {
  const summary = (target: string, connections: number, values: Partial<Summary>): Summary => ({
    target,
    connections,
    rounds: 1,
    requestsPerSecond: 1000,
    spread: 0,
    p50Ms: 1,
    p99Ms: 1,
    errors: 0,
    cpuUsPerRequest: 100,
    peakRssBytes: 100e6,
    maxPeakRssBytes: 100e6,
    maxOtherCpuShare: 0,
    ...values,
  });

  it('judges telehook against the Express sample of the same run, and the run-wide checks', () => {
    const verdicts = judge(
      [
        summary('express', 50, { requestsPerSecond: 1000, cpuUsPerRequest: 300, maxPeakRssBytes: 100e6 }),
        summary('telehook', 50, {
          requestsPerSecond: 1600,
          cpuUsPerRequest: 210,
          p99Ms: 16,
          maxPeakRssBytes: 140e6,
        }),
        summary('telehook', 1, { p99Ms: 1.5 }),
      ],
      {
        idleRssBytes: 120e6,
        burst: { loadSeconds: 30, catchUpSeconds: 12 },
        everyAckStored: true,
        rebuilds: { compared: 2, equal: 1 },
      },
    );
    const byGoal = Object.fromEntries(verdicts.map((verdict) => [verdict.goal, verdict.pass]));
    expect(byGoal).toEqual({
      'req/s at 50 connections ≥ 1.5× Express sample': true,
      'CPU per event at 50 connections ≤ 0.67× Express': false,
      'p99 at 50 connections ≤ 15 ms': false,
      'p99 at 1 connection ≤ 2 ms': true,
      'peak RSS at 50 connections ≤ 1.5× Express peak': true,
      'idle RSS ≤ 110 MB': false,
      'burst: backlog 0 within 30 s after 30 s at saturation': true,
      'every acknowledged event stored': true,
      'calls after the catch-up equal to a rebuild': false,
    });
  });

  it('says "not measured" (null) for what the run skipped', () => {
    const verdicts = judge([], { idleRssBytes: null, burst: null, everyAckStored: null, rebuilds: null });
    expect(verdicts.every((verdict) => verdict.pass === null)).toBe(true);
  });
});
