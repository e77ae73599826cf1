import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import type { CallEvent } from './call-event.js';
import { normalise } from './normalise.js';
import { parse, parseQuery } from './parse.js';

const receipt = { id: 'id-1', receivedAt: 1 };
const read = (payload: Record<string, unknown>): CallEvent => {
  const result = parse(Buffer.from(JSON.stringify(payload)), 'application/json');
  if (!result.ok) throw result.error;
  return normalise(result.value, receipt);
};

describe('the quirks of docs/telecmi-payloads.md §9, on payloads that are not among the fixtures', () => {
  it('takes the app id from app_id or appid, as a digit string', () => {
    expect(read({ cmiuuid: 'a', app_id: 2222223, status: 'waiting', type: 'event' }).appId).toBe('2222223');
    expect(read({ cmiuuid: 'a', appid: '2222223', status: 'missed', type: 'cdr' }).appId).toBe('2222223');
  });

  it('takes the leg id from the legacy cmiuid, and groups legacy outgoing events by parent_uid', () => {
    const event = read({
      cmiuid: '127c1480-ce5d-480a-a593',
      parent_uid: 'parent-1',
      status: 'ringing',
      type: 'event',
      app_id: 1,
    });
    expect(event.legId).toBe('127c1480-ce5d-480a-a593');
    expect(event.parentLegId).toBe('parent-1');
    expect(event.callKey).toBe('parent-1');
    expect(event.status).toBe('ringing');
  });

  it('normalises numbers sent as numbers or strings to digit strings, keeping a leading zero', () => {
    const event = read({
      cmiuuid: 'a',
      appid: 1,
      from: 919999999999,
      to: '04471000000',
      callerid: '+44 20 0000 0000',
      vn: 4471000000,
      status: 'answered',
      type: 'cdr',
    });
    expect(event).toMatchObject({
      from: '919999999999',
      to: '04471000000',
      callerId: '442000000000',
      virtualNumber: '4471000000',
    });
  });

  it('reads true, "true", false and "false" flags', () => {
    expect(
      read({ cmiuuid: 'a', appid: 1, type: 'cdr', status: 'answered', record: 'true', click_to_call: true })
        .recorded,
    ).toBe(true);
    const missed = read({
      cmiuuid: 'a',
      appid: 1,
      type: 'cdr',
      status: 'missed',
      voicemail: 'false',
      click_to_call: 'false',
    });
    expect(missed.hasVoicemail).toBe(false);
    expect(missed.clickToCall).toBe(false);
  });

  it('parses custom, extra_params and ws_status when they are JSON and keeps the string when not', () => {
    const event = read({
      cmiuuid: 'a',
      appid: 1,
      status: 'stream_connected',
      custom: '{"crm":"true"}',
      extra_params: "{ 'Name': 'Akil' }",
      ws_status: 'closed',
    });
    expect(event.custom).toEqual({ crm: 'true' });
    expect(event.extraParams).toBe("{ 'Name': 'Akil' }");
    expect(event.wsStatus).toBe('closed');
  });

  it('turns PIOPIY epoch seconds into milliseconds and keeps time in milliseconds', () => {
    const event = read({
      cmiuuid: 'a',
      appid: 1,
      status: 'answered',
      time: 1632318511000,
      start_time: 1632318510,
      answer_time: '1632318515',
      end_time: 1632318528,
      duration: '13',
    });
    expect(event).toMatchObject({
      occurredAt: 1632318511000,
      startedAt: 1632318510000,
      answeredAt: 1632318515000,
      endedAt: 1632318528000,
      durationSec: 13,
    });
  });

  it('lower-cases statuses, strips PIOPIY prefixes into phase, and infers the direction from the prefix', () => {
    const event = read({ cmiuuid: 'a', appid: 1, status: 'OUT_ANSWERED', leg: 'A' });
    expect(event).toMatchObject({
      status: 'out_answered',
      phase: 'answered',
      direction: 'outbound',
      leg: 'a',
      kind: 'event',
      product: 'piopiy',
    });
    expect(read({ cmiuuid: 'a', appid: 1, status: 'STREAM_DISCONNECTED' })).toMatchObject({
      phase: 'disconnected',
      kind: 'event',
    });
  });

  it('classifies payloads without type by their shape', () => {
    expect(read({ cmiuuid: 'a', appid: 1, status: 'missed', leg: 'a' }).kind).toBe('cdr');
    expect(read({ cmiuuid: 'a', appid: 1, status: 'answered', duration: 13 }).kind).toBe('cdr');
    expect(read({ cmiuuid: 'a', appid: 1, status: 'hangup', leg: 'a' }).kind).toBe('event');
    expect(read({ cmiuuid: 'a', from: '1', to: '2', time: 1670568234000, action: 'outbound' })).toMatchObject(
      { kind: 'routing-request', direction: 'outbound' },
    );
  });

  it('keeps unknown statuses as they are, and unknown fields in raw only', () => {
    const payload = {
      cmiuuid: 'a',
      app_id: 1,
      type: 'event',
      status: 'On_Hold',
      brand_new_field: { nested: [1, 2] },
    };
    const event = read(payload);
    expect(event.status).toBe('on_hold');
    expect(JSON.parse(event.raw)).toEqual(payload);
    expect(Object.keys(event)).not.toContain('brand_new_field');
  });

  it('warns, without refusing, when a field has a type the docs never show', () => {
    const event = read({ cmiuuid: 'a', app_id: 1, type: 'event', status: 'waiting', from: { number: 1 } });
    expect(event.from).toBeNull();
    expect(event.warnings.join()).toContain('/from');
  });
});

