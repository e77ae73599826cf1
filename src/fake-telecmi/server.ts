import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';

import { fieldText, registerApiRoutes } from './api-routes.js';
import { registerControlRoutes } from './control-routes.js';
import { createFaults, type Fault, type Faults } from './faults.js';
import { createHistory, type History } from './history.js';

/** The apps of the built-in scenarios (CHUB, CHUB India, PIOPIY), all with the fake's default secret. */
export const FAKE_SECRET = 'fake-telecmi-secret';
export const FAKE_APPS: Readonly<Record<string, string>> = {
  '2222223': FAKE_SECRET,
  '1111113': FAKE_SECRET,
  '2222224': FAKE_SECRET,
};

/** How the fake behaves. */
export interface FakeTelecmiOptions {
  /** App id → secret. @defaultValue {@link FAKE_APPS} */
  readonly apps?: Readonly<Record<string, string>>;
  /** Rows per page, whatever `limit` asks (3P: TeleCMI's was found fixed at 10). @defaultValue 10 */
  readonly pageSize?: number;
  /** Faults in force from the start. */
  readonly faults?: readonly Fault[];
  /** Length of the sample audio. @defaultValue 1 */
  readonly audioSeconds?: number;
  /** The clock of the default window (the last 24 h). @defaultValue Date.now */
  readonly now?: () => number;
}

/** One API request the fake received (control routes are not logged). */
export interface FakeRequest {
  readonly at: number;
  readonly method: string;
  /** Without the query: the play URL's query holds the secret. */
  readonly path: string;
  appId: string | null;
  page: number | null;
  /** The status answered; null while in flight or when it never answered (`hang`, `reset`). */
  status: number | null;
  fault: Fault['answer'] | null;
}

/** A local TeleCMI REST API: {@link createFakeTelecmi}. */
export interface FakeTelecmi {
  readonly app: FastifyInstance;
  readonly history: History;
  readonly faults: Faults;
  readonly requests: FakeRequest[];
  /** The most requests of one app that were ever in flight at once. */
  maxInFlight(appId: string): number;
  /** Listens and resolves with the origin, e.g. `http://127.0.0.1:5001`. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A local TeleCMI serving the documented REST API of CHUB (`/v2/...`), CHUB India (`/v1/...`) and PIOPIY
 * (`/v1/piopiy/...`) from a history that simulate and trigger fill (`POST /_fake/history`), with the documented
 * 407 for a wrong secret, fixed pages of 10, `count`/`total`, `code: 200`, each endpoint's string/number quirks,
 * the play API with generated WAV audio and Range support, and fault injection (`POST /_fake/faults`).
 *
 * @example
 * const fake = createFakeTelecmi();
 * const origin = await fake.listen(0);
 * fake.history.add(cdrPayloads, 'chub');
 */
export function createFakeTelecmi(options: FakeTelecmiOptions = {}): FakeTelecmi {
  const apps = options.apps ?? FAKE_APPS;
  const history = createHistory();
  const faults = createFaults(options.faults);
  const requests: FakeRequest[] = [];
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const logged = new WeakMap<FastifyRequest, FakeRequest>();
  const delays = new WeakMap<FastifyRequest, number>();
  const counted = new WeakSet<FastifyRequest>();
  const app = Fastify({ forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 });
  const isApi = (request: FastifyRequest): boolean => !request.url.startsWith('/_fake');

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook('onRequest', async (request, reply) => {
    if (!isApi(request)) return;
    const path = request.url.split('?')[0] ?? request.url;
    const entry: FakeRequest = {
      at: Date.now(),
      method: request.method,
      path,
      appId: null,
      page: null,
      status: null,
      fault: null,
    };
    requests.push(entry);
    logged.set(request, entry);
    const fault = faults.take(path);
    if (fault === null) return;
    entry.fault = fault.answer;
    if (fault.answer === 'delay') {
      delays.set(request, fault.delayMs ?? 1000);
      return;
    }
    if (fault.answer === 'hang') {
      // No answer: the socket stays open until the client gives up or the fake closes.
      reply.hijack();
      return;
    }
    if (fault.answer === 'reset') {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    const code = fault.answer === 'status' ? (fault.status ?? 500) : (fault.code ?? 500);
    const body = { code, msg: fault.msg ?? 'Internal server error' };
    return reply.code(fault.answer === 'status' ? code : 200).send(body);
  });

  app.addHook('preHandler', async (request) => {
    const entry = logged.get(request);
    if (entry === undefined) return;
    const fields = {
      ...(request.query as object),
      ...(typeof request.body === 'object' ? request.body : {}),
    } as Record<string, unknown>;
    entry.appId = fieldText(fields['appid']) || null;
    entry.page = fields['page'] === undefined ? null : Number(fields['page']);
    const app = entry.appId ?? '';
    inFlight.set(app, (inFlight.get(app) ?? 0) + 1);
    most.set(app, Math.max(most.get(app) ?? 0, inFlight.get(app)!));
    counted.add(request);
    const delay = delays.get(request);
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
  });

  app.addHook('onResponse', async (request, reply) => {
    const entry = logged.get(request);
    if (entry === undefined) return;
    entry.status = reply.statusCode;
    if (counted.has(request)) inFlight.set(entry.appId ?? '', inFlight.get(entry.appId ?? '')! - 1);
  });

  registerApiRoutes(app, {
    apps,
    history,
    pageSize: options.pageSize ?? 10,
    audioSeconds: options.audioSeconds ?? 1,
    now: options.now ?? Date.now,
  });
  registerControlRoutes(app, { history, faults, requests });

  return {
    app,
    history,
    faults,
    requests,
    maxInFlight: (appId) => most.get(appId) ?? 0,
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    close: () => app.close(),
  };
}
