import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { createBoundedReader } from './bounded-reader.js';
import type { CallEvent, EventKind } from './call-event.js';
import { toDigits, toFlag, toLowerText, toText } from './coerce.js';
import { LIMITS } from './limits.js';
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
 * seconds vs milliseconds, prefixed PIOPIY statuses and a missing `type`. A value outside {@link LIMITS} (a
 * duration beyond a day, a time before 2000, a text of thousands of characters) is read as null with a warning:
 * every number of the event is finite and every time in range, whatever was sent.
 *
 * @example
 * const parsed = parse(body, 'application/json');
 * if (parsed.ok) normalise(parsed.value, { id: '01J…', receivedAt: Date.now() }).from; // '440000000000'
 */
export function normalise(parsed: ParsedPayload, meta: ReceiptMeta): CallEvent {
  const p = parsed.payload;
  const warnings = collectWarnings(parsed);
  const read = createBoundedReader(p, warnings);
  const status = read.text('status', toLowerText);
  const prefix = status === null ? null : (PIOPIY_PREFIX.exec(status)?.[1] ?? null);
  // parse refuses identifiers past LIMITS.maxIdLength, so these need no bound of their own.
  const legId = toText(p['cmiuuid']) ?? toText(p['cmiuid']);
  const conversationUuid = toText(p['conversation_uuid']);
  const callId = toText(p['call_id']);
  const requestId = toText(p['request_id']);
  const parentLegId = toText(p['parent_uid']);
  const direction =
    read.text('direction', toLowerText) ??
    (prefix === 'in' ? 'inbound' : prefix === 'out' ? 'outbound' : null) ??
    (parsed.kind === 'routing-request' ? read.text('action', toLowerText) : null);
  const agent = read.text('user', toText);

  return {
    id: meta.id,
    receivedAt: meta.receivedAt,
    product: parsed.product,
    kind: parsed.kind,
    status,
    phase: status === null ? null : status.replace(PIOPIY_PREFIX, ''),
    direction,
    leg: inferLeg(read.text('leg', toLowerText), {
      kind: parsed.kind,
      legId,
      conversationUuid,
      agent,
      direction,
    }),
    appId: read.text('app_id', toText) ?? read.text('appid', toText),
    callKey: conversationUuid ?? callId ?? requestId ?? parentLegId ?? legId,
    legId,
    conversationUuid,
    callId,
    requestId,
    parentLegId,
    occurredAt: read.epochMs('time'),
    from: read.text('from', toDigits),
    to: read.text('to', toDigits),
    callerId: read.text('callerid', toDigits),
    virtualNumber: read.text('virtual_number', toDigits) ?? read.text('vn', toDigits),
    agent,
    team: read.text('team', toText),
    ivr: read.text('ivr_name', toText),
    waitedSec: read.seconds('waitedsec'),
    answeredSec: read.seconds('answeredsec'),
    durationSec: read.seconds('duration'),
    startedAt: read.epochMs('start_time'),
    answeredAt: read.epochMs('answer_time'),
    endedAt: read.epochMs('end_time'),
    hangupReason: read.text('hangup_reason', toLowerText),
    recorded: toFlag(p['record']),
    recording: read.text('filename', toText, LIMITS.maxFileNameLength),
    hasVoicemail: toFlag(p['voicemail']) ?? (toText(p['voicename']) === null ? null : true),
    voicemail: read.text('voicename', toText, LIMITS.maxFileNameLength),
    clickToCall: toFlag(p['click_to_call']),
    custom: read.json('custom'),
    extraParams: read.json('extra_params'),
    wsStatus: read.json('ws_status'),
    warnings,
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
