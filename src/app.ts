import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';

import {
  type AlertEvaluator,
  alertsRoutes,
  createAlertEvaluator,
  createBusinessCalendar,
  RULE_NAMES,
} from './alerts/index.js';
import { callsRoutes, createAuthorizer, eventsRoutes } from './api/index.js';
import {
  createReconciler,
  lastFinishedRuns,
  PRODUCT_APIS,
  type Reconciler,
  reconcileRoutes,
  type TelecmiApi,
  telecmiApiFromConfig,
} from './backfill/index.js';
import { readLastBackup } from './backup-marker.js';
import { createCallsService } from './calls/index.js';
import type { Config } from './config.js';
import { dashboardRoutes } from './dashboard/index.js';
import {
  alertBody,
  createDeliveryScheduler,
  createDeliveryWorker,
  createEndpointService,
  createSender,
  deliveryRoutes,
  type DeliveryScheduler,
  type DeliveryWorker,
  type EndpointService,
} from './delivery/index.js';
import { freeBytes } from './disk-free.js';
import { AppError } from './errors.js';
import { followupRoutes } from './followups/index.js';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import { rejectNonFiniteQuery } from './http/finite-query.js';
import { healthRoutes } from './http/health-routes.js';
import { createLazyCompilers } from './http/lazy-compilers.js';
import { createMetrics } from './http/metrics.js';
import { httpEdgeOptions } from './http/server.js';
import { createIdFactory } from './ids.js';
import { createLiveBus, createLivePublisher, liveRoutes } from './live/index.js';
import { createPageGate, createPeople, sessionRoutes, usersRoutes } from './people/index.js';
import { INGEST_PATHS, receiverRoutes } from './receiver/index.js';
import { type AudioSource, createRecordingsCache, recordingsRoutes } from './recordings/index.js';
import { applyRetention, maskOldNumbers, RETENTION_EVERY_MS, retentionIsOn } from './retention/index.js';
import type { CallProjection, FoldedBatch, Store } from './store/index.js';

/** What the app is built from, besides its config. */
export interface AppDeps {
  readonly store: Store;
  /** A pino logger (createLogger). */
  readonly logger: FastifyBaseLogger;
  /** Resolved tokens: configured, or generated and kept in the data directory (tokens.ts). */
  readonly tokens: { readonly ingestToken: string; readonly apiToken: string; readonly viewerToken: string };
  /**
   * The clock (tests pin it). The projection follows it only where it folds in this thread (a SQLite store opened
   * with `foldThread: false`). @defaultValue Date.now
   */
  readonly now?: () => number;
  /**
   * Start the delivery worker's background loop with the app. Tests that drive the retry schedule with a fake
   * clock turn it off and call `app.delivery.worker.runDue()`. @defaultValue true
   */
  readonly startDeliveryWorker?: boolean;
  /**
   * The client of TeleCMI's REST API the reconciler uses. Absent: built from the TELEHOOK_TELECMI_* settings;
   * null: backfill is off.
   */
  readonly telecmiApi?: TelecmiApi | null;
  /** The window of a reconcile run asked for without one. @defaultValue TELEHOOK_RECONCILE_WINDOW */
  readonly reconcileWindowMs?: number;
  /**
   * How often a reconcile run starts by itself. The setting's minimum is a minute; tests give a shorter period
   * here. @defaultValue TELEHOOK_RECONCILE_EVERY
   */
  readonly reconcileEveryMs?: number;
  /**
   * How often the alert rules are evaluated; null: not by themselves (tests with a pinned clock call
   * `app.alerts.evaluate()`). @defaultValue TELEHOOK_ALERTS_EVERY
   */
  readonly alertsEveryMs?: number | null;
  /** How often retention and the masking of old numbers run; tests give a shorter period. @defaultValue an hour */
  readonly retentionEveryMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Folds events into calls (tests wait for it with `settled()`). */
    readonly projection: CallProjection;
    /** The background parts of forwarding (tests drive the worker with a fake clock through it). */
    /** Reconcile runs (null when backfill is off). */
    readonly reconciler: Reconciler | null;
    /** The alert rules' evaluator (tests with a pinned clock call `evaluate()`). */
    readonly alerts: AlertEvaluator;
    readonly delivery: {
      readonly scheduler: DeliveryScheduler;
      readonly worker: DeliveryWorker;
      readonly endpoints: EndpointService;
    };
  }
}

const INGEST_ROUTES = new Set<string>(Object.values(INGEST_PATHS));
const INGEST_PREFIX = INGEST_PATHS.telecmi.replace(':token', '');

