import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** The Prometheus metrics of one app instance (its own registry, so that tests can build several apps). */
export function createMetrics(
  sources: {
    projectionBacklog?: () => Promise<number>;
    foldFailures?: () => Promise<number>;
    /** When the last backup's snapshot was taken (epoch ms), null before the first; absent: not reported. */
    lastBackupAt?: () => number | null;
  } = {},
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'telehook_' });
  const accepted = new Counter({
    name: 'telehook_events_accepted_total',
    help: 'Events acknowledged after a durable commit, by kind and whether they were exact resends.',
    labelNames: ['kind', 'duplicate'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'telehook_ingest_rejected_total',
    help: 'Ingest requests refused, by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'telehook_connections_dropped_total',
    help: 'TCP connections closed as they arrived because TELEHOOK_MAX_CONNECTIONS were open.',
    registers: [registry],
  });
  const reconcileRuns = new Counter({
    name: 'telehook_reconcile_runs_total',
    help: 'Reconcile runs this process carried out to their end, by status (succeeded, failed).',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const reconcileRows = new Counter({
    name: 'telehook_reconcile_rows_fetched_total',
    help: "Rows read from TeleCMI's call history by the succeeded reconcile runs of this process.",
    registers: [registry],
  });
  const reconcileCalls = new Counter({
    name: 'telehook_reconcile_calls_recovered_total',
    help: 'Calls telehook lacked that the succeeded reconcile runs of this process added.',
    registers: [registry],
  });
  if (sources.projectionBacklog) {
    const backlog = sources.projectionBacklog;
    new Gauge({
      name: 'telehook_projection_backlog_events',
      help: 'Stored events not folded into calls yet.',
      registers: [registry],
      async collect() {
        this.set(await backlog());
      },
    });
  }
  if (sources.foldFailures) {
    const failures = sources.foldFailures;
    new Counter({
      name: 'telehook_fold_failures_total',
      help: 'Stored events that could not be folded into calls, even alone, and were skipped (since the last rebuild).',
      registers: [registry],
      async collect() {
        // Kept in the database (the fold thread or another process may have counted them): read, not counted here.
        this.reset();
        this.inc(await failures());
      },
    });
  }
  if (sources.lastBackupAt) {
    const lastBackupAt = sources.lastBackupAt;
    new Gauge({
      name: 'telehook_backup_age_seconds',
      help: 'Seconds since the snapshot of the last telehook backup of this data directory; +Inf before the first.',
      registers: [registry],
      collect() {
        const at = lastBackupAt();
        // +Inf, not 0 or no sample: an alert on the age fires for an installation that was never backed up.
        this.set(at === null ? Infinity : Math.max(0, (Date.now() - at) / 1000));
      },
    });
  }
  return {
    registry,
    countAccepted: (kind: string, duplicate: boolean) => accepted.inc({ kind, duplicate: String(duplicate) }),
    countRejected: (code: string) => rejected.inc({ code }),
    countDropped: () => dropped.inc(),
    countReconcileRun: (
      status: 'succeeded' | 'failed',
      counts: { rowsFetched: number; callsAdded: number } | null,
    ) => {
      reconcileRuns.inc({ status });
      if (counts !== null) {
        reconcileRows.inc(counts.rowsFetched);
        reconcileCalls.inc(counts.callsAdded);
      }
    },
    routes: async (app: FastifyInstance): Promise<void> => {
      app.get('/metrics', async (_request, reply) =>
        reply.type(registry.contentType).send(await registry.metrics()),
      );
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
