import type { Call, EndpointFormat, StoredEvent } from '../store/index.js';
import { teamName } from './filters.js';

/** The notification types of calls, by outcome; a call whose outcome is unknown (stale) ends as `call.ended`. */
export function callType(call: Call): string {
  switch (call.outcome) {
    case 'answered':
    case 'abandoned':
    case 'missed':
    case 'voicemail':
      return `call.${call.outcome}`;
    default:
      return 'call.ended';
  }
}

/** The type of an event delivery: `telecmi.event` (a live event) or `telecmi.cdr`. */
export function eventType(event: StoredEvent): string {
  return `telecmi.${event.kind}`;
}

const seconds = (value: number | null): string | null => (value === null ? null : `${Math.round(value)} s`);

/** One readable line about a call, e.g. "Missed call from 919876543210 to 918000000000, waited 47 s, team Sales". */
export function describeCall(call: Call): string {
  const what: Record<string, string> = {
    answered: 'Answered call',
    abandoned: 'Abandoned call',
    missed: 'Missed call',
    voicemail: 'Voicemail',
  };
  const inbound = call.direction !== 'outbound';
  const parts = [
    `${what[call.outcome ?? ''] ?? 'Call ended'}${inbound ? '' : ' (outbound)'} from ${call.from ?? 'unknown number'}` +
      (call.to ? ` to ${call.to}` : ''),
  ];
  const waited = seconds(call.waitedSec);
  if (waited && call.outcome !== 'answered') parts.push(`waited ${waited}`);
  if (call.answeredBy) parts.push(`answered by ${call.answeredBy}`);
  const talk = seconds(call.talkSec);
  if (talk && call.outcome === 'answered') parts.push(`talked ${talk}`);
  if (call.team) parts.push(`team ${teamName(call.team)}`);
  if (call.voicemail) parts.push(`voicemail ${call.voicemail}`);
  return parts.join(', ');
}

/** One readable line about an event. */
function describeEvent(event: StoredEvent): string {
  const parts = [
    `TeleCMI ${event.kind === 'cdr' ? 'CDR' : 'event'}: ${event.status ?? 'no status'}`,
    `${event.direction ?? ''} from ${event.from ?? 'unknown'} to ${event.to ?? 'unknown'}`.trim(),
  ];
  if (event.agent) parts.push(`agent ${event.agent}`);
  if (event.team) parts.push(`team ${teamName(event.team)}`);
  return parts.join(', ');
}

/** A Slack incoming-webhook message. */
function slackMessage(text: string): unknown {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** A Microsoft Teams incoming-webhook (Workflows) message: an Adaptive Card. */
function teamsMessage(text: string): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [{ type: 'TextBlock', text, wrap: true }],
        },
      },
    ],
  };
}

/**
 * The body of a call notification: for `json`, `{"type","timestamp","data": <the call as GET /api/calls/:key
 * gives it>}`; for `slack` and `teams`, a readable message.
 */
export function callBody(format: EndpointFormat, call: Call, data: unknown, now: number): string {
  if (format === 'json')
    return JSON.stringify({ type: callType(call), timestamp: new Date(now).toISOString(), data });
  const text = describeCall(call);
  return JSON.stringify(format === 'slack' ? slackMessage(text) : teamsMessage(text));
}

/** The body of an event delivery: for `json`, `{"type","timestamp","data": <the event as /api/events gives it, with raw>}`. */
export function eventBody(format: EndpointFormat, event: StoredEvent, now: number): string {
  if (format === 'json') {
    const { cursor: _cursor, ...data } = event;
    return JSON.stringify({ type: eventType(event), timestamp: new Date(now).toISOString(), data });
  }
  const text = describeEvent(event);
  return JSON.stringify(format === 'slack' ? slackMessage(text) : teamsMessage(text));
}

/** What an alert notification says: its type (`alert.fired`, `alert.resolved`), the alert, and a readable line. */
export interface AlertNotice {
  readonly type: 'alert.fired' | 'alert.resolved';
  /** The alert as GET /api/alerts gives it. */
  readonly alert: unknown;
  readonly text: string;
}

/** The body of an alert notification: for `json`, `{"type","timestamp","data": <the alert>}`; else a readable message. */
export function alertBody(format: EndpointFormat, notice: AlertNotice, now: number): string {
  if (format === 'json')
    return JSON.stringify({ type: notice.type, timestamp: new Date(now).toISOString(), data: notice.alert });
  return JSON.stringify(format === 'slack' ? slackMessage(notice.text) : teamsMessage(notice.text));
}
