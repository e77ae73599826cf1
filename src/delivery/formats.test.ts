import { describe, expect, it } from 'vitest';

import type { Call } from '../store/index.js';
import { callBody, callType, describeCall } from './formats.js';

const call = (fields: Partial<Call>): Call => ({
  key: 'conv-1',
  product: 'chub',
  appId: '2222223',
  direction: 'inbound',
  from: '919876543210',
  to: '918069000000',
  virtualNumber: '918069000000',
  state: 'ended',
  outcome: 'missed',
  startedAt: 0,
  answeredAt: null,
  endedAt: 47_000,
  waitedSec: 47,
  talkSec: null,
  team: 'Sales_2222223',
  ivr: null,
  agents: [],
  answeredBy: null,
  placedBy: null,
  recording: null,
  voicemail: null,
  hangupReason: 'recv_cancel',
  custom: null,
  eventCount: 1,
  lastEventAt: 47_000,
  closedBy: 'cdr',
  legOnly: false,
  identifiers: ['conv-1'],
  ...fields,
});

describe('formats', () => {
  it('names a notification by the outcome, call.ended when unknown', () => {
    expect(callType(call({ outcome: 'abandoned' }))).toBe('call.abandoned');
    expect(callType(call({ outcome: 'unknown', closedBy: 'stale' }))).toBe('call.ended');
  });

  it('writes one readable line about a call', () => {
    expect(describeCall(call({}))).toBe(
      'Missed call from 919876543210 to 918069000000, waited 47 s, team Sales',
    );
    expect(
      describeCall(call({ outcome: 'answered', answeredBy: '204_2222223', talkSec: 125.4, waitedSec: 8 })),
    ).toBe(
      'Answered call from 919876543210 to 918069000000, answered by 204_2222223, talked 125 s, team Sales',
    );
  });

  it('builds a Slack message and a Teams Adaptive Card', () => {
    const slack = JSON.parse(callBody('slack', call({}), null, 0)) as { text: string };
    expect(slack.text).toBe('Missed call from 919876543210 to 918069000000, waited 47 s, team Sales');
    const teams = JSON.parse(callBody('teams', call({}), null, 0)) as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
    };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', body: [{ text: slack.text }] },
    });
  });
});
