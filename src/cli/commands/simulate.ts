import { randomInt } from 'node:crypto';

import { redactUrl } from '../../redact.js';
import {
  createPrng,
  type GroundTruth,
  listTruthCalls,
  type ScheduledPayload,
  simulateCallCentre,
  type TruthCallSummary,
} from '../../scenarios/index.js';
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
import { createHistoryTarget, type HistoryTarget, isCdr } from '../history-target.js';
import { type Answer, createSender, isAccepted } from '../http-sender.js';
import { resolveIngestUrl } from '../ingest-target.js';
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
  /** A fake TeleCMI's origin: every CDR also goes to its history. */
  readonly historyUrl?: string;
  /** The share of webhook deliveries left unsent (seeded), e.g. 0.2. */
  readonly drop?: string;
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
  /** Webhook deliveries left unsent by --drop (the ground truth still counts their calls). */
  readonly dropped: number;
  /** CDRs posted to the fake TeleCMI's history (--history-url). */
  readonly history?: { readonly url: string; readonly posted: number; readonly failed: number };
  /** With --drop or --history-url: every call, and how many of its payloads were dropped. */
  readonly callList?: readonly (TruthCallSummary & { readonly dropped: number })[];
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
  const drop = parseProbability('--drop', flags.drop ?? '0');
  const history =
    flags.historyUrl === undefined ? null : createHistoryTarget(flags.historyUrl, product, concurrency);
  const url = resolveIngestUrl(flags);
  const c = colorsFor(io.stdout);
  if (flags.json !== true)
    io.stdout.write(
      `${c.bold(`Simulating ${simulation.calls.length} calls`)} (${product}, seed ${seed}): ${simulation.payloads.length} payloads, ` +
        `${speed === 'instant' ? 'without pauses' : `at ${speed}x`} → ${redactUrl(url)}` +
        `${drop > 0 ? `, ${Math.round(drop * 100)} % dropped` : ''}${history === null ? '' : `; CDRs → ${history.url.href}`}\n`,
    );

  // Which deliveries are dropped depends on the seed alone, so a run can be played again exactly.
  const drops = createPrng(seed).fork('drop');
  const planned = simulation.payloads.map((payload) => ({
    payload,
    dropped: drop > 0 && drops.chance(drop),
  }));
  const outcome = await send(planned, url, { speed, concurrency, io, history });
  const droppedByCall = new Map<number, number>();
  for (const { payload, dropped } of planned)
    if (dropped) droppedByCall.set(payload.call, (droppedByCall.get(payload.call) ?? 0) + 1);
  const indexByKey = new Map(simulation.calls.map((call) => [call.key, call.index]));
  const report: SimulateReport = {
    seed,
    product,
    calls: simulation.calls.length,
    sent: outcome.sent,
    failed: outcome.failed,
    dropped: outcome.dropped,
    ...simulation.truth,
    ...(history === null
      ? {}
      : { history: { url: history.url.href, posted: outcome.historyPosted, failed: outcome.historyFailed } }),
    ...(history === null && drop === 0
      ? {}
      : {
          callList: listTruthCalls(simulation.calls).map((call) => ({
            ...call,
            dropped: droppedByCall.get(indexByKey.get(call.key) ?? -1) ?? 0,
          })),
        }),
  };
  io.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, c));
  return outcome.failed > 0 || outcome.historyFailed > 0 ? 1 : 0;
}

/** A payload to deliver, and whether --drop leaves its webhook unsent. */
interface Planned {
  readonly payload: ScheduledPayload;
  readonly dropped: boolean;
}

/** What a dropped delivery "answers": nothing was sent, so nothing is read from it. */
const NOT_SENT: Answer = { status: 0, body: '' };

interface SendOutcome {
  readonly sent: number;
  readonly failed: number;
  readonly dropped: number;
  readonly historyPosted: number;
  readonly historyFailed: number;
}

async function send(
  planned: readonly Planned[],
  url: URL,
  options: {
    speed: ReturnType<typeof parseSpeed>;
    concurrency: number;
    io: CommandIo;
    history: HistoryTarget | null;
  },
): Promise<SendOutcome> {
  const progress = createProgressBar(options.io.stderr, planned.length);
  const sender = createSender(url, options.concurrency);
  const { history } = options;
  let [sent, failed, dropped, historyPosted, historyFailed] = [0, 0, 0, 0, 0];
  const failures: string[] = [];
  const deliveries: Delivery<Planned>[] = planned.map((item) => ({
    at: item.payload.at,
    group: item.payload.call,
    body: JSON.stringify(item.payload.payload),
    item,
  }));
  try {
    await deliver(deliveries, {
      speed: options.speed,
      concurrency: options.concurrency,
      post: async (body, delivery) => {
        // TeleCMI keeps the CDR in its history whether or not the webhook gets through.
        if (history !== null && isCdr(delivery.item.payload.payload)) {
          const answer = await history.post(delivery.item.payload.payload);
          if (isAccepted(answer)) historyPosted += 1;
          else {
            historyFailed += 1;
            if (failures.length === 0)
              failures.push(
                `history ${answer.status === 0 ? 'no answer' : answer.status} ${answer.body.trim()}`,
              );
          }
        }
        return delivery.item.dropped ? NOT_SENT : sender.post(body);
      },
      onAnswer: (delivery, answer) => {
        if (delivery.item.dropped) dropped += 1;
        else {
          sent += 1;
          if (!isAccepted(answer)) {
            failed += 1;
            if (failures.length === 0)
              failures.push(
                `${delivery.item.payload.template}: ${answer.status === 0 ? 'no answer' : answer.status} ${answer.body.trim()}`,
              );
          }
        }
        progress.update(
          sent + dropped,
          `${failed} failed${dropped > 0 ? `, ${dropped} dropped` : ''}  call time ${new Date(delivery.at).toISOString().slice(11, 19)}`,
        );
      },
    });
  } finally {
    progress.finish();
    await sender.close();
    await history?.close();
  }
  // One line about the first failure helps more than a count alone, and keeps stdout clean for --json.
  if (failures.length > 0)
    options.io.stderr.write(
      `telehook: ${failed + historyFailed} payloads not accepted; the first: ${failures[0]}\n`,
    );
  return { sent, failed, dropped, historyPosted, historyFailed };
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
    `${report.sent} payloads sent, ${report.failed > 0 ? c.red(`${report.failed} not accepted`) : '0 not accepted'}` +
      `${report.dropped > 0 ? `, ${report.dropped} dropped (never sent: only in TeleCMI's history)` : ''}. Replay with --seed ${report.seed}.`,
    ...(report.history === undefined
      ? []
      : [
          `${report.history.posted} CDRs posted to the history at ${report.history.url}${report.history.failed > 0 ? c.red(`, ${report.history.failed} refused`) : ''}.`,
        ]),
    '',
  ].join('\n');
}
