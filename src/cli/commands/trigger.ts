import { randomInt } from 'node:crypto';

import { redactUrl } from '../../redact.js';
import {
  createPrng,
  describeScenario,
  generateScenario,
  isScenarioName,
  SCENARIO_NAMES,
  SCENARIO_PRODUCTS,
  type ScheduledPayload,
} from '../../scenarios/index.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { deliver, type Delivery } from '../deliver.js';
import {
  parseAgent,
  parseChoice,
  parseMoment,
  parsePhoneNumber,
  parseProbability,
  parseSeed,
  parseSpeed,
  parseTeam,
} from '../flags.js';
import { createHistoryTarget, isCdr } from '../history-target.js';
import { createSender, isAccepted } from '../http-sender.js';
import { resolveIngestUrl } from '../ingest-target.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook trigger`, as given on the command line. */
export interface TriggerFlags {
  readonly url?: string;
  readonly data?: string;
  readonly product?: string;
  readonly speed?: string;
  readonly duplicate?: string;
  readonly shuffle?: boolean;
  readonly from?: string;
  readonly team?: string;
  readonly agent?: string;
  readonly seed?: string;
  readonly start?: string;
  readonly userMissedConversationUuid?: boolean;
  /** A fake TeleCMI's origin: every CDR also goes to its history. */
  readonly historyUrl?: string;
}

interface Sending {
  readonly sent: ScheduledPayload;
  readonly resend: boolean;
}

/**
 * `telehook trigger <scenario>`: plays one call of a built-in scenario against the ingest URL, printing each
 * payload and the answer. Returns the exit code: 0 when every payload was accepted (2xx), else 1.
 */
export async function runTrigger(
  scenario: string,
  flags: TriggerFlags,
  io: CommandIo = processIo(),
): Promise<number> {
  if (!isScenarioName(scenario))
    throw new UsageError(
      `Unknown scenario ${JSON.stringify(scenario)}: expected one of ${SCENARIO_NAMES.join(', ')}.`,
    );
  const { products } = describeScenario(scenario);
  const product = parseChoice('--product', flags.product ?? products[0] ?? 'chub', SCENARIO_PRODUCTS);
  if (!products.includes(product))
    throw new UsageError(`--product: ${scenario} plays for ${products.join(' or ')}, not ${product}.`);
  const speed = parseSpeed('--speed', flags.speed ?? '1x');
  const duplicate = parseProbability('--duplicate', flags.duplicate ?? '0');
  const seed = flags.seed === undefined ? randomInt(0, 2 ** 31) : parseSeed('--seed', flags.seed);
  const payloads = generateScenario(scenario, {
    product,
    seed,
    from: flags.from === undefined ? undefined : parsePhoneNumber('--from', flags.from),
    team: flags.team === undefined ? undefined : parseTeam('--team', flags.team),
    agent: flags.agent === undefined ? undefined : parseAgent('--agent', flags.agent),
    startAt: flags.start === undefined ? undefined : parseMoment('--start', flags.start),
    userMissedConversationUuid: flags.userMissedConversationUuid ?? false,
  });
  const url = resolveIngestUrl(flags);

  // --shuffle changes which payload goes out when, not when something goes out: the pace stays the call's.
  const rng = createPrng(seed).fork('trigger');
  const order = flags.shuffle === true ? rng.shuffle(payloads) : payloads;
  const deliveries: Delivery<Sending>[] = order.flatMap((sent, index) => {
    const at = payloads[index]!.at;
    const body = JSON.stringify(sent.payload);
    const once: Delivery<Sending> = { at, group: 0, body, item: { sent, resend: false } };
    return rng.chance(duplicate) ? [once, { ...once, item: { sent, resend: true } }] : [once];
  });

  const c = colorsFor(io.stdout);
  const t0 = payloads[0]?.at ?? 0;
  const span = Math.round(((payloads[payloads.length - 1]?.at ?? t0) - t0) / 1000);
  io.stdout.write(
    `${c.bold(`Playing ${scenario}`)} (${product}, seed ${seed}): ${deliveries.length} payloads over ${span} s of call, ` +
      `${speed === 'instant' ? 'without pauses' : `at ${speed}x`} → ${redactUrl(url)}\n\n`,
  );
  const sender = createSender(url, 1);
  const history = flags.historyUrl === undefined ? null : createHistoryTarget(flags.historyUrl, product, 1);
  let failed = 0;
  let [historyPosted, historyFailed] = [0, 0];
  try {
    await deliver(deliveries, {
      speed,
      concurrency: 1,
      post: async (body, delivery) => {
        const { sent, resend } = delivery.item;
        // TeleCMI's history has a call once, however often its webhook was sent.
        if (history !== null && !resend && isCdr(sent.payload)) {
          const answer = await history.post(sent.payload);
          if (isAccepted(answer)) historyPosted += 1;
          else {
            historyFailed += 1;
            io.stderr.write(`telehook: the history refused a CDR: ${answer.status} ${answer.body.trim()}\n`);
          }
        }
        return sender.post(body);
      },
      onAnswer: (delivery, answer) => {
        const { sent, resend } = delivery.item;
        const accepted = isAccepted(answer);
        if (!accepted) failed += 1;
        const offset = `+${Math.round((sent.at - t0) / 1000)}s`.padStart(6);
        io.stdout.write(
          `${c.dim(offset)} ${c.cyan(sent.template)}${resend ? c.yellow('  (sent again)') : ''}\n` +
            `       ${c.dim(String(delivery.body))}\n` +
            `       ${(accepted ? c.green : c.red)(`← ${answer.status === 0 ? 'no answer' : answer.status}`)} ${answer.body.trim()}\n`,
        );
      },
    });
  } finally {
    await sender.close();
    await history?.close();
  }
  io.stdout.write(
    `\n${deliveries.length - failed} accepted${failed > 0 ? c.red(`, ${failed} not accepted`) : ''}. Replay with --seed ${seed}.\n` +
      (history === null
        ? ''
        : `${historyPosted} CDRs posted to the history at ${history.url.href}${historyFailed > 0 ? c.red(`, ${historyFailed} refused`) : ''}.\n`),
  );
  return failed > 0 || historyFailed > 0 ? 1 : 0;
}
