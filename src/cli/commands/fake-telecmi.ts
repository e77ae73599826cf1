import { checkFault, createFakeTelecmi, FAKE_SECRET, type Fault } from '../../fake-telecmi/index.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { parseChoice, parseInteger } from '../flags.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook fake-telecmi`, as given on the command line. */
export interface FakeTelecmiFlags {
  readonly port?: string;
  readonly host?: string;
  readonly appid?: string[];
  readonly secret?: string;
  readonly pageSize?: string;
  readonly failWith?: string;
  readonly failAfter?: string;
  readonly failTimes?: string;
  readonly failPath?: string;
}

/** The apps of the built-in scenarios, and which product simulate and trigger play for each. */
const SCENARIO_APPS: readonly [string, string][] = [
  ['2222223', 'chub'],
  ['1111113', 'chub-india'],
  ['2222224', 'piopiy'],
];

/**
 * `telehook fake-telecmi`: serves a local TeleCMI REST API until `signal` aborts (Ctrl-C), printing where it
 * listens, its apps and secret, and how to fill its history. Returns the exit code.
 */
export async function runFakeTelecmi(
  flags: FakeTelecmiFlags,
  io: CommandIo = processIo(),
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const port = parseInteger('--port', flags.port ?? '5001', 0, 65_535);
  const host = flags.host ?? '127.0.0.1';
  const secret = flags.secret ?? FAKE_SECRET;
  if (secret === '') throw new UsageError('--secret: give a secret, e.g. --secret s3cret.');
  const appIds = flags.appid?.length ? flags.appid : SCENARIO_APPS.map(([id]) => id);
  for (const id of appIds)
    if (!/^\d+$/.test(id))
      throw new UsageError(`--appid: "${id}" is not an app id: expected digits, e.g. 2222223.`);
  const faults = faultsOf(flags);
  const pageSize = parseInteger('--page-size', flags.pageSize ?? '10', 1, 1000);
  const fake = createFakeTelecmi({
    apps: Object.fromEntries(appIds.map((id) => [id, secret])),
    pageSize,
    faults,
  });
  const origin = await fake.listen(port, host);
  const c = colorsFor(io.stdout);
  const products = new Map(SCENARIO_APPS);
  const apps = appIds.map((id) => (products.has(id) ? `${id} (${products.get(id)})` : id)).join(', ');
  io.stdout.write(
    [
      `${c.bold('A local TeleCMI')} on ${origin}`,
      `  apps       ${apps}`,
      `  secret     ${secret}`,
      `  pages      ${pageSize} rows, whatever limit asks`,
      `  history    POST ${origin}/_fake/history  (telehook simulate --history-url ${origin})`,
      `  faults     ${faults.length === 0 ? 'none' : faults.map((fault) => JSON.stringify(fault)).join(' ')}  (POST ${origin}/_fake/faults)`,
      '',
      `Point telehook at it: TELEHOOK_TELECMI_API_URL=${origin} TELEHOOK_TELECMI_APPID=${appIds[0]} TELEHOOK_TELECMI_SECRET=${secret}`,
      `Try: curl -s ${origin}/v2/answered -H 'content-type: application/json' -d '{"appid":${appIds[0]},"secret":"${secret}","page":1}'`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await fake.close();
  return 0;
}

/** The fault of --fail-with, --fail-after, --fail-times and --fail-path, if any. */
function faultsOf(flags: FakeTelecmiFlags): Fault[] {
  if (flags.failWith === undefined) {
    if (flags.failAfter !== undefined || flags.failTimes !== undefined || flags.failPath !== undefined)
      throw new UsageError(
        '--fail-after, --fail-times and --fail-path need --fail-with (500, timeout or reset).',
      );
    return [];
  }
  const kind = /^\d{3}$/.test(flags.failWith.trim())
    ? 'status'
    : parseChoice('--fail-with', flags.failWith, ['timeout', 'reset'] as const);
  const fault = checkFault({
    answer: kind === 'status' ? 'status' : kind === 'timeout' ? 'hang' : 'reset',
    ...(kind === 'status' ? { status: Number(flags.failWith) } : {}),
    ...(flags.failAfter === undefined ? {} : { after: parseInteger('--fail-after', flags.failAfter, 0) }),
    ...(flags.failTimes === undefined ? {} : { times: parseInteger('--fail-times', flags.failTimes, 1) }),
    ...(flags.failPath === undefined ? {} : { path: flags.failPath }),
  });
  if (typeof fault === 'string') throw new UsageError(`--fail-with: ${fault}`);
  return [fault];
}
