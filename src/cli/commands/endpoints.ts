import type { Delivery, Endpoint } from '../../store/index.js';
import { type ApiTarget, findApiTarget } from '../api-target.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { createProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

/** The flags shared by `telehook endpoints …` and `telehook deliveries …`: which server, which token. */
export interface ServerFlags {
  readonly server?: string;
  readonly token?: string;
  readonly data?: string;
  readonly json?: boolean;
}

export interface EndpointFlags extends ServerFlags {
  readonly receives?: string;
  readonly format?: string;
  readonly filter?: string[];
  readonly description?: string;
  readonly rateLimit?: string;
  readonly timeout?: string;
  readonly url?: string;
  readonly overlap?: string;
}

export interface DeliveryFlags extends ServerFlags {
  readonly status?: string;
  readonly endpoint?: string;
  readonly since?: string;
  readonly limit?: string;
}

/** A small client of the server's API, with errors a person can act on. */
function apiClient(flags: ServerFlags) {
  const target: ApiTarget | null = findApiTarget(flags);
  if (target === null)
    throw new UsageError(
      'No telehook server runs on this data directory: start "telehook serve", or give --server and --token.',
    );
  return async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const url = new URL(route, target.base);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${target.token ?? ''}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new UsageError(
        `Cannot reach ${url.origin} (${cause?.code ?? (error as Error).message}): is the server running?`,
      );
    }
    if (response.status === 204) return undefined as T;
    const answer = (await response.json().catch(() => ({}))) as T & {
      error?: { code?: string; message?: string };
    };
    if (!response.ok)
      throw new UsageError(
        `${method} ${url.pathname} answered ${response.status} ${answer.error?.code ?? ''}: ${answer.error?.message ?? ''}`,
      );
    return answer;
  };
}

/** `--filter key=a,b` (repeatable) as the API's filter object. */
function parseFilter(values: readonly string[] | undefined): Record<string, string[]> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const filter: Record<string, string[]> = {};
  for (const value of values) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(value);
    if (!match)
      throw new UsageError(`--filter: "${value}" is not key=value (e.g. outcome=missed,abandoned).`);
    filter[match[1]!] = [...(filter[match[1]!] ?? []), ...match[2]!.split(',').map((v) => v.trim())];
  }
  return filter;
}

