import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';

import { AppError } from '../errors.js';
import type { ReconcileRun, Store } from '../store/index.js';
import type { Reconciler } from './runs.js';

const Run = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  from: Type.String({ description: 'ISO time, included' }),
  to: Type.String({ description: 'ISO time, included' }),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  rowsFetched: Type.Integer(),
  eventsAdded: Type.Integer(),
  callsAdded: Type.Integer(),
  errors: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** A run as the API answers it (times as ISO strings); `telehook backfill` prints the same on a data directory. */
export type ReconcileRunJson = Static<typeof Run>;

/** A stored run as the API answers it. */
export const reconcileRunJson = (run: ReconcileRun): ReconcileRunJson => ({
  id: run.id,
  status: run.status,
  from: iso(run.from),
  to: iso(run.to),
  startedAt: iso(run.startedAt),
  finishedAt: run.finishedAt === null ? null : iso(run.finishedAt),
  rowsFetched: run.rowsFetched,
  eventsAdded: run.eventsAdded,
  callsAdded: run.callsAdded,
  errors: [...run.errors],
});

function parseTime(field: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new AppError('RECONCILE_WINDOW_INVALID', `"${field}" is not an ISO time: ${value}.`);
  return ms;
}

/**
 * `POST /api/reconcile/runs` starts a run (202 {id}); `GET /api/reconcile/runs` and `/api/reconcile/runs/:id` show
 * them. Without TeleCMI credentials, starting a run answers `RECONCILE_OFF`.
 */
export function reconcileRoutes(deps: {
  store: Store;
  reconciler: Reconciler | null;
  now: () => number;
  defaultWindowMs: number;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/reconcile/runs',
      {
        schema: {
          summary:
            "Start a reconcile run: read TeleCMI's call history of a window, store what telehook lacks",
          body: Type.Optional(
            Type.Object(
              { from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) },
              { additionalProperties: false },
            ),
          ),
          response: { 202: Type.Object({ id: Type.String() }) },
        },
      },
      async (request, reply) => {
        if (deps.reconciler === null)
          throw new AppError(
            'RECONCILE_OFF',
            "Backfill is off: set TELEHOOK_TELECMI_APPID and TELEHOOK_TELECMI_SECRET to read TeleCMI's history.",
          );
        const to = parseTime('to', request.body?.to, deps.now());
        const from = parseTime('from', request.body?.from, to - deps.defaultWindowMs);
        if (from > to) throw new AppError('RECONCILE_WINDOW_INVALID', '"from" is after "to".');
        const { run, started } = await deps.reconciler.start({ from, to });
        if (!started)
          throw new AppError(
            'RECONCILE_RUN_ACTIVE',
            `Run ${run.id} is reading an overlapping window (${iso(run.from)} to ${iso(run.to)}); wait for it to end.`,
          );
        return reply.code(202).send({ id: run.id });
      },
    );
    app.get(
      '/api/reconcile/runs',
      {
        // The wallboard shows the last run: the viewer token reads them (no run names a secret).
        config: { viewer: true },
        schema: {
          summary: 'Reconcile runs, newest first',
          querystring: Type.Object(
            {
              after: Type.Optional(Type.String({ pattern: '^\\d{1,16}$' })),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(Run), next: Type.Union([Type.String(), Type.Null()]) }),
          },
        },
      },
      async (request) => {
        const page = await deps.store.listReconcileRuns(request.query);
        return { items: page.items.map(reconcileRunJson), next: page.next };
      },
    );
    app.get(
      '/api/reconcile/runs/:id',
      {
        // As readable as the list it is an item of.
        config: { viewer: true },
        schema: {
          summary: 'One reconcile run',
          params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
          response: { 200: Run },
        },
      },
      async (request) => {
        const run = await deps.store.getReconcileRun(request.params.id);
        if (run === null)
          throw new AppError('RECONCILE_RUN_NOT_FOUND', `No reconcile run ${request.params.id}.`);
        return reconcileRunJson(run);
      },
    );
  };
}
