import { isIP } from 'node:net';

import { AppError } from '../errors.js';
import type { Endpoint, EndpointFilter, EndpointFormat, EndpointReceives, Store } from '../store/index.js';
import { refusalOfAddress, refusalOfHost } from './address-guard.js';
import { type Resolve, resolveWithSystem } from './connect-guard.js';
import { FILTER_KEYS } from './filters.js';
import { generateSecret } from './signing.js';

/** The default time limit of one attempt. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** How long the previous secret keeps signing after a rotation, by default. */
const DEFAULT_ROTATION_OVERLAP_MS = 24 * 3600_000;

/** A filter as given: each key a value or a list of values. */
export type FilterInput = Partial<Record<keyof EndpointFilter, string | readonly string[]>>;

export interface EndpointInput {
  readonly url: string;
  readonly receives: EndpointReceives;
  readonly format?: EndpointFormat;
  readonly filter?: FilterInput;
  readonly description?: string | null;
  readonly rateLimit?: number | null;
  readonly timeoutMs?: number;
  readonly enabled?: boolean;
}

export type EndpointPatch = Partial<EndpointInput>;

export interface EndpointServiceOptions {
  readonly store: Store;
  readonly now: () => number;
  readonly newId: () => string;
  readonly allowPrivate: boolean;
  /** What host names resolve to. @defaultValue the system's resolver */
  readonly resolve?: Resolve;
  /** Told when an endpoint changed (the worker looks for work it may now send). */
  readonly onChange?: () => void;
}

/** Creating, changing and removing endpoints: validation, ids, secrets and their rotation. */
export function createEndpointService(options: EndpointServiceOptions) {
  const { store, now } = options;

  const checkUrl = async (text: string): Promise<string> => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AppError('ENDPOINT_INVALID', `"url" is not a URL: ${JSON.stringify(text)}.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new AppError('ENDPOINT_INVALID', '"url" must be an http:// or https:// URL.');
    if (options.allowPrivate) return url.toString();
    const refusal = await refusalOfUrlHost(url.hostname);
    if (refusal !== null)
      throw new AppError(
        'ENDPOINT_URL_FORBIDDEN',
        `"url" ${refusal}: endpoints must be public, a guard against server-side request forgery; set TELEHOOK_ALLOW_PRIVATE_ENDPOINTS=1 to forward inside your own network.`,
      );
    return url.toString();
  };

  /** Why the host may not be a destination, in words that follow `"url"`, or null. */
  const refusalOfUrlHost = async (hostname: string): Promise<string | null> => {
    const byHost = refusalOfHost(hostname);
    if (byHost !== null) return `points to ${hostname}, not a public address (${byHost})`;
    if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return null;
    // A name that does not resolve now is accepted: every connection checks what it resolves to then.
    const addresses = await (options.resolve ?? resolveWithSystem)(hostname).catch(() => []);
    for (const { address } of addresses) {
      const why = refusalOfAddress(address);
      if (why !== null)
        return `points to ${hostname}, which resolves to ${address}, not a public address (${why})`;
    }
    return null;
  };

  const toFilter = (receives: EndpointReceives, input: FilterInput | undefined): EndpointFilter => {
    const allowed: readonly string[] = FILTER_KEYS[receives];
    const filter: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(input ?? {})) {
      if (value === undefined) continue;
      if (!allowed.includes(key))
        throw new AppError(
          'ENDPOINT_INVALID',
          `Filter "${key}" does not apply to an endpoint that receives ${receives}; use ${allowed.join(', ')}.`,
        );
      const values = (typeof value === 'string' ? [value] : [...value]).map((v) => v.trim()).filter(Boolean);
      if (values.length > 0) filter[key] = values;
    }
    return filter;
  };

  const found = async (id: string): Promise<Endpoint> => {
    const endpoint = await store.getEndpoint(id);
    if (!endpoint) throw new AppError('ENDPOINT_NOT_FOUND', `No endpoint "${id}".`);
    return endpoint;
  };

  const change = async (id: string, changes: Partial<Endpoint>): Promise<Endpoint> => {
    const updated = await store.updateEndpoint(id, { ...changes, updatedAt: now() });
    if (!updated) throw new AppError('ENDPOINT_NOT_FOUND', `No endpoint "${id}".`);
    options.onChange?.();
    return updated;
  };

  return {
    async create(input: EndpointInput): Promise<Endpoint> {
      const at = now();
      const enabled = input.enabled ?? true;
      // The filter first: a wrong request is refused without a DNS lookup.
      const filter = toFilter(input.receives, input.filter);
      const endpoint: Endpoint = {
        id: `ep_${options.newId()}`,
        url: await checkUrl(input.url),
        description: input.description ?? null,
        receives: input.receives,
        format: input.format ?? 'json',
        filter,
        rateLimit: input.rateLimit ?? null,
        timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        enabled,
        disabledReason: enabled ? null : 'disabled by hand',
        disabledAt: enabled ? null : at,
        secret: generateSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        failingSince: null,
        createdAt: at,
        updatedAt: at,
      };
      await store.createEndpoint(endpoint);
      options.onChange?.();
      return endpoint;
    },
    get: found,
    list: () => store.listEndpoints(),
    async update(id: string, patch: EndpointPatch): Promise<Endpoint> {
      const current = await found(id);
      const receives = patch.receives ?? current.receives;
      const changes: Partial<Endpoint> = {
        url: patch.url === undefined ? undefined : await checkUrl(patch.url),
        receives: patch.receives,
        format: patch.format,
        description: patch.description,
        rateLimit: patch.rateLimit,
        timeoutMs: patch.timeoutMs,
        filter:
          patch.filter !== undefined || patch.receives !== undefined
            ? toFilter(receives, patch.filter ?? current.filter)
            : undefined,
      };
      if (patch.enabled === true) Object.assign(changes, enabledFields());
      if (patch.enabled === false && current.enabled) Object.assign(changes, disabledFields(now()));
      return change(id, changes);
    },
    enable: (id: string) => change(id, enabledFields()),
    disable: (id: string) => change(id, disabledFields(now())),
    /** A new secret; the previous one keeps signing too for `overlapMs`, so receivers can switch without a gap. */
    async rotateSecret(id: string, overlapMs = DEFAULT_ROTATION_OVERLAP_MS): Promise<Endpoint> {
      const current = await found(id);
      return change(id, {
        secret: generateSecret(),
        previousSecret: overlapMs > 0 ? current.secret : null,
        previousSecretExpiresAt: overlapMs > 0 ? now() + overlapMs : null,
      });
    },
    async remove(id: string): Promise<void> {
      if (!(await store.deleteEndpoint(id))) throw new AppError('ENDPOINT_NOT_FOUND', `No endpoint "${id}".`);
    },
  };
}

export type EndpointService = ReturnType<typeof createEndpointService>;

const enabledFields = (): Partial<Endpoint> => ({
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  failingSince: null,
});

const disabledFields = (at: number): Partial<Endpoint> => ({
  enabled: false,
  disabledReason: 'disabled by hand',
  disabledAt: at,
});