const parseMs = (name: string, text: string): number => {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${name}: "${text}" is not a duration such as 15s or 500ms.`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * unit);
};

function endpointFields(flags: EndpointFlags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (flags.receives !== undefined) fields['receives'] = flags.receives;
  if (flags.format !== undefined) fields['format'] = flags.format;
  const filter = parseFilter(flags.filter);
  if (filter !== undefined) fields['filter'] = filter;
  if (flags.description !== undefined) fields['description'] = flags.description;
  if (flags.rateLimit !== undefined)
    fields['rateLimit'] = flags.rateLimit === 'none' ? null : Number(flags.rateLimit.replace(/\/s$/, ''));
  if (flags.timeout !== undefined) fields['timeoutMs'] = parseMs('--timeout', flags.timeout);
  if (flags.url !== undefined) fields['url'] = flags.url;
  return fields;
}

function describeEndpoint(endpoint: Endpoint, io: CommandIo, isFull: boolean): void {
  const c = colorsFor(io.stdout);
  const state = endpoint.enabled ? c.green('enabled') : c.red(`disabled: ${endpoint.disabledReason ?? ''}`);
  const filter = Object.entries(endpoint.filter)
    .map(([key, values]) => `${key}=${(values as string[]).join(',')}`)
    .join(' ');
  io.stdout.write(
    `${c.bold(endpoint.id)}  ${endpoint.url}\n  ${endpoint.receives} as ${endpoint.format}${filter ? `, ${filter}` : ''}, ${state}` +
      `${endpoint.failingSince !== null ? c.yellow(`, failing since ${new Date(endpoint.failingSince).toISOString()}`) : ''}\n`,
  );
  if (isFull) {
    io.stdout.write(
      `  secret ${endpoint.secret}${endpoint.previousSecret ? ` (previous one signs too until ${new Date(endpoint.previousSecretExpiresAt ?? 0).toISOString()})` : ''}\n` +
        `  timeout ${endpoint.timeoutMs} ms, rate limit ${endpoint.rateLimit === null ? 'none' : `${endpoint.rateLimit}/s`}\n`,
    );
  }
}

/** `telehook endpoints <action> [arg]`: add, list, show, update, disable, enable, rm, rotate-secret. */
export async function runEndpoints(
  action: string,
  arg: string | undefined,
  flags: EndpointFlags,
  io: CommandIo = processIo(),
): Promise<number> {
  const call = apiClient(flags);
  const print = (endpoint: Endpoint, isFull = true): void => {
    if (flags.json) io.stdout.write(`${JSON.stringify(endpoint)}\n`);
    else describeEndpoint(endpoint, io, isFull);
  };
  const id = (): string => {
    if (arg === undefined)
      throw new UsageError(`endpoints ${action}: give the endpoint id (see "telehook endpoints list").`);
    return encodeURIComponent(arg);
  };
  switch (action) {
    case 'add': {
      if (arg === undefined) throw new UsageError('endpoints add: give the URL to forward to.');
      if (flags.receives === undefined)
        throw new UsageError('--receives: required: events, calls or alerts.');
      print(await call<Endpoint>('POST', 'api/endpoints', { ...endpointFields(flags), url: arg }));
      return 0;
    }
    case 'list': {
      const { items } = await call<{ items: Endpoint[] }>('GET', 'api/endpoints');
      for (const endpoint of items) print(endpoint, false);
      if (items.length === 0 && !flags.json)
        io.stdout.write('No endpoints yet: telehook endpoints add <url> --receives calls\n');
      return 0;
    }
    case 'show':
      print(await call<Endpoint>('GET', `api/endpoints/${id()}`));
      return 0;
    case 'update':
      print(await call<Endpoint>('PATCH', `api/endpoints/${id()}`, endpointFields(flags)));
      return 0;
    case 'enable':
    case 'disable':
      print(await call<Endpoint>('POST', `api/endpoints/${id()}/${action}`), false);
      return 0;
    case 'rotate-secret':
      print(
        await call<Endpoint>('POST', `api/endpoints/${id()}/rotate-secret`, {
          ...(flags.overlap === undefined
            ? {}
            : { overlapSec: Math.round(parseMs('--overlap', flags.overlap) / 1000) }),
        }),
      );
      return 0;
    case 'rm':
      await call('DELETE', `api/endpoints/${id()}`);
      if (!flags.json) io.stdout.write(`Removed ${arg}\n`);
      return 0;
    default:
      throw new UsageError(
        `endpoints: unknown action "${action}": add, list, show, update, disable, enable, rm or rotate-secret.`,
      );
  }
}

/** `telehook deliveries list|retry`: dead letters and their replay. */
export async function runDeliveries(
  action: string,
  arg: string | undefined,
  flags: DeliveryFlags,
  io: CommandIo = processIo(),
): Promise<number> {
  const call = apiClient(flags);
  const c = colorsFor(io.stdout);
  if (action === 'list') {
    const query = new URLSearchParams({ limit: flags.limit ?? '100' });
    if (flags.status !== undefined) query.set('status', flags.status);
    if (flags.endpoint !== undefined) query.set('endpoint', flags.endpoint);
    if (flags.since !== undefined) query.set('since', flags.since);
    const page = await call<{ items: Delivery[]; total: number }>(
      'GET',
      `api/deliveries?${query.toString()}`,
    );
    for (const delivery of page.items) {
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(delivery)}\n`);
        continue;
      }
      io.stdout.write(
        `${c.bold(delivery.id)}  ${delivery.type}  ${delivery.status}  endpoint ${delivery.endpointId}  ${delivery.attemptCount} attempts\n`,
      );
      for (const attempt of delivery.attempts)
        io.stdout.write(
          `  ${new Date(attempt.at).toISOString()}  ${attempt.statusCode ?? attempt.error ?? ''}  ${Math.round(attempt.latencyMs)} ms  ${(attempt.response ?? '').slice(0, 80).replace(/\s+/g, ' ')}\n`,
        );
    }
    if (!flags.json) io.stdout.write(`${page.items.length} of ${page.total}\n`);
    return 0;
  }
  if (action !== 'retry') throw new UsageError(`deliveries: unknown action "${action}": list or retry.`);
  if (arg !== undefined) {
    const delivery = await call<Delivery>('POST', `api/deliveries/${encodeURIComponent(arg)}/retry`);
    io.stdout.write(`${delivery.id} is pending again\n`);
    return 0;
  }
  if (flags.endpoint === undefined || flags.since === undefined)
    throw new UsageError(
      'deliveries retry: give a delivery id, or --endpoint and --since (e.g. --since 2h).',
    );
  // Retried one by one, so that a terminal shows the progress of a large replay.
  const query = new URLSearchParams({
    status: 'failed',
    endpoint: flags.endpoint,
    since: flags.since,
    limit: '1000',
  });
  const ids: string[] = [];
  for (let after: string | null = null; ;) {
    if (after !== null) query.set('after', after);
    const page: { items: Delivery[]; next: string | null } = await call(
      'GET',
      `api/deliveries?${query.toString()}`,
    );
    ids.push(...page.items.map((delivery) => delivery.id));
    if (page.next === null) break;
    after = page.next;
  }
  const progress = createProgressBar(io.stderr, ids.length);
  let done = 0;
  for (const deliveryId of ids) {
    await call('POST', `api/deliveries/${encodeURIComponent(deliveryId)}/retry`);
    done += 1;
    progress.update(done, deliveryId);
  }
  progress.finish();
  io.stdout.write(`Retried ${done} failed deliveries of ${flags.endpoint} since ${flags.since}\n`);
  return 0;
}
