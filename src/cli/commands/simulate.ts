import { randomInt } from 'node:crypto';

import { type GroundTruth, type ScheduledPayload, simulateCallCentre } from '../../scenarios/index.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { deliver, type Delivery } from '../deliver.js';
import {
  parseChoice,
  parseDuration,
  parseInteger,
  parseMoment,
  parseProbability,
  parseRate,
  parseSeed,
  parseSpeed,
  parseTeams,
} from '../flags.js';
import { createSender, isAccepted } from '../http-sender.js';
import { redactUrl, resolveIngestUrl } from '../ingest-target.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';
import { SIMULATE_DEFAULTS } from './simulate-defaults.js';

/** The flags of `telehook simulate`, as given on the command line; defaults in {@link SIMULATE_DEFAULTS}. */
export interface SimulateFlags {
  readonly agents?: string;
  readonly teams?: string;
  readonly calls?: string;
  readonly arrival?: string;
  readonly talk?: string;
  readonly patience?: string;
  readonly ringOut?: string;
  readonly maxWait?: string;
  readonly voicemail?: string;
  readonly speed?: string;
  readonly seed?: string;
  readonly start?: string;
  readonly url?: string;
  readonly data?: string;
  readonly product?: string;
  readonly json?: boolean;
  readonly concurrency?: string;
  readonly userMissedConversationUuid?: boolean;
}

export { SIMULATE_DEFAULTS } from './simulate-defaults.js';

/** What `--json` prints: the ground truth and how the sending went. */
export interface SimulateReport extends GroundTruth {
  readonly seed: number;
  readonly product: string;
  readonly calls: number;
  /** Requests made (one per payload). */
  readonly sent: number;
  /** Requests not answered with a 2xx. */
  readonly failed: number;
}

/**
 * `telehook simulate`: simulates a call centre, sends every payload of every call in time order (paced by
 * `--speed`, each call's payloads one after the other, up to `--concurrency` requests in flight), then prints the
 * ground truth: a table, or with `--json` one JSON object and nothing else on stdout. Returns the exit code: 0
 * when every payload was accepted, else 1.
 */
export async function runSimulate(flags: SimulateFlags, io: CommandIo = processIo()): Promise<number> {
  const value = <K extends keyof typeof SIMULATE_DEFAULTS>(key: K): string =>
    flags[key] ?? SIMULATE_DEFAULTS[key];
  const product = parseChoice('--product', value('product'), ['chub', 'chub-india'] as const);
  const agents = parseInteger('--agents', value('agents'), 1, 10_000);
  const teams = parseTeams('--teams', value('teams'));
  if (agents < teams.length)
    throw new UsageError(
      `--agents: ${agents} agents cannot staff ${teams.length} teams; give every team an agent.`,
    );
  const voicemail = parseProbability('--voicemail', value('voicemail'));
  if (product === 'chub-india' && flags.voicemail !== undefined && voicemail !== 1)
    throw new UsageError(
      '--voicemail: CHUB India CDRs have no hangup_reason, so a call the queue drops would read as abandoned; there a queue timeout always ends in voicemail.',
    );
  const seed = flags.seed === undefined ? randomInt(0, 2 ** 31) : parseSeed('--seed', flags.seed);
  const speed = parseSpeed('--speed', value('speed'));
  const concurrency = parseInteger('--concurrency', value('concurrency'), 1, 1024);
  const simulation = simulateCallCentre({
    product,
    agents,
    teams,
    calls: parseInteger('--calls', value('calls'), 0, 1_000_000),
    arrivalPerSec: parseRate('--arrival', value('arrival')),
    meanTalkSec: parseDuration('--talk', value('talk')),
    meanPatienceSec: parseDuration('--patience', value('patience')),
    ringOutProbability: parseProbability('--ring-out', value('ringOut')),
    maxWaitSec: parseDuration('--max-wait', value('maxWait')),
    voicemailProbability: voicemail,
    startAt: flags.start === undefined ? undefined : parseMoment('--start', flags.start),
    seed,
    userMissedConversationUuid: flags.userMissedConversationUuid ?? false,
  });
  const url = resolveIngestUrl(flags);
  const c = colorsFor(io.stdout);
  if (flags.json !== true)
    io.stdout.write(
      `${c.bold(`Simulating ${simulation.calls.length} calls`)} (${product}, seed ${seed}): ${simulation.payloads.length} payloads, ` +
        `${speed === 'instant' ? 'without pauses' : `at ${speed}x`} → ${redactUrl(url)}\n`,
    );

  const { sent, failed } = await send(simulation.payloads, url, { speed, concurrency, io });
  const report: SimulateReport = {
    seed,
    product,
    calls: simulation.calls.length,
    sent,
    failed,
    ...simulation.truth,
  };
  io.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, c));
  return failed > 0 ? 1 : 0;
}

