import { Command, Option } from 'commander';

import { type Config, SETTINGS } from '../config.js';
import { describeScenario, SCENARIO_NAMES } from '../scenarios/index.js';
import { VERSION } from '../version.js';
import type { BackfillFlags } from './commands/backfill.js';
import type { BackupFlags, RestoreFlags } from './commands/backup.js';
import type { CopyFlags } from './commands/copy.js';
import type { DoctorFlags } from './commands/doctor.js';
import type { DeliveryFlags, EndpointFlags } from './commands/endpoints.js';
import type { FakeTelecmiFlags } from './commands/fake-telecmi.js';
import type { ForgetFlags } from './commands/forget.js';
import type { ReplayFlags } from './commands/replay.js';
import type { SendFlags } from './commands/send.js';
import type { SimulateFlags } from './commands/simulate.js';
import { SIMULATE_DEFAULTS } from './commands/simulate-defaults.js';
import type { TailFlags } from './commands/tail.js';
import type { TriggerFlags } from './commands/trigger.js';
import type { UserFlags } from './commands/users.js';
import { addConfigOptions } from './config-options.js';
import { FILTER_KEYS } from './tail-lines.js';

const option = (key: keyof typeof SETTINGS, valueName: string): Option => {
  const setting = SETTINGS[key];
  return new Option(`${setting.flag} <${valueName}>`, `${setting.describe} (env ${setting.env})`);
};

/** The settings `telehook serve` takes as flags. */
const SERVE_SETTINGS: (keyof Config)[] = [
  'port',
  'host',
  'dataDir',
  'databaseUrl',
  'databasePoolSize',
  'logFormat',
  'logLevel',
  'bodyLimitBytes',
  'timezone',
  'serviceLevelSec',
  'shortAbandonSec',
  'staleCallAfterMs',
  'waitAmberSec',
  'waitRedSec',
  'serviceLevelAmber',
  'liveMaxClients',
  'allowPrivateEndpoints',
  'deliveryRetrySchedule',
  'endpointDisableAfterMs',
  'deliveryConcurrency',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'keepAliveTimeoutMs',
  'trustProxy',
  'maxConnections',
  // The secret has no flag: a command line is visible to every user of the machine.
  'telecmiAppId',
  'telecmiProduct',
  'telecmiApiUrl',
  'reconcileEveryMs',
  'reconcileWindowMs',
  'recordingsCacheDir',
  'recordingsCacheBytes',
  'viewerRecordings',
  'retainEventsMs',
  'retainCallsMs',
  'retainDeliveriesMs',
  'retainQuarantineMs',
];
const STORE_SETTINGS: (keyof Config)[] = ['dataDir', 'databaseUrl', 'staleCallAfterMs'];
const DOCTOR_SETTINGS: (keyof Config)[] = [
  'dataDir',
  'databaseUrl',
  'telecmiAppId',
  'telecmiProduct',
  'telecmiApiUrl',
];

const URL_HELP = "ingest URL to post to (default: the running server's, read from <data>/server.json)";
const SPEED_HELP =
  'Nx plays N times faster than TeleCMI would send (1x: real time); instant sends without pauses';
const SEED_HELP = 'seed of the generated ids and timings, 0 to 4294967295 (default: random, and printed)';
const START_HELP =
  'when the first call starts: epoch ms or ISO 8601 such as 2024-06-06T09:00:00Z (default: now)';
const SERVER_HELP =
  "a telehook server's base URL, e.g. http://localhost:5000 (default: the server running on --data, from <data>/server.json)";
const TOKEN_HELP = 'the API token (default: TELEHOOK_API_TOKEN, else <data>/tokens.json)';
const HISTORY_HELP =
  "also post every CDR to a local TeleCMI's history (its origin, as telehook fake-telecmi prints it), e.g. http://127.0.0.1:5001";
const USER_MISSED_HELP =
  'add conversation_uuid to leg-B "user missed" CDRs (listed by a third-party copy of the docs, not by the documented sample)';

function addExportOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'csv or ndjson').choices(['csv', 'ndjson']).default('csv'))
    .option('--from <time>', 'calls started at or after (epoch ms or ISO 8601)')
    .option('--to <time>', 'calls started before (epoch ms or ISO 8601)')
    .option('--outcome <outcome>', 'answered, abandoned, missed, voicemail or unknown')
    .option('--state <state>', 'waiting, ringing, answered or ended')
    .option('--direction <direction>', 'inbound or outbound')
    .option('--team <team>', 'a TeleCMI team')
    .option('--agent <agent>', 'a TeleCMI user')
    .option('--number <number>', 'a phone number')
    .option('--out <file>', 'write to a file instead of stdout');
}

/** The `telehook` command line. Every command has --help; a bad flag throws a CommanderError. */
export function createProgram(): Command {
  // exitOverride (inherited by every command): a bad flag throws a CommanderError, which main() turns into exit
  // code 2 like every other misuse, instead of commander's exit code 1.
  const program = new Command('telehook')
    .description('Receive TeleCMI webhooks durably, understand calls, and forward them.')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();

  // The server's modules (Fastify, SQLite, pino) take half a second to load, which trigger, send and simulate
  // have no use for: the commands that need them load them when they run.
  addConfigOptions(
    program.command('serve').description('serve the ingest URL, the API and the wallboard'),
    SERVE_SETTINGS,
  ).action(async (flags: Record<string, unknown>) => {
    const [{ runServe }, { configSourcesFrom }] = await Promise.all([
      import('./commands/serve.js'),
      import('./config-options.js'),
    ]);
    await runServe(configSourcesFrom(flags, SERVE_SETTINGS));
  });
  addConfigOptions(
    program
      .command('config')
      .description('the settings telehook runs with')
      .command('print')
      .description(
        'print the effective settings (flags, environment, configuration file, defaults), secrets redacted, and where each came from',
      )
      .option('--json', 'print them as JSON'),
    SERVE_SETTINGS,
  ).action(async (flags: Record<string, unknown>) => {
    const { runConfigPrint } = await import('./commands/config-print.js');
    runConfigPrint(flags, SERVE_SETTINGS);
  });
  addConfigOptions(
    program
      .command('doctor')
      .description(
        'check the data directory, the database, the tokens, the clock, the public URL, the TeleCMI credentials and the endpoints; exit 0 when nothing failed',
      )
      .option(
        '--public-url <url>',
        'the URL TeleCMI posts to, e.g. https://telehook.example.com: does it answer?',
      )
      .option('--json', 'print the checks as JSON'),
    DOCTOR_SETTINGS,
  ).action(async (flags: DoctorFlags) => {
    const { runDoctor } = await import('./commands/doctor.js');
    process.exitCode = await runDoctor(flags, DOCTOR_SETTINGS);
  });
  addConfigOptions(
    program
      .command('tokens')
      .description(
        'print the ingest URL, the wallboard URL and the API token in full (the banner masks them off a terminal)',
      ),
    ['dataDir', 'port'],
  ).action(async (flags: Record<string, unknown>) => {
    const { runTokens } = await import('./commands/tokens.js');
    runTokens(flags);
  });
  addConfigOptions(
    program
      .command('rebuild')
      .description('recompute every call from the stored raw events (after a fix or a changed definition)'),
    STORE_SETTINGS,
  ).action(async (flags: Record<string, unknown>) => {
    const { rebuild } = await import('./commands/rebuild.js');
    await rebuild(flags);
  });
  addConfigOptions(
    program
      .command('migrate')
      .description(
        'apply the schema migrations to the database (PostgreSQL with TELEHOOK_DATABASE_URL, else SQLite in --data)',
      ),
    ['dataDir', 'databaseUrl'],
  ).action(async (flags: Record<string, unknown>) => {
    const { runMigrate } = await import('./commands/migrate.js');
    await runMigrate(flags);
  });
  program
    .command('copy')
    .description(
      'copy a whole installation to another database (SQLite → PostgreSQL): events, people, endpoints and deliveries, alerts, follow-up actions, reconcile runs; resumable, verified, then calls rebuilt',
    )
    .option('--from <location>', 'the source: a data directory (its SQLite database) or a postgres:// URL')
    .option('--to <location>', 'the target: a postgres:// URL (or a data directory)')
    .option('--batch <n>', 'events per batch (1 to 1000)', '500')
    .addHelpText(
      'after',
      '\nRun it again after an interruption: it resumes where it stopped. Stop the server first, or run it again\n' +
        "after the last events came in; it ends by comparing a SHA-256 of every event and every table's count on\n" +
        "both sides. A target holding another installation's rows is refused. Sessions are not copied (everyone\n" +
        "signs in again), nor the tokens: copy the data directory's tokens.json to the new servers, or set them.\n\n" +
        'Example:\n  telehook copy --from ./data --to postgres://telehook:secret@db.internal:5432/telehook\n',
    )
    .action(async (flags: CopyFlags) => {
      const { runCopy } = await import('./commands/copy.js');
      await runCopy(flags);
    });
  addExportOptions(
    addConfigOptions(
      program
        .command('export')
        .description('export calls as CSV or NDJSON (from the running server, or from the data directory)'),
      STORE_SETTINGS,
    ),
  ).action(async (flags: Record<string, unknown>) => {
    const { exportCalls } = await import('./commands/export.js');
    await exportCalls(flags);
  });

  const scenarioList = SCENARIO_NAMES.map((name) => {
    const { description, products } = describeScenario(name);
    return `  ${name.padEnd(27)}${description} (${products.join(', ')})`;
  }).join('\n');
  program
    .command('trigger')
    .description(
      'play one TeleCMI call of a built-in scenario against the ingest URL, printing each payload and answer',
    )
    .argument('<scenario>', `the call to play: ${SCENARIO_NAMES.join(', ')}`)
    .option('--url <url>', URL_HELP)
    .addOption(option('dataDir', 'dir'))
    .option('--product <product>', "chub, chub-india or piopiy (default: the scenario's first)")
    .option('--speed <speed>', SPEED_HELP, '1x')
    .option(
      '--duplicate <probability>',
      'send each payload a second time with this probability, e.g. 0.2',
      '0',
    )
    .option('--shuffle', "send the payloads in a random order (at the call's pace)")
    .option(
      '--from <number>',
      "the customer's number: the caller of an incoming call, the one an outgoing call dials (default: random)",
    )
    .option('--team <name>', 'the team (Sales becomes Sales_<appid>)', 'Sales')
    .option(
      '--agent <id>',
      'the agent rung first, or who makes the call: an extension (204) or a user id (204_2222223)',
      '201',
    )
    .option('--seed <n>', SEED_HELP)
    .option('--start <time>', START_HELP)
    .option('--user-missed-conversation-uuid', USER_MISSED_HELP)
    .option('--history-url <url>', HISTORY_HELP)
    .addHelpText(
      'after',
      `\nScenarios:\n${scenarioList}\n\nExample:\n  telehook trigger incoming-agent-no-answer --speed 10x --duplicate 0.2\n`,
    )
    .action(async (scenario: string, flags: TriggerFlags) => {
      const { runTrigger } = await import('./commands/trigger.js');
      process.exitCode = await runTrigger(scenario, flags);
    });

  program
    .command('simulate')
    .description(
      'simulate a call centre (seeded), send every payload of every call to the ingest URL, and print the ground truth',
    )
    .option('--agents <n>', 'agents, spread over the teams in turn', SIMULATE_DEFAULTS.agents)
    .option('--teams <names>', 'comma-separated teams, each with its own FIFO queue', SIMULATE_DEFAULTS.teams)
    .option('--calls <n>', 'inbound calls to simulate', SIMULATE_DEFAULTS.calls)
    .option(
      '--arrival <rate>',
      'mean arrival rate of the Poisson arrivals: 2/s, 30/min, 100/h',
      SIMULATE_DEFAULTS.arrival,
    )
    .option('--talk <duration>', 'mean talk time (exponential): 180s, 3m', SIMULATE_DEFAULTS.talk)
    .option(
      '--patience <duration>',
      'mean caller patience (exponential): unanswered by then, the caller hangs up',
      SIMULATE_DEFAULTS.patience,
    )
    .option(
      '--ring-out <probability>',
      "probability that a rung agent doesn't answer (the next agent is tried after 20 s)",
      SIMULATE_DEFAULTS.ringOut,
    )
    .option(
      '--max-wait <duration>',
      'longest wait in the queue, then voicemail or missed',
      SIMULATE_DEFAULTS.maxWait,
    )
    .option(
      '--voicemail <probability>',
      // No commander default: runSimulate must tell a value given from none, since chub-india takes only 1.
      `probability of a voicemail at the longest wait (default: ${SIMULATE_DEFAULTS.voicemail}; chub-india: always)`,
    )
    .option('--speed <speed>', SPEED_HELP, SIMULATE_DEFAULTS.speed)
    .option('--seed <n>', SEED_HELP)
    .option('--start <time>', START_HELP)
    .option('--url <url>', URL_HELP)
    .addOption(option('dataDir', 'dir'))
    .option('--product <product>', 'chub or chub-india', SIMULATE_DEFAULTS.product)
    .option('--json', 'print only the ground truth and the counts, as one JSON object')
    .option(
      '--concurrency <n>',
      "most requests in flight (a call's payloads go one after the other)",
      SIMULATE_DEFAULTS.concurrency,
    )
    .option('--user-missed-conversation-uuid', USER_MISSED_HELP)
    .option('--history-url <url>', HISTORY_HELP)
    .option(
      '--drop <probability>',
      "leave this share of the webhook deliveries unsent, e.g. 0.2 (seeded; TeleCMI's history still has them)",
    )
    .addHelpText(
      'after',
      '\nGround truth: offered = answered + abandoned (hung up after ≥ 5 s) + short abandoned (< 5 s) + missed + voicemail;\n' +
        'ASA and AHT are the mean wait and talk time of answered calls; service level = answered within 20 s ÷ (answered + abandoned);\n' +
        'abandonment rate = abandoned ÷ offered. Exit code 1 when a payload was not accepted.\n\n' +
        'Example:\n  telehook simulate --agents 8 --teams Sales,Support --calls 500 --arrival 2/min --speed 60x\n',
    )
    .action(async (flags: SimulateFlags) => {
      const { runSimulate } = await import('./commands/simulate.js');
      process.exitCode = await runSimulate(flags);
    });

  program
    .command('fake-telecmi')
    .description(
      'serve a local TeleCMI REST API (call history, voicemails, PIOPIY CDRs, recordings) filled by simulate and trigger --history-url',
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', '5001')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option(
      '--appid <id>',
      'an app id it knows (repeatable; default 2222223, 1111113 and 2222224)',
      collect,
      [],
    )
    .option('--secret <secret>', 'the secret (CHUB India: token) of every app (default fake-telecmi-secret)')
    .option('--page-size <n>', 'rows per page, whatever limit asks', '10')
    .option('--fail-with <answer>', 'inject a fault: an HTTP status (500), timeout (no answer) or reset')
    .option('--fail-after <n>', 'answer this many API requests normally first')
    .option('--fail-times <n>', 'fail this many requests, then answer normally again (default: every one)')
    .option('--fail-path <path>', 'fail only requests to this path, e.g. /v2/missed')
    .addHelpText(
      'after',
      '\nIts own routes: POST /_fake/history (webhook CDRs, an array or NDJSON; ?product=chub-india), GET and DELETE\n' +
        '/_fake/history, POST/GET/DELETE /_fake/faults ({"answer":"status|body-code|hang|reset|delay",…}), GET /_fake/requests.\n\n' +
        'Example:\n  telehook fake-telecmi --port 5001\n  telehook simulate --calls 50 --speed instant --drop 0.2 --history-url http://127.0.0.1:5001\n',
    )
    .action(async (flags: FakeTelecmiFlags) => {
      const { runFakeTelecmi } = await import('./commands/fake-telecmi.js');
      process.exitCode = await runFakeTelecmi(flags, undefined, signalOnInterrupt());
    });

  program
    .command('backfill')
    .description(
      "read TeleCMI's call history of a window and store the calls telehook missed (one reconcile run)",
    )
    .option('--since <duration>', 'the window up to now: 90m, 24h, 7d')
    .option(
      '--from <time>',
      'the window from: epoch ms, ISO 8601 (2024-06-06T09:00:00Z) or a date (UTC midnight)',
    )
    .option('--to <time>', 'the window to (default: now)')
    .option(
      '--server <url>',
      "run it in this server, e.g. https://telehook.example.com (default: the server running on --data; with none, directly on the data directory's database)",
    )
    .option('--token <token>', TOKEN_HELP)
    .addOption(option('dataDir', 'dir'))
    .option('--json', 'print only the finished run, as the API shows it')
    .addHelpText(
      'after',
      '\nDirectly on a data directory, it reads TELEHOOK_TELECMI_APPID, TELEHOOK_TELECMI_SECRET, TELEHOOK_TELECMI_PRODUCT and\n' +
        'TELEHOOK_TELECMI_API_URL (and TELEHOOK_DATABASE_URL) as serve does. Exit code 1 when the run fails or cannot start.\n\n' +
        'Examples:\n  telehook backfill --since 7d\n  telehook backfill --from 2026-11-25 --to 2026-11-26 --server https://telehook.example.com --token $API_TOKEN\n',
    )
    .action(async (flags: BackfillFlags) => {
      const { runBackfill } = await import('./commands/backfill.js');
      process.exitCode = await runBackfill(flags, undefined, { signal: signalOnInterrupt() });
      // Stopped mid-run on a data directory: the run is carried out in this process, which ends here.
      if (process.exitCode === 130) process.exit(130);
    });

  program
    .command('send')
    .description('post payload files to the ingest URL byte for byte, and print each answer')
    .argument(
      '[files...]',
      'JSON files (one payload each) or NDJSON files (one per line); - or none reads stdin',
    )
    .option('--url <url>', URL_HELP)
    .addOption(option('dataDir', 'dir'))
    .addHelpText(
      'after',
      '\nExample:\n  telehook send test/fixtures/telecmi/chub-incoming-cdr-answered.json\n  cat events.ndjson | telehook send\n',
    )
    .action(async (files: string[], flags: SendFlags) => {
      const { runSend } = await import('./commands/send.js');
      process.exitCode = await runSend(files, flags);
    });

  program
    .command('tail')
    .description(
      'follow the live stream of a server: a readable line per event and per call that ends, reconnecting without a gap',
    )
    .option('--server <url>', SERVER_HELP)
    .option('--token <token>', TOKEN_HELP)
    .addOption(option('dataDir', 'dir'))
    .option(
      '--filter <key=value>',
      `only the lines that match (key!=value: that do not); repeat it: a key given twice matches either value, different keys must all match. Keys: ${FILTER_KEYS.join(', ')}`,
      collect,
      [],
    )
    .option('--json', 'print every message of the stream as one JSON line (NDJSON): {"type","id","data"}')
    .addHelpText(
      'after',
      "\nA team or agent matches without its app-id suffix (team=Sales matches Sales_2222223); status is an event's " +
        "status, or an ended call's outcome.\n\nExamples:\n  telehook tail\n  telehook tail --filter status=missed --filter status=abandoned\n" +
        '  telehook tail --server https://telehook.example.com --token $API_TOKEN --filter team=Sales --json\n',
    )
    .action(async (flags: TailFlags) => {
      const { runTail } = await import('./commands/tail.js');
      process.exitCode = await runTail(flags, undefined, signalOnInterrupt());
    });

  program
    .command('replay')
    .description(
      'send the events received in a period again, byte for byte, to another receiver (a staging server, a laptop)',
    )
    .option(
      '--from <time>',
      'received at or after: epoch ms, ISO 8601 (2024-06-06T09:00:00Z) or a date (UTC midnight)',
    )
    .option('--to <time>', 'received before: epoch ms, ISO 8601 or a date')
    .option('--to-url <url>', "the receiver's ingest URL, e.g. http://staging:5000/webhooks/telecmi/<token>")
    .option(
      '--rate <rate>',
      'most requests per second: 50/s, 600/min (default: as fast as the receiver answers)',
    )
    .option('--concurrency <n>', 'most requests in flight; 1 keeps the order received exactly', '1')
    .option(
      '--server <url>',
      "read the events through this server's API, e.g. https://telehook.example.com (default: the server running on --data; with none, the data directory's database)",
    )
    .option('--token <token>', TOKEN_HELP)
    .addOption(option('dataDir', 'dir'))
    .addHelpText(
      'after',
      '\nEach event goes out as it came: its exact raw bytes, with its method (POST, or GET with the stored query string) and\n' +
        'content type, in the order received. Exit code 1 when the receiver did not accept an event.\n\n' +
        'Example:\n  telehook replay --from 2026-11-25 --to 2026-11-26 --to-url http://staging:5000/webhooks/telecmi/$TOKEN --rate 50/s\n',
    )
    .action(async (flags: ReplayFlags) => {
      const { runReplay } = await import('./commands/replay.js');
      process.exitCode = await runReplay(flags);
    });

  const serverOptions = (command: Command): Command =>
    command
      .option('--server <url>', SERVER_HELP)
      .option('--token <token>', TOKEN_HELP)
      .addOption(option('dataDir', 'dir'))
      .option('--json', 'print JSON lines instead of text');
  serverOptions(
    program
      .command('endpoints')
      .description("manage where telehook forwards to (through the server's API)")
      .argument(
        '<action>',
        'add <url>, list, show <id>, update <id>, disable <id>, enable <id>, rm <id>, rotate-secret <id>',
      )
      .argument('[arg]', 'the URL (add) or the endpoint id')
      .option(
        '--receives <what>',
        'events (every event as it arrives), calls (one notification per call) or alerts (alert.fired, alert.resolved)',
      )
      .option('--format <format>', 'json, slack or teams')
      .option(
        '--filter <key=values>',
        'only these (repeatable): events: kind, status, direction, team, number, appId; calls: outcome, team, direction',
        collect,
        [],
      )
      .option('--description <text>', 'what it is for')
      .option('--rate-limit <n>', 'most requests per second, or none')
      .option('--timeout <duration>', 'time limit of one attempt, e.g. 15s (default 15s)')
      .option('--url <url>', 'update: the new URL')
      .option(
        '--overlap <duration>',
        'rotate-secret: how long the previous secret keeps signing (default 24h)',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  telehook endpoints add https://crm.example.com/hooks --receives calls --filter outcome=missed,abandoned\n' +
        '  telehook endpoints add https://hooks.slack.com/services/… --receives calls --format slack\n  telehook endpoints list\n',
    )
    .action(async (action: string, arg: string | undefined, flags: EndpointFlags) => {
      const { runEndpoints } = await import('./commands/endpoints.js');
      process.exitCode = await runEndpoints(action, arg, {
        ...flags,
        filter: flags.filter?.length ? flags.filter : undefined,
      });
    });
  serverOptions(
    program
      .command('deliveries')
      .description('list deliveries with their attempts, and send failed ones again')
      .argument('<action>', 'list, or retry [<delivery id>]')
      .argument('[id]', 'retry: one delivery')
      .option('--status <status>', 'list: pending, delivered or failed')
      .option('--endpoint <id>', 'an endpoint id')
      .option('--since <time>', 'enqueued since: a duration back from now (2h), epoch ms or ISO 8601')
      .option('--limit <n>', 'list: at most this many', '100'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  telehook deliveries list --status failed --endpoint ep_01J…\n  telehook deliveries retry --endpoint ep_01J… --since 2h\n',
    )
    .action(async (action: string, id: string | undefined, flags: DeliveryFlags) => {
      const { runDeliveries } = await import('./commands/endpoints.js');
      process.exitCode = await runDeliveries(action, id, flags);
    });
  addConfigOptions(
    program
      .command('users')
      .description('the people who sign in to the web app, and their roles')
      .argument('<action>', 'add <name>, list, remove <name>, passwd <name>')
      .argument('[name]', 'the user name')
      .addOption(
        new Option(
          '--role <role>',
          'add: viewer (reads), supervisor (also acts on the follow-up list) or admin (also manages endpoints and users)',
        ).choices(['viewer', 'supervisor', 'admin']),
      )
      .option('--password-stdin', 'read the password from stdin instead of asking on the terminal')
      .option('--json', 'list: print JSON lines'),
    ['dataDir', 'databaseUrl'],
  )
    .addHelpText(
      'after',
      '\nExamples:\n  telehook users add asha --role supervisor\n  echo "$PASSWORD" | telehook users add wallboard-admin --role admin --password-stdin\n  telehook users list\n',
    )
    .action(async (action: string, name: string | undefined, flags: UserFlags & Record<string, unknown>) => {
      const { runUsers } = await import('./commands/users.js');
      await runUsers(action, name, flags);
    });

  addOperationsCommands(program);

  return program;
}

/** Backups and restores: commands an operator runs beside the server. */
function addOperationsCommands(program: Command): void {
  addConfigOptions(
    program
      .command('backup')
      .description(
        'copy the SQLite database (events and calls) and the tokens into a new directory while the server runs',
      )
      .argument('<dir>', 'the backup: a new (or empty) directory')
      .option('--verify', 'do not back up: open the backup <dir> and compare its counts with its manifest'),
    ['dataDir', 'databaseUrl'],
  )
    .addHelpText(
      'after',
      '\nExit code 1 when the backup does not verify. With PostgreSQL use pg_dump (README "Backups").\n\n' +
        'Examples:\n  telehook backup /backups/telehook-$(date +%F)\n  telehook backup --verify /backups/telehook-2026-12-06\n',
    )
    .action(async (dir: string, flags: BackupFlags) => {
      const { runBackup } = await import('./commands/backup.js');
      process.exitCode = await runBackup(dir, flags);
    });
  addConfigOptions(
    program
      .command('restore')
      .description(
        'put a backup made by telehook backup back into the data directory (stop the server first)',
      )
      .argument('<dir>', 'the backup directory')
      .option('--force', 'replace the database and tokens of a data directory that is not empty'),
    ['dataDir', 'databaseUrl'],
  ).action(async (dir: string, flags: RestoreFlags) => {
    const { runRestore } = await import('./commands/backup.js');
    process.exitCode = runRestore(dir, flags);
  });
  addConfigOptions(
    program
      .command('forget')
      .description(
        "replace one person's phone number with a random mask in events, calls, deliveries and quarantine (a data-protection request)",
      )
      .argument('<number>', 'the phone number, digits (spaces, +, - and parentheses are ignored)')
      .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
      .option('--dry-run', 'count what it would change, change nothing'),
    ['dataDir', 'databaseUrl'],
  )
    .addHelpText(
      'after',
      '\nExit code 1 when the confirmation is refused. Calls, outcomes and figures stay as they were.\n\n' +
        'Examples:\n  telehook forget 919876543210 --dry-run\n  telehook forget "+91 98765 43210" --yes\n',
    )
    .action(async (number: string, flags: ForgetFlags) => {
      const { runForget } = await import('./commands/forget.js');
      process.exitCode = await runForget(number, flags);
    });
}

/** Collects a repeatable option's values. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Aborted on Ctrl-C or SIGTERM: for the commands that run until stopped. */
function signalOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
