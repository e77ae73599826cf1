import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export interface MetricSources {
  projectionBacklog?: () => Promise<number>;
  /** Seconds since the oldest event not folded into calls yet was received; 0 when all are folded. */
  projectionLag?: () => Promise<number>;
  foldFailures?: () => Promise<number>;
  /** Each endpoint's deliveries waiting to be sent and those that failed for good (dead letters). */
  deliveries?: () => Promise<{ endpoint: string; pending: number; failed: number }[]>;
  /** Bytes free on the data directory's disk; null where there is none (PostgreSQL). */
  diskFree?: () => number | null;
  /** When the last backup's snapshot was taken (epoch ms), null before the first; absent: not reported. */
  lastBackupAt?: () => number | null;
  /** Every alert rule's name, and the rules firing now. */
  alerts?: () => Promise<{ rules: readonly string[]; firing: readonly string[] }>;
  /** When the latest finished reconcile run of each status ended (epoch ms), from the database. */
  reconcileFinished?: () => Promise<{ succeeded: number | null; failed: number | null }>;
}

/** The Prometheus metrics of one app instance (its own registry, so that tests can build several apps). */
export function createMetrics(sources: MetricSources = {}) {
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
  const liveClients = new Gauge({
    name: 'telehook_live_clients',
    help: 'Live streams (/api/live: wallboards, telehook tail) open on this process.',
    registers: [registry],
  });
  if (sources.deliveries) {
    const deliveries = sources.deliveries;
    new Gauge({
      name: 'telehook_delivery_queue_depth',
      help: 'Deliveries waiting to be sent (or being sent), by endpoint id.',
      labelNames: ['endpoint'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await deliveries()) this.set({ endpoint: row.endpoint }, row.pending);
      },
    });
    new Gauge({
      name: 'telehook_deliveries_failed',
      help: 'Deliveries that failed after every retry (dead letters, until sent again), by endpoint id.',
      labelNames: ['endpoint'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await deliveries()) this.set({ endpoint: row.endpoint }, row.failed);
      },
    });
  }
  if (sources.diskFree) {
    const diskFree = sources.diskFree;
    new Gauge({
      name: 'telehook_data_dir_free_bytes',
      help: "Bytes free for telehook on the data directory's disk (SQLite): ingest stops when it is full.",
      registers: [registry],
      collect() {
        const free = diskFree();
        if (free !== null) this.set(free);
      },
    });
  }
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
  if (sources.projectionLag) {
    const lag = sources.projectionLag;
    new Gauge({
      name: 'telehook_projection_lag_seconds',
      help: 'Age of the oldest stored event not folded into calls yet (how far behind the calls are); 0 when none.',
      registers: [registry],
      async collect() {
        this.set(await lag());
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
  if (sources.alerts) {
    const alerts = sources.alerts;
    new Gauge({
      name: 'telehook_alert_firing',
      help: 'Whether an alert of the rule is firing now (1) or not (0), by rule.',
      labelNames: ['rule'] as const,
      registers: [registry],
      async collect() {
        // Every rule gets a sample, 0 included: an absent series cannot tell "not firing" from "not scraped".
        const { rules, firing } = await alerts();
        this.reset();
        for (const rule of rules) this.set({ rule }, firing.includes(rule) ? 1 : 0);
      },
    });
  }
  if (sources.reconcileFinished) {
    const finished = sources.reconcileFinished;
    new Gauge({
      name: 'telehook_reconcile_last_finished_timestamp_seconds',
      help: 'When the latest reconcile run of each status (succeeded, failed) ended, by any process; absent before one.',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const last = await finished();
        for (const status of ['succeeded', 'failed'] as const) {
          const at = last[status];
          if (at !== null) this.set({ status }, at / 1000);
        }
      },
    });
  }
  return {
    registry,
    countAccepted: (kind: string, duplicate: boolean) => accepted.inc({ kind, duplicate: String(duplicate) }),
    countRejected: (code: string) => rejected.inc({ code }),
    countDropped: () => dropped.inc(),
    setLiveClients: (open: number) => liveClients.set(open),
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