/**
 * The composition root: wires the receiver, the API and operations routes over one store. Does not listen;
 * `telehook serve` does, and tests use `app.inject()`.
 *
 * @example
 * const app = await buildApp(config, { store, logger, tokens });
 * await app.listen({ port: config.port, host: config.host });
 */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const projectionLag = async (): Promise<number> => {
    const oldest = await deps.store.getOldestEventToProjectAt();
    return oldest === null ? 0 : Math.max(0, ((deps.now ?? Date.now)() - oldest) / 1000);
  };
  const metrics = createMetrics({
    projectionBacklog: () => deps.store.countEventsToProject(),
    projectionLag,
    foldFailures: () => deps.store.countFoldFailures(),
    // `telehook backup` notes its backups of SQLite in the data directory; PostgreSQL's are pg_dump's business.
    ...(config.databaseUrl === null
      ? { lastBackupAt: () => readLastBackup(config.dataDir)?.takenAt ?? null }
      : {}),
    deliveries: async () =>
      Promise.all(
        (await deps.store.listEndpoints()).map(async (endpoint) => ({
          endpoint: endpoint.id,
          pending: await deps.store.countDeliveries({ endpointId: endpoint.id, status: 'pending' }),
          failed: await deps.store.countDeliveries({ endpointId: endpoint.id, status: 'failed' }),
        })),
      ),
    diskFree: () => (config.databaseUrl === null ? freeBytes(config.dataDir) : null),
    alerts: async () => ({
      rules: RULE_NAMES,
      // At most one firing alert per rule, so a page of every rule holds them all.
      firing: (await deps.store.listAlerts({ state: 'firing', limit: 1000 })).items.map(
        (alert) => alert.rule,
      ),
    }),
    reconcileFinished: () => lastFinishedRuns(deps.store),
  });
  const app = Fastify({
    loggerInstance: deps.logger,
    // Fastify's request log lines would carry the URL, and with it the ingest token.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Behind the proxies named: request.ip is the client's (logs, the sign-in limit), request.protocol says HTTPS.
    trustProxy: config.trustProxy ?? false,
    // Our own onRequest hook answers 503 while closing, in the error shape of every other answer.
    return503OnClosing: false,
    ...httpEdgeOptions(config, {
      logger: deps.logger,
      ingestPrefix: INGEST_PREFIX,
      onIngestRejected: (code, request) => {
        metrics.countRejected(code);
        request.log.warn({ code, method: request.method, ip: request.ip }, 'ingest request refused');
      },
      onDrop: () => metrics.countDropped(),
    }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    // An unknown query parameter is answered 400 (a typo should not silently widen a query), not dropped.
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: createLazyCompilers() },
  });
  const now = deps.now ?? Date.now;
  const bus = createLiveBus();
  // The live stream is fed by the projection, in store order, once each batch is folded into calls.
  const publisher = createLivePublisher({
    bus,
    figures: () => calls.figures(),
    lagSeconds: projectionLag,
    logger: app.log,
  });
  const newId = createIdFactory();
  const worker = createDeliveryWorker({
    store: deps.store,
    sender: createSender({ allowPrivate: config.allowPrivateEndpoints }),
    logger: app.log,
    now,
    workerId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    schedule: config.deliveryRetrySchedule,
    disableAfterMs: config.endpointDisableAfterMs,
    concurrency: config.deliveryConcurrency,
  });
  // Deliveries are scheduled from what the projection folded, never on the ingest path.
  const scheduler = createDeliveryScheduler({
    store: deps.store,
    logger: app.log,
    now,
    newId,
    callData: async (call) => ({
      ...call,
      // As GET /api/calls/:key gives it: the events without their store cursor.
      timeline: (await calls.timelineOf(call.key)).map(({ cursor: _cursor, ...event }) => event),
    }),
    onEnqueued: () => worker.wake(),
    cursorsInCommitOrder: deps.store.commitsInCursorOrder,
  });
  const endpoints = createEndpointService({
    store: deps.store,
    now,
    newId,
    allowPrivate: config.allowPrivateEndpoints,
    onChange: () => {
      worker.wake();
      // Events folded from now on are forwarded to the new or changed endpoint: the scheduler's position is saved.
      void scheduler.persist();
    },
  });
  const onFolded = (batch: FoldedBatch): void => {
    publisher.folded(batch);
    scheduler.folded(batch);
  };
  // The store folds where its adapter runs it (SQLite: in its fold thread), and tells onFolded in store order.
  const projection = deps.store.createProjection({
    logger: app.log,
    settings: config,
    onFolded,
    now: deps.now,
  });
  // Folds committed by the other processes reach this process's live streams too.
  const stopWatching = deps.store.watchFolds((fold) => publisher.folded(fold));
  // TeleCMI's REST API (recordings, and the reconciler unless given its own client): null without credentials.
  const telecmi = telecmiApiFromConfig(config, { logger: app.log });
  const reconcileApi = deps.telecmiApi === undefined ? telecmi : deps.telecmiApi;
  const reconciler =
    reconcileApi === null
      ? null
      : createReconciler({
          store: deps.store,
          api: reconcileApi,
          newId: createIdFactory(),
          now,
          logger: app.log,
          onStored: () => projection.wake(),
          onEnded: (status, counts) => metrics.countReconcileRun(status, counts),
        });
  const calendar = createBusinessCalendar({
    timezone: config.timezone,
    hours: config.businessHours,
    holidays: config.holidays,
  });
  const calls = createCallsService({
    store: deps.store,
    projection,
    defaults: {
      serviceLevelSec: config.serviceLevelSec,
      shortAbandonSec: config.shortAbandonSec,
      timezone: config.timezone,
    },
    businessPeriods: (from, to) => calendar.openPeriods(from, to),
    now,
  });
  const alerts = createAlertEvaluator({
    store: deps.store,
    calendar,
    readings: {
      queue: async (team) => (await calls.stats({ team: team ?? undefined })).now,
      serviceLevel: async (from, to, team) => {
        const { totals } = await calls.stats({ from, to, team: team ?? undefined });
        return { offered: totals.offered, serviceLevel: totals.serviceLevel };
      },
      missedNotCalledBack: async (from, to, team) =>
        (
          await deps.store.listMissedCalls({
            from,
            to,
            team: team ?? undefined,
            calledBack: false,
            limit: 1000,
          })
        ).items.map((call) => ({ key: call.key, from: call.from, missedAt: call.endedAt ?? call.startedAt })),
      latestEventAt: () => deps.store.getLatestWebhookAt(),
    },
    now,
    newId,
    logger: app.log,
    body: alertBody,
    onEnqueued: () => worker.wake(),
    onFiringChanged: (firing) => bus.publish({ type: 'alerts', id: null, data: { firing } }),
    onSilenceEnded: ({ from, to }) => {
      // The webhooks of the silent stretch may be lost for good: TeleCMI's history has them (backfill).
      reconciler?.start({ from, to }).catch((error: unknown) => {
        app.log.warn({ err: error }, 'reconcile run over a silence could not start');
      });
    },
  });
  const wallboardSettings = {
    waitAmberSec: config.waitAmberSec,
    waitRedSec: config.waitRedSec,
    serviceLevelAmber: config.serviceLevelAmber,
  };
  // The snapshot's figures are those the next `stats` delta starts from (the publisher gives them).
  const snapshot = async () => ({
    ...(await publisher.figures()),
    live: await deps.store.listLiveCalls(),
    alerts: await alerts.firing(),
    settings: wallboardSettings,
  });
  let reconcileTimer: NodeJS.Timeout | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  let retentionRun: Promise<unknown> = Promise.resolve();
  app.addHook('onReady', async () => {
    if (retentionIsOn(config)) {
      // Hourly, from an hour after start; a run still going is not stacked on. Numbers are masked before anything
      // is deleted: a call deleted unmasked would leave its events unmasked.
      let running = false;
      retentionTimer = setInterval(() => {
        if (running) return;
        running = true;
        const at = now();
        retentionRun = maskOldNumbers(deps.store, config, at)
          .then(async (masked) => {
            if (config.maskNumbersAfterMs !== null) app.log.info({ masked }, 'old numbers masked');
            app.log.info({ deleted: await applyRetention(deps.store, config, at) }, 'retention applied');
          })
          .catch((error: unknown) => app.log.warn({ err: error }, 'retention could not run'))
          .finally(() => (running = false));
      }, deps.retentionEveryMs ?? RETENTION_EVERY_MS);
      retentionTimer.unref();
    }
    await scheduler.start();
    projection.start();
    if (deps.startDeliveryWorker ?? true) worker.start();
    const alertsEveryMs = deps.alertsEveryMs === undefined ? config.alertsEveryMs : deps.alertsEveryMs;
    if (alertsEveryMs !== null) alerts.start(alertsEveryMs);
    if (reconciler !== null) {
      const windowMs = deps.reconcileWindowMs ?? config.reconcileWindowMs;
      // The first run is one period after start: a restart loop must not hammer TeleCMI's API.
      reconcileTimer = setInterval(() => {
        // A run still going (a slow TeleCMI, a long window asked for by hand) is not stacked on.
        if (reconciler.isActive()) return;
        const to = now();
        reconciler.start({ from: to - windowMs, to }).catch((error: unknown) => {
          app.log.warn({ err: error }, 'periodic reconcile run could not start');
        });
      }, deps.reconcileEveryMs ?? config.reconcileEveryMs);
      // The timer alone does not keep the process alive.
      reconcileTimer.unref();
    }
  });
  const audioSource: AudioSource =
    telecmi === null
      ? { state: 'unconfigured' }
      : PRODUCT_APIS[telecmi.product].play === null
        ? { state: 'unsupported', product: telecmi.product }
        : {
            state: 'ready',
            id: `${telecmi.product}:${telecmi.appId}`,
            play: (file, options) => telecmi.play(file, options),
          };
  app.addHook('onClose', async () => {
    clearInterval(reconcileTimer);
    await alerts.stop();
    clearInterval(retentionTimer);
    await retentionRun;
    await telecmi?.close();
    stopWatching();
    publisher.stop();
    await projection.stop();
    await scheduler.stop();
    await worker.stop();
    await reconciler?.settled();
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'telehook',
        version: '1',
        description: 'Receive TeleCMI webhooks, query calls and metrics.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.setErrorHandler(
    createErrorHandler({
      bodyLimitBytes: config.bodyLimitBytes,
      onError: (code, request) => {
        if (INGEST_ROUTES.has(request.routeOptions.url ?? '')) metrics.countRejected(code);
      },
    }),
  );
  app.setNotFoundHandler(notFoundHandler);
  let isClosing = false;
  app.addHook('preClose', async () => {
    isClosing = true;
  });
  // Hooks on every request are written with callbacks: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (isClosing) {
      void reply.header('connection', 'close');
      return done(new AppError('SHUTTING_DOWN', 'telehook is shutting down; retry in a moment.'));
    }
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (Node's own answer has no body).
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1')
      return done(new AppError('BAD_REQUEST', 'An HTTP/1.1 request needs a Host header.'));
    done();
  });
  // Requests in flight when closing starts still get their answer, then their keep-alive connection is closed,
  // so that close() does not wait for the keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isClosing) void reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(
    receiverRoutes({
      store: deps.store,
      ingestToken: deps.tokens.ingestToken,
      bodyLimitBytes: config.bodyLimitBytes,
      newId: createIdFactory(),
      onAccepted: (event, result) => {
        metrics.countAccepted(event.kind, result.duplicate);
        if (!result.duplicate) projection.wake();
        alerts.noteEvent();
      },
    }),
  );
  // People who sign in: a session cookie reaches what their role allows, beside the API and viewer tokens.
  const people = createPeople({ store: deps.store, now });
  app.decorateRequest('person', null);
  await app.register(sessionRoutes(people));
  await app.register(async (api) => {
    api.addHook(
      'onRequest',
      createAuthorizer(deps.tokens, (request) => people.lookup(request)),
    );
    api.addHook('preHandler', rejectNonFiniteQuery);
    await api.register(eventsRoutes(deps.store));
    await api.register(callsRoutes(deps.store, calls));
    await api.register(
      recordingsRoutes({
        store: deps.store,
        source: audioSource,
        cache:
          config.recordingsCacheDir === null
            ? null
            : createRecordingsCache(config.recordingsCacheDir, config.recordingsCacheBytes),
        viewerMayPlay: config.viewerRecordings,
      }),
    );
    await api.register(
      reconcileRoutes({
        store: deps.store,
        reconciler,
        now,
        defaultWindowMs: deps.reconcileWindowMs ?? config.reconcileWindowMs,
      }),
    );
    await api.register(usersRoutes({ store: deps.store, now }));
    await api.register(alertsRoutes({ store: deps.store, now, onRuleChanged: () => void alerts.evaluate() }));
    await api.register(
      followupRoutes({
        store: deps.store,
        now,
        settled: () => projection.settled(),
        onChange: (number) => bus.publish({ type: 'followup', id: null, data: { number } }),
      }),
    );
    await api.register(deliveryRoutes({ store: deps.store, endpoints, now, onRetry: () => worker.wake() }));
    await api.register(
      liveRoutes({
        store: deps.store,
        bus,
        snapshot,
        settled: () => projection.settled(),
        maxClients: config.liveMaxClients,
        onClientsChanged: metrics.setLiveClients,
      }),
    );
  });
  await app.register(dashboardRoutes(createPageGate(deps.tokens, people)));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(deps.store));
  await app.register(metrics.routes);
  app.decorate('projection', projection);
  app.decorate('reconciler', reconciler);
  app.decorate('alerts', alerts);
  app.decorate('delivery', { scheduler, worker, endpoints });
  return app;
}
