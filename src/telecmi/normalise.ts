import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import type { CallEvent, EventKind } from './call-event.js';
import { toDigits, toEpochMs, toFlag, toJsonValue, toLowerText, toNumber, toText } from './coerce.js';
import type { ParsedPayload } from './parse.js';
import { CdrPayload } from './payloads/cdr.js';
import { LiveEventPayload } from './payloads/live-event.js';
import { RoutingRequestPayload } from './payloads/routing-request.js';

/** What the receiver assigns on receipt. */
export interface ReceiptMeta {
  readonly id: string;
  readonly receivedAt: number;
}

const checkers: Record<EventKind, ReturnType<typeof TypeCompiler.Compile<TSchema>>> = {
  event: TypeCompiler.Compile(LiveEventPayload),
  cdr: TypeCompiler.Compile(CdrPayload),
  'routing-request': TypeCompiler.Compile(RoutingRequestPayload),
};
const MAX_WARNINGS = 10;
const PIOPIY_PREFIX = /^(in|out|stream)_/;

/**
 * Turns a parsed TeleCMI payload into the {@link CallEvent} used downstream. Pure and deterministic: the same
 * payload and receipt give the same event, whatever the key order. Every quirk of docs/telecmi-payloads.md §9 is
 * absorbed here: `app_id`/`appid`, `cmiuid`, numbers as numbers or strings, `"true"`, JSON in strings, epoch
 * seconds vs milliseconds, prefixed PIOPIY statuses and a missing `type`.
 *
 * @example
 * const parsed = parse(body, 'application/json');
 * if (parsed.ok) normalise(parsed.value, { id: '01J…', receivedAt: Date.now() }).from; // '440000000000'
 */
export function normalise(parsed: ParsedPayload, meta: ReceiptMeta): CallEvent {
  const p = parsed.payload;
  const status = toLowerText(p['status']);
  const prefix = status === null ? null : (PIOPIY_PREFIX.exec(status)?.[1] ?? null);
  const legId = toText(p['cmiuuid']) ?? toText(p['cmiuid']);
  const conversationUuid = toText(p['conversation_uuid']);
  const callId = toText(p['call_id']);
  const requestId = toText(p['request_id']);
  const parentLegId = toText(p['parent_uid']);
  const direction =
    toLowerText(p['direction']) ??
    (prefix === 'in' ? 'inbound' : prefix === 'out' ? 'outbound' : null) ??
    (parsed.kind === 'routing-request' ? toLowerText(p['action']) : null);
  const agent = toText(p['user']);

  return {
    id: meta.id,
    receivedAt: meta.receivedAt,
    product: parsed.product,
    kind: parsed.kind,
    status,
    phase: status === null ? null : status.replace(PIOPIY_PREFIX, ''),
    direction,
    leg: inferLeg(toLowerText(p['leg']), { kind: parsed.kind, legId, conversationUuid, agent, direction }),
    appId: toText(p['app_id']) ?? toText(p['appid']),
    callKey: conversationUuid ?? callId ?? requestId ?? parentLegId ?? legId,
    legId,
    conversationUuid,
    callId,
    requestId,
    parentLegId,
    occurredAt: toEpochMs(p['time']),
    from: toDigits(p['from']),
    to: toDigits(p['to']),
    callerId: toDigits(p['callerid']),
    virtualNumber: toDigits(p['virtual_number']) ?? toDigits(p['vn']),
    agent,
    team: toText(p['team']),
    ivr: toText(p['ivr_name']),
    waitedSec: toNumber(p['waitedsec']),
    answeredSec: toNumber(p['answeredsec']),
    durationSec: toNumber(p['duration']),
    startedAt: toEpochMs(p['start_time']),
    answeredAt: toEpochMs(p['answer_time']),
    endedAt: toEpochMs(p['end_time']),
    hangupReason: toLowerText(p['hangup_reason']),
    recorded: toFlag(p['record']),
    recording: toText(p['filename']),
    hasVoicemail: toFlag(p['voicemail']) ?? (toText(p['voicename']) === null ? null : true),
    voicemail: toText(p['voicename']),
    clickToCall: toFlag(p['click_to_call']),
    custom: toJsonValue(p['custom']),
    extraParams: toJsonValue(p['extra_params']),
    wsStatus: toJsonValue(p['ws_status']),
    warnings: collectWarnings(parsed),
    raw: parsed.raw,
  };
}

interface LegClues {
  kind: EventKind;
  legId: string | null;
  conversationUuid: string | null;
  agent: string | null;
  direction: string | null;
}

/**
 * The leg, when the payload omits it: the leg whose id is the conversation's is the caller's (leg a); an event
 * that dials an agent (`user`, `direction: outbound`) under another leg id is the agent's (leg b), as in the
 * CHUB India "Outgoing Started" event (§4.2). Otherwise it stays unknown.
 */
function inferLeg(leg: string | null, clues: LegClues): string | null {
  if (leg !== null) return leg;
  if (clues.legId === null || clues.conversationUuid === null) return null;
  if (clues.legId === clues.conversationUuid) return 'a';
  if (clues.kind === 'event' && clues.agent !== null && clues.direction === 'outbound') return 'b';
  return null;
}

function collectWarnings(parsed: ParsedPayload): string[] {
  // Form and query values are strings by nature, so type deviations there say nothing about the sender.
  if (parsed.format !== 'json') return [];
  const checker = checkers[parsed.kind];
  if (checker.Check(parsed.payload)) return [];
  const warnings: string[] = [];
  for (const error of checker.Errors(parsed.payload)) {
    if (warnings.length >= MAX_WARNINGS) break;
    const warning = `${error.path || '/'}: ${error.message}`;
    if (!warnings.includes(warning)) warnings.push(warning);
  }
  return warnings;
}
