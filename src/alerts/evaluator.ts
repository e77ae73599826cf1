import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import type { Alert, Endpoint, EndpointFormat, NewDelivery, Store } from '../store/index.js';
import type { BusinessCalendar } from './business-hours.js';
import { type AlertReadings, type Condition, CONDITIONS } from './conditions.js';
import { type Rule, rulesFrom } from './rules.js';

/** An alert as GET /api/alerts gives it. */
export function alertView(alert: Alert) {
  return {
    id: alert.id,
    rule: alert.rule,
    state: alert.state,
    firedAt: alert.firedAt,
    resolvedAt: alert.resolvedAt,
    summary: alert.summary,
    details: alert.details,
  };
}

export type AlertView = ReturnType<typeof alertView>;

/** What an alert notification says, for delivery's formats (delivery/formats.ts alertBody). */
export interface AlertNotice {
  readonly type: 'alert.fired' | 'alert.resolved';
  readonly alert: AlertView & { readonly repeat?: number };
  readonly text: string;
}

export interface AlertEvaluatorOptions {
  readonly store: Store;
  readonly readings: AlertReadings;
  readonly calendar: BusinessCalendar;
  readonly now: () => number;
  readonly newId: () => string;
  readonly logger: FastifyBaseLogger;
  /** The body of a notification in an endpoint's format (delivery's alertBody). */
  readonly body: (format: EndpointFormat, notice: AlertNotice, now: number) => string;
  /** Told after a change was committed with its deliveries (the worker wakes up). */
  readonly onEnqueued?: () => void;
  /** Told when the firing alerts differ from what it last told (the wallboards show them). */
  readonly onFiringChanged?: (firing: readonly AlertView[]) => void;
  /** A silence ended: [from, to] is the silent stretch (backfill reads TeleCMI's history of it). */
  readonly onSilenceEnded?: (stretch: { readonly from: number; readonly to: number }) => void;
}

/**
 * Evaluates every rule against the calls now and moves its alert from quiet to firing and back, Alertmanager's
 * model: a condition must hold `for` a while before its alert fires; the alert repeats at most every `repeatEvery`
 * while it holds, and resolves once when it stops. The store holds which alerts fire, so a restart resumes where it
 * was (no second `alert.fired`, the `alert.resolved` still due), and each change is committed with its deliveries
 * in one compare-and-set transaction, so two processes sharing a database send one message per change. Only how
 * long a condition has held so far lives in this process: a restart starts that wait again.
 */
