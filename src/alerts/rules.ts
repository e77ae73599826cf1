import { parseDuration } from '../config.js';
import { AppError } from '../errors.js';
import type { StoredAlertRule } from '../store/index.js';

/** The rules, by their public names (the `:name` of PUT /api/alerts/rules/:name). */
export const RULE_NAMES = [
  'waiting',
  'longest-wait',
  'service-level',
  'missed-not-called-back',
  'silence',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** How a rule's threshold is written: a count of calls, a fraction (0 to 1), or a duration ("20s", "30m"). */
type ThresholdKind = 'count' | 'fraction' | 'duration';

/** A rule's settings: the defaults below, overridden by what PUT /api/alerts/rules/:name kept in the store. */
export interface RuleSettings {
  readonly enabled: boolean;
  /** A count, a fraction, or a duration in ms, by the rule. */
  readonly threshold: number;
  /** How long the condition must hold before the alert fires, ms. */
  readonly forMs: number;
  /** While it holds, `alert.fired` is sent again at most this often, ms. */
  readonly repeatEveryMs: number;
  /** Only this team's calls (as the calls API names it); null for all. */
  readonly team: string | null;
}

export interface RuleDefinition {
  readonly name: RuleName;
  readonly kind: ThresholdKind;
  /** Counts business hours only: it does not fire outside them, and its clock pauses. */
  readonly businessHours: boolean;
  /** Whether `team` applies. */
  readonly hasTeam: boolean;
  readonly description: string;
  readonly defaults: RuleSettings;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Every rule and its defaults: the one table (README "Alerts" shows it). */
export const RULES: Readonly<Record<RuleName, RuleDefinition>> = {
  waiting: {
    name: 'waiting',
    kind: 'count',
    businessHours: false,
    hasTeam: true,
    description: 'calls waiting now (inbound, waiting or ringing an agent) ≥ threshold',
    defaults: { enabled: true, threshold: 5, forMs: 30_000, repeatEveryMs: HOUR, team: null },
  },
  'longest-wait': {
    name: 'longest-wait',
    kind: 'duration',
    businessHours: false,
    hasTeam: true,
    description: 'the caller waiting longest now has waited ≥ threshold',
    defaults: { enabled: true, threshold: 120_000, forMs: 0, repeatEveryMs: HOUR, team: null },
  },
  'service-level': {
    name: 'service-level',
    kind: 'fraction',
    businessHours: false,
    hasTeam: true,
    description:
      'service level over the last rolling hour < threshold, once at least 10 calls were offered in it',
    defaults: { enabled: true, threshold: 0.8, forMs: 5 * MINUTE, repeatEveryMs: HOUR, team: null },
  },
  'missed-not-called-back': {
    name: 'missed-not-called-back',
    kind: 'duration',
    businessHours: true,
    hasTeam: true,
    description:
      'a caller missed or abandoned in the last 24 h not called back within threshold (business hours)',
    defaults: { enabled: true, threshold: 30 * MINUTE, forMs: 0, repeatEveryMs: HOUR, team: null },
  },
  silence: {
    name: 'silence',
    kind: 'duration',
    businessHours: true,
    hasTeam: false,
    description: 'no event at all from TeleCMI for threshold (business hours)',
    defaults: { enabled: true, threshold: 20 * MINUTE, forMs: 0, repeatEveryMs: HOUR, team: null },
  },
};

/** A rule with its current settings. */
export interface Rule extends RuleSettings {
  readonly definition: RuleDefinition;
}

export const isRuleName = (name: string): name is RuleName =>
  (RULE_NAMES as readonly string[]).includes(name);

/** A duration as people write it: 90s, 30m, 2h; 0s for none. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The rules with what the store keeps applied over the defaults (a setting kept wrong falls back to its default). */
export function rulesFrom(stored: readonly StoredAlertRule[]): Rule[] {
  const kept = new Map(stored.map((rule) => [rule.name, rule.settings]));
  return RULE_NAMES.map((name) => {
    const definition = RULES[name];
    let settings: Partial<RuleSettings> = {};
    try {
      settings = JSON.parse(kept.get(name) ?? '{}') as Partial<RuleSettings>;
    } catch {
      // Unreadable (edited by hand): the defaults hold.
    }
    const pick = <K extends keyof RuleSettings>(
      key: K,
      valid: (value: unknown) => boolean,
    ): RuleSettings[K] =>
      valid(settings[key]) ? (settings[key] as RuleSettings[K]) : definition.defaults[key];
    const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
    return {
      definition,
      enabled: pick('enabled', (value) => typeof value === 'boolean'),
      threshold: pick('threshold', isNumber),
      forMs: pick('forMs', isNumber),
      repeatEveryMs: pick('repeatEveryMs', isNumber),
      team: definition.hasTeam ? pick('team', (value) => typeof value === 'string' || value === null) : null,
    };
  });
}

/** A rule as GET /api/alerts/rules shows it: thresholds and durations written as PUT takes them. */
export function ruleView(rule: Rule) {
  const { definition } = rule;
  return {
    name: definition.name,
    enabled: rule.enabled,
    threshold: definition.kind === 'duration' ? formatDuration(rule.threshold) : rule.threshold,
    for: formatDuration(rule.forMs),
    repeatEvery: formatDuration(rule.repeatEveryMs),
    team: rule.team,
    businessHours: definition.businessHours,
    description: definition.description,
  };
}

export type RuleView = ReturnType<typeof ruleView>;

const invalid = (name: RuleName, field: string, expected: string, value: unknown): AppError =>
  new AppError(
    'ALERT_RULE_INVALID',
    `"${field}" of rule ${name}: expected ${expected}, got ${JSON.stringify(value) ?? 'nothing'}.`,
  );

function durationOf(name: RuleName, field: string, value: unknown, minMs: number, maxMs: number): number {
  const expected = `a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} such as "20s", "30m" or "2h"`;
  if (typeof value !== 'string') throw invalid(name, field, expected, value);
  let ms: number;
  try {
    ms = value.trim() === '0' ? 0 : parseDuration(value);
  } catch {
    throw invalid(name, field, expected, value);
  }
  if (ms < minMs || ms > maxMs) throw invalid(name, field, expected, value);
  return ms;
}

function thresholdOf(definition: RuleDefinition, value: unknown): number {
  const { name } = definition;
  switch (definition.kind) {
    case 'count':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100_000)
        throw invalid(name, 'threshold', 'a whole number of calls from 1 to 100000', value);
      return value;
    case 'fraction':
      if (typeof value !== 'number' || !(value > 0 && value <= 1))
        throw invalid(name, 'threshold', 'a fraction above 0 and at most 1, such as 0.8', value);
      return value;
    case 'duration':
      return durationOf(name, 'threshold', value, 1000, 31 * 24 * HOUR);
  }
}

const FIELDS = ['enabled', 'threshold', 'for', 'repeatEvery', 'team'];

/**
 * A rule changed by a partial JSON body (PUT /api/alerts/rules/:name): each field is checked, and a bad one is
 * refused with a message that names it.
 */
export function applyRuleChanges(rule: Rule, body: unknown): RuleSettings {
  const { definition } = rule;
  const { name } = definition;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError(
      'ALERT_RULE_INVALID',
      `The body must be a JSON object with any of ${FIELDS.join(', ')}.`,
    );
  const changes = body as Record<string, unknown>;
  for (const key of Object.keys(changes))
    if (!FIELDS.includes(key))
      throw new AppError(
        'ALERT_RULE_INVALID',
        `"${key}" is not a setting of a rule; use ${FIELDS.join(', ')}.`,
      );
  const next: { -readonly [K in keyof RuleSettings]: RuleSettings[K] } = {
    enabled: rule.enabled,
    threshold: rule.threshold,
    forMs: rule.forMs,
    repeatEveryMs: rule.repeatEveryMs,
    team: rule.team,
  };
  if ('enabled' in changes) {
    if (typeof changes['enabled'] !== 'boolean')
      throw invalid(name, 'enabled', 'true or false', changes['enabled']);
    next.enabled = changes['enabled'];
  }
  if ('threshold' in changes) next.threshold = thresholdOf(definition, changes['threshold']);
  if ('for' in changes) next.forMs = durationOf(name, 'for', changes['for'], 0, 24 * HOUR);
  if ('repeatEvery' in changes)
    next.repeatEveryMs = durationOf(name, 'repeatEvery', changes['repeatEvery'], MINUTE, 31 * 24 * HOUR);
  if ('team' in changes) {
    const team = changes['team'];
    if (!definition.hasTeam && team !== null)
      throw new AppError(
        'ALERT_RULE_INVALID',
        `"team" does not apply to rule ${name}: it watches every call.`,
      );
    if (team !== null && (typeof team !== 'string' || team.trim() === '' || team.length > 200))
      throw invalid(name, 'team', 'a team name as the calls API shows it, or null for every team', team);
    next.team = team === null ? null : team.trim();
  }
  return next;
}