/** A TeleCMI-like payload with the field types of the documented samples. */
const payloadArbitrary = fc.record(
  {
    type: fc.constantFrom('event', 'cdr', 'EVENT'),
    status: fc.constantFrom(
      'waiting',
      'answered',
      'missed',
      'hangup',
      'started',
      'in_answered',
      'out_bridged',
      'STREAM_DISCONNECTED',
      'weird',
    ),
    cmiuuid: fc.uuid(),
    conversation_uuid: fc.uuid(),
    app_id: fc.oneof(
      fc.integer({ min: 1, max: 9_999_999 }),
      fc.integer({ min: 1, max: 9_999_999 }).map(String),
    ),
    from: fc.oneof(fc.integer({ min: 1e9, max: 1e14 }), fc.stringMatching(/^0?\d{9,14}$/)),
    to: fc.stringMatching(/^\d{9,14}$/),
    time: fc.integer({ min: 1.5e12, max: 1.9e12 }),
    leg: fc.constantFrom('a', 'b'),
    user: fc.stringMatching(/^\d{3}_\d{7}$/),
    record: fc.constantFrom(true, false, 'true', 'false'),
    custom: fc.oneof(fc.json(), fc.string()),
    waitedsec: fc.integer({ min: 0, max: 3600 }),
  },
  { requiredKeys: ['cmiuuid', 'status'] },
);

const reorder = (payload: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(payload).reverse());
const withoutRaw = ({ raw: _raw, warnings: _warnings, ...rest }: CallEvent) => rest;

describe('normalise properties', () => {
  propertyTest.prop([payloadArbitrary], { numRuns: 300 })(
    'is deterministic and ignores key order and spacing',
    (payload) => {
      const once = read(payload);
      expect(read(structuredClone(payload))).toEqual(once);
      const spaced = parse(Buffer.from(JSON.stringify(reorder(payload), null, 2)));
      if (!spaced.ok) throw spaced.error;
      expect(withoutRaw(normalise(spaced.value, receipt))).toEqual(withoutRaw(once));
    },
  );

  propertyTest.prop([payloadArbitrary, fc.dictionary(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.jsonValue())], {
    numRuns: 200,
  })('is not changed by unknown fields, which stay in raw', (payload, unknown) => {
    const event = read({ ...payload, ...unknown });
    expect(withoutRaw(event)).toEqual(withoutRaw(read(payload)));
    expect(event.raw).toBe(JSON.stringify({ ...payload, ...unknown }));
  });

  propertyTest.prop([payloadArbitrary], { numRuns: 300 })(
    'gives the same event from the JSON, form and query forms',
    (payload) => {
      const asStrings = Object.fromEntries(
        Object.entries(payload).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : JSON.stringify(value),
        ]),
      );
      const json = read(asStrings);
      const encoded = new URLSearchParams(asStrings).toString();
      const form = parse(Buffer.from(encoded), 'application/x-www-form-urlencoded');
      const query = parseQuery(encoded);
      if (!form.ok) throw form.error;
      if (!query.ok) throw query.error;
      expect(withoutRaw(normalise(form.value, receipt))).toEqual(withoutRaw(json));
      expect(withoutRaw(normalise(query.value, receipt))).toEqual(withoutRaw(json));
    },
  );
});