async function send(
  payloads: readonly ScheduledPayload[],
  url: URL,
  options: { speed: ReturnType<typeof parseSpeed>; concurrency: number; io: CommandIo },
): Promise<{ sent: number; failed: number }> {
  const progress = createProgressBar(options.io.stderr, payloads.length);
  const sender = createSender(url, options.concurrency);
  let sent = 0;
  let failed = 0;
  const failures: string[] = [];
  const deliveries: Delivery<ScheduledPayload>[] = payloads.map((payload) => ({
    at: payload.at,
    group: payload.call,
    body: JSON.stringify(payload.payload),
    item: payload,
  }));
  try {
    await deliver(deliveries, {
      speed: options.speed,
      concurrency: options.concurrency,
      post: (body) => sender.post(body),
      onAnswer: (delivery, answer) => {
        sent += 1;
        if (!isAccepted(answer)) {
          failed += 1;
          if (failures.length === 0)
            failures.push(
              `${delivery.item.template}: ${answer.status === 0 ? 'no answer' : answer.status} ${answer.body.trim()}`,
            );
        }
        progress.update(
          sent,
          `${failed} failed  call time ${new Date(delivery.at).toISOString().slice(11, 19)}`,
        );
      },
    });
  } finally {
    progress.finish();
    await sender.close();
  }
  // One line about the first failure helps more than a count alone, and keeps stdout clean for --json.
  if (failures.length > 0)
    options.io.stderr.write(`telehook: ${failed} payloads not accepted; the first: ${failures[0]}\n`);
  return { sent, failed };
}

function formatReport(report: SimulateReport, c: ReturnType<typeof colorsFor>): string {
  const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
  const sec = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)} s`);
  const time = (value: number | null): string => (value === null ? '–' : new Date(value).toISOString());
  const rows: [string, string, string][] = [
    ['offered', String(report.offered), 'inbound calls'],
    ['answered', String(report.answered), ''],
    [
      'abandoned',
      String(report.abandoned),
      `hung up unanswered after ≥ ${report.thresholds.shortAbandonSec} s`,
    ],
    [
      'short abandoned',
      String(report.shortAbandoned),
      `hung up within ${report.thresholds.shortAbandonSec} s`,
    ],
    ['missed', String(report.missed), 'queue timed out, no voicemail'],
    ['voicemail', String(report.voicemail), ''],
    ['ASA', sec(report.asaSec), 'mean wait of answered calls'],
    ['AHT', sec(report.ahtSec), 'mean talk time of answered calls'],
    [
      'service level',
      percent(report.serviceLevel),
      `answered ≤ ${report.thresholds.serviceLevelSec} s ÷ (answered + abandoned)`,
    ],
    ['abandonment', percent(report.abandonmentRate), 'abandoned ÷ offered'],
  ];
  const agents = Object.entries(report.agents).map(
    ([id, agent]) =>
      `  ${id.padEnd(16)}${agent.team.padEnd(22)}${String(agent.answered).padStart(8)}${String(agent.rangNotAnswered).padStart(20)}`,
  );
  return [
    '',
    c.bold(`Ground truth`) + c.dim(`  ${time(report.from)} → ${time(report.to)}`),
    ...rows.map(([name, shown, note]) =>
      `  ${name.padEnd(16)}${shown.padStart(9)}  ${c.dim(note)}`.trimEnd(),
    ),
    '',
    c.bold(
      `  ${'agent'.padEnd(16)}${'team'.padEnd(22)}${'answered'.padStart(8)}${'rang, not answered'.padStart(20)}`,
    ),
    ...agents,
    '',
    `${report.sent} payloads sent, ${report.failed > 0 ? c.red(`${report.failed} not accepted`) : '0 not accepted'}. Replay with --seed ${report.seed}.`,
    '',
  ].join('\n');
}
