import type { NewDelivery } from './delivery-records.js';
import type { Page, PageQuery } from './store.js';

/**
 * The records of alerts (src/alerts decides when a rule fires; the adapters only keep it). An alert is firing
 * until it resolves, Alertmanager's model; a rule has at most one firing alert at a time.
 */
export type AlertState = 'firing' | 'resolved';

/** A rule's settings as kept: what was changed from the defaults, as JSON text (src/alerts reads it). */
export interface StoredAlertRule {
  readonly name: string;
  readonly settings: string;
  readonly updatedAt: number;
}

/** An alert that starts firing. */
export interface NewAlert {
  /** `al_<ulid>` */
  readonly id: string;
  readonly rule: string;
  readonly firedAt: number;
  /** One readable line, e.g. "7 calls waiting (threshold 5)". */
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** An alert, as GET /api/alerts gives it (and the times it was notified). */
export interface Alert extends NewAlert {
  readonly state: AlertState;
  readonly resolvedAt: number | null;
  /** When `alert.fired` was last sent (the first time, or a repeat). */
  readonly notifiedAt: number;
  /** How many times `alert.fired` was repeated. */
  readonly repeats: number;
  /** Its place in the history: list alerts `after` it for older ones. */
  readonly cursor: string;
}

export interface AlertQuery extends PageQuery {
  readonly state?: AlertState;
  readonly rule?: string;
}

/** An alert that stops firing. */
export interface AlertResolution {
  readonly id: string;
  readonly resolvedAt: number;
  /** What it was when it resolved (replaces the details it fired with). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** A repeat of `alert.fired`, due once `notifiedAt` is what the caller read. */
export interface AlertRepeat {
  readonly id: string;
  readonly notifiedAt: number;
  readonly previousNotifiedAt: number;
}

/**
 * What the Store keeps of alerts. Each change of state is a compare-and-set committed in one transaction with the
 * deliveries that announce it: a change already made (by this process before a restart, or by another process
 * sharing the database) changes nothing and enqueues nothing, so each change is announced once.
 */
export interface AlertStore {
  /** Every rule whose settings were changed from the defaults. */
  listAlertRules(): Promise<StoredAlertRule[]>;

  /** Keeps a rule's settings (replacing what was kept). */
  saveAlertRule(rule: StoredAlertRule): Promise<void>;

  /**
   * Starts an alert firing, with the deliveries of its `alert.fired`, unless its rule has a firing alert already.
   *
   * @returns false (and nothing is written) when the rule had a firing alert.
   * @example
   * const fired = await store.fireAlert({ id, rule: 'silence', firedAt, summary, details }, deliveries);
   */
  fireAlert(alert: NewAlert, deliveries: readonly NewDelivery[]): Promise<boolean>;

  /** Resolves a firing alert with the deliveries of its `alert.resolved`; false when it was not firing. */
  resolveAlert(resolution: AlertResolution, deliveries: readonly NewDelivery[]): Promise<boolean>;

  /** Records a repeat of `alert.fired` with its deliveries; false when the alert moved on meanwhile. */
  repeatAlert(repeat: AlertRepeat, deliveries: readonly NewDelivery[]): Promise<boolean>;

  /** Alerts, newest first, with cursor paging; `state` and `rule` narrow them. */
  listAlerts(query: AlertQuery): Promise<Page<Alert>>;

  /** When the latest webhook event was received (epoch ms), or null before the first. */
  getLatestWebhookAt(): Promise<number | null>;
}