export function createAlertEvaluator(options: AlertEvaluatorOptions) {
  const { store, logger } = options;
  /** Since when each rule's condition holds without firing yet (its `for`). */
  const pending = new Map<string, number>();
  let lastFiring = '';
  let isSilenceFiring = false;

  const notify = async (notice: AlertNotice, idempotencyKey: string, at: number): Promise<NewDelivery[]> => {
    const endpoints = (await store.listEndpoints()).filter(
      (endpoint: Endpoint) => endpoint.enabled && endpoint.receives === 'alerts',
    );
    return endpoints.map((endpoint) => ({
      id: `msg_${options.newId()}`,
      endpointId: endpoint.id,
      idempotencyKey,
      orderKey: `alert:${notice.alert.id}`,
      type: notice.type,
      payload: options.body(endpoint.format, notice, at),
      createdAt: at,
    }));
  };

  /** How long a rule's condition has held: business time for the rules that count only that. */
  const heldFor = (rule: Rule, since: number, now: number): number =>
    rule.definition.businessHours ? options.calendar.openMsBetween(since, now) : now - since;

  const fire = async (rule: Rule, condition: Condition, now: number): Promise<boolean> => {
    const id = `al_${options.newId()}`;
    const alert = alertView({
      id,
      rule: rule.definition.name,
      state: 'firing',
      firedAt: now,
      resolvedAt: null,
      notifiedAt: now,
      repeats: 0,
      summary: condition.summary,
      details: condition.details,
      cursor: '',
    });
    const deliveries = await notify(
      { type: 'alert.fired', alert, text: `🔴 ${condition.summary}` },
      `alert:${id}:fired`,
      now,
    );
    return store.fireAlert(
      { id, rule: alert.rule, firedAt: now, summary: condition.summary, details: condition.details },
      deliveries,
    );
  };

  const repeat = async (firing: Alert, condition: Condition, now: number): Promise<boolean> => {
    const number = firing.repeats + 1;
    const alert = { ...alertView(firing), details: condition.details, repeat: number };
    const deliveries = await notify(
      {
        type: 'alert.fired',
        alert,
        text: `🔴 Still: ${condition.summary} (since ${new Date(firing.firedAt).toISOString()})`,
      },
      `alert:${firing.id}:repeat:${number}`,
      now,
    );
    return store.repeatAlert(
      { id: firing.id, notifiedAt: now, previousNotifiedAt: firing.notifiedAt },
      deliveries,
    );
  };

  const resolve = async (firing: Alert, condition: Condition | null, now: number): Promise<boolean> => {
    const details = { ...firing.details, ...(condition?.details ?? { ruleDisabled: true }) };
    const alert = { ...alertView(firing), state: 'resolved' as const, resolvedAt: now, details };
    const deliveries = await notify(
      { type: 'alert.resolved', alert, text: `✅ Resolved: ${firing.summary}` },
      `alert:${firing.id}:resolved`,
      now,
    );
    const resolved = await store.resolveAlert({ id: firing.id, resolvedAt: now, details }, deliveries);
    if (resolved && firing.rule === 'silence') {
      const from = firing.details['lastEventAt'];
      if (typeof from === 'number') options.onSilenceEnded?.({ from, to: now });
    }
    return resolved;
  };

  /** One rule: fire, repeat, resolve or nothing. Resolves with whether it changed anything. */
  const evaluateRule = async (rule: Rule, firing: Alert | undefined, now: number): Promise<boolean> => {
    const name = rule.definition.name;
    if (!rule.enabled) {
      pending.delete(name);
      return firing ? resolve(firing, null, now) : false;
    }
    const condition = await CONDITIONS[name](rule, now, options.readings, options.calendar);
    if (!condition.isBroken) {
      pending.delete(name);
      return firing ? resolve(firing, condition, now) : false;
    }
    // A rule that counts business hours only neither starts firing nor repeats outside them (not at 3 a.m.).
    const isQuiet = rule.definition.businessHours && !options.calendar.isOpen(now);
    if (firing)
      return now - firing.notifiedAt >= rule.repeatEveryMs && !isQuiet
        ? repeat(firing, condition, now)
        : false;
    const since = pending.get(name) ?? now;
    pending.set(name, since);
    if (isQuiet) return false;
    if (heldFor(rule, since, now) < rule.forMs) return false;
    pending.delete(name);
    return fire(rule, condition, now);
  };

  const firingAlerts = async (): Promise<Alert[]> =>
    (await store.listAlerts({ state: 'firing', limit: 100 })).items;

  const tell = (firing: readonly Alert[]): void => {
    const views = firing.map(alertView);
    const text = JSON.stringify(views);
    isSilenceFiring = firing.some((alert) => alert.rule === 'silence');
    if (text === lastFiring) return;
    lastFiring = text;
    options.onFiringChanged?.(views);
  };

  let running: Promise<void> | null = null;
  let again = false;

  /** Every rule, once; a rule that fails is logged and the others still run. */
  const evaluateAll = async (): Promise<void> => {
    const now = options.now();
    const rules = rulesFrom(await store.listAlertRules());
    const firing = new Map((await firingAlerts()).map((alert) => [alert.rule, alert]));
    let changed = false;
    for (const rule of rules) {
      try {
        if (await evaluateRule(rule, firing.get(rule.definition.name), now)) changed = true;
      } catch (error) {
        logger.warn(
          { err: coerceError(error), rule: rule.definition.name },
          'alert rule could not be evaluated',
        );
      }
    }
    if (changed) options.onEnqueued?.();
    tell(changed ? await firingAlerts() : [...firing.values()]);
  };

  /** Evaluates now; a call while an evaluation runs makes it run once more after (never two at once). */
  const evaluate = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await evaluateAll().catch((error: unknown) =>
            logger.warn({ err: coerceError(error) }, 'alerts could not be evaluated'),
          );
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  let timer: NodeJS.Timeout | null = null;
  return {
    evaluate,
    /** An event came from TeleCMI: a firing silence resolves now rather than at the next evaluation. */
    noteEvent(): void {
      if (isSilenceFiring) void evaluate();
    },
    /** The firing alerts now, as the wallboard shows them. */
    firing: async (): Promise<AlertView[]> => (await firingAlerts()).map(alertView),
    /** Evaluates every `everyMs` until stopped. */
    start(everyMs: number): void {
      if (timer) return;
      void evaluate();
      timer = setInterval(() => void evaluate(), everyMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
