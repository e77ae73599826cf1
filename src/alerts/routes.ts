import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';

import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { alertView } from './evaluator.js';
import { applyRuleChanges, isRuleName, RULE_NAMES, rulesFrom, ruleView } from './rules.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const RuleSchema = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  threshold: Type.Union([Type.Number(), Type.String()], {
    description: 'a count (waiting), a fraction (service-level) or a duration such as "30m" (the others)',
  }),
  for: Type.String({ description: 'how long the condition must hold before the alert fires, e.g. "30s"' }),
  repeatEvery: Type.String({ description: 'alert.fired is sent again at most this often while it holds' }),
  team: Nullable(Type.String()),
  businessHours: Type.Boolean({ description: 'counts business hours only (TELEHOOK_BUSINESS_HOURS)' }),
  description: Type.String(),
});

const AlertSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  state: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  firedAt: Type.Number({ description: 'epoch ms' }),
  resolvedAt: Nullable(Type.Number()),
  summary: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/**
 * `GET /api/alerts/rules`, `PUT /api/alerts/rules/:name` (partial: `enabled`, `threshold`, `for`, `repeatEvery`,
 * `team`) and `GET /api/alerts` (firing now and history, newest first).
 */
export function alertsRoutes(deps: {
  readonly store: Store;
  readonly now: () => number;
  /** Told when a rule changed (the evaluator looks again at once). */
  readonly onRuleChanged?: () => void;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/alerts/rules',
      {
        // Supervisors read the rules; changing them is the admins' (the API token does both).
        config: { role: 'supervisor' },
        schema: {
          summary: 'The alert rules and their settings',
          response: { 200: Type.Object({ items: Type.Array(RuleSchema) }) },
        },
      },
      async () => ({ items: rulesFrom(await deps.store.listAlertRules()).map(ruleView) }),
    );
    app.put(
      '/api/alerts/rules/:name',
      {
        schema: {
          summary: 'Change an alert rule (partial: the fields given)',
          params: Type.Object({ name: Type.String({ maxLength: 100 }) }),
          body: Type.Unknown({
            description: 'any of enabled, threshold, for, repeatEvery, team',
          }),
          response: { 200: RuleSchema },
        },
      },
      async (request) => {
        const { name } = request.params;
        if (!isRuleName(name))
          throw new AppError(
            'ALERT_RULE_NOT_FOUND',
            `No alert rule "${name}"; the rules are ${RULE_NAMES.join(', ')}.`,
          );
        const rules = rulesFrom(await deps.store.listAlertRules());
        const rule = rules.find((candidate) => candidate.definition.name === name)!;
        const settings = applyRuleChanges(rule, request.body);
        await deps.store.saveAlertRule({ name, settings: JSON.stringify(settings), updatedAt: deps.now() });
        deps.onRuleChanged?.();
        return ruleView({ ...settings, definition: rule.definition });
      },
    );
    app.get(
      '/api/alerts',
      {
        config: { viewer: true },
        schema: {
          summary: 'Alerts, newest first: those firing now and the history',
          querystring: Type.Object(
            {
              state: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
              rule: Type.Optional(Type.String({ maxLength: 100 })),
              after: Type.Optional(Type.String({ pattern: '^\\d{1,16}$' })),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(AlertSchema), next: Nullable(Type.String()) }),
          },
        },
      },
      async (request) => {
        const page = await deps.store.listAlerts(request.query);
        return { items: page.items.map(alertView), next: page.next };
      },
    );
  };
}
