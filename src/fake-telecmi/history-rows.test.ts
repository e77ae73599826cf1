import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../../test/helpers/fixtures.js';
import { normalise, parseRestRow, type RestCallList, type RestRowSource } from '../telecmi/index.js';
import { type HistoryRow, historyRowsOf } from './history-rows.js';

const fixture = (name: string): Record<string, unknown> => {
  const found = loadFixtures().find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`No fixture ${name}`);
  return found.payload;
};
const rowsOf = (name: string, product: 'chub' | 'chub-india' = 'chub'): HistoryRow[] => {
  const conversion = historyRowsOf(fixture(name), product);
  if ('ignored' in conversion) throw new Error(`${name} ignored: ${conversion.ignored}`);
  return conversion.rows;
};

describe('a webhook CDR as the row TeleCMI keeps in its history', () => {
  it('puts a CHUB incoming answered CDR in /v2/answered, with the REST names and types (cmiuid, agent, record "true", numbers)', () => {
    const [row, ...rest] = rowsOf('chub-incoming-cdr-answered');
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ appId: '2222223', product: 'chub', list: 'answered', time: 1634720920615 });
    expect(row!.row).toEqual({
      cmiuid: '16132200-57fa-47b5-888d-4ab5b7e631ee',
      duration: 11,
      agent: '204_2222223',
      notes: [],
      billedsec: 11,
      filename: '1634720915260737218351_2222223.mp3',
      rate: 0,
      record: 'true',
      name: '',
      from: 440000000002,
      to: 440000000001,
      time: 1634720920615,
    });
    expect(row!.file).toBe('1634720915260737218351_2222223.mp3');
  });

  it('puts a missed CDR with a voicemail in /v2/missed and in /v2/voicemail, the voicemail after the wait', () => {
    const [missed, voicemail] = rowsOf('chub-incoming-cdr-missed');
    expect(missed!.list).toBe('missed');
    expect(missed!.row).toEqual({
      cmiuid: '4d1f9521-50e5-447d-bf5f-c3292995a727',
      duration: 0,
      billedsec: 0,
      rate: 0,
      name: '',
      from: 440000000001,
      to: 440000000000,
      time: 1634721099442,
    });
    expect(voicemail).toMatchObject({ list: 'voicemail', file: '1634721220656289350027_2222223.mp3' });
    expect(voicemail!.row).toEqual({
      time: 1634721099442 + 127_000,
      from: 440000000001,
      voicename: '1634721220656289350027_2222223.mp3',
    });
  });

  it('gives outgoing rows a string from (the caller id) and a number to', () => {
    const [answered] = rowsOf('chub-outgoing-cdr-answered-leg-a');
    const [missed] = rowsOf('chub-outgoing-cdr-missed-leg-a');
    expect([answered!.list, answered!.row['from'], answered!.row['to'], answered!.row['rate']]).toEqual([
      'out_answered',
      '440000000000',
      442000000000,
      0.0231,
    ]);
    expect([missed!.list, missed!.row['duration'], typeof missed!.row['from']]).toEqual([
      'out_missed',
      0,
      'string',
    ]);
  });

  it('writes CHUB India rows with _id, numbers as numbers, rates as strings, the user id as an outgoing from', () => {
    const [answered] = rowsOf('chub-india-incoming-cdr-answered', 'chub-india');
    expect(answered!.product).toBe('chub-india');
    expect(answered!.row).toMatchObject({
      to: 9100000000,
      from: 9200000000,
      agent: '103_1111113',
      rate: '0.00',
      record: 'true',
    });
    expect(answered!.row['_id']).toMatch(/^[0-9a-f]{24}$/);
    expect(answered!.row['_id']).not.toBe('dbff2a12-5ea0-4303-908d-72a2e216e74a');
    const [outgoing] = rowsOf('chub-india-outgoing-cdr-answered', 'chub-india');
    expect(outgoing!.row).toMatchObject({ from: '103_1111113', rate: '0.6', to: 9100000000 });
    const [missed, voicemail] = rowsOf('chub-india-incoming-cdr-missed', 'chub-india');
    expect([missed!.list, voicemail!.list, voicemail!.row['_id'] !== missed!.row['_id']]).toEqual([
      'missed',
      'voicemail',
      true,
    ]);
  });

  it('keeps a PIOPIY CDR for cmiuuid_cdr with string balance and rate, and for requestid_cdr with numbers', () => {
    const [inbound] = rowsOf('piopiy-incoming-cdr-answered');
    expect(inbound).toMatchObject({
      product: 'piopiy',
      list: 'piopiy',
      id: '55348d77-c515-425d-b22c-f0c6ecd8d780',
    });
    expect(inbound!.row).toEqual({
      duration: 13,
      from: 440000000001,
      to: 440000000000,
      time: 1632318511000,
      leg: 'a',
      direction: 'inbound',
      status: 'answered',
      balance: '878.900000',
      rate: '0.450000',
    });
    const [outbound] = rowsOf('piopiy-outgoing-cdr-missed-leg-a');
    expect(outbound!.requestId).toBe(fixture('piopiy-outgoing-cdr-missed-leg-a')['request_id']);
    expect(outbound!.requestRow).toMatchObject({ balance: 76.349024, rate: 0, status: 'missed' });
  });

  it('keeps no row for live events, routing requests and agent legs', () => {
    for (const name of [
      'chub-incoming-event-waiting',
      'chub-http-flow-request',
      'chub-incoming-cdr-user-missed-leg-b',
    ])
      expect(historyRowsOf(fixture(name), 'chub'), name).toHaveProperty('ignored');
  });
});

describe('a history row read back through the REST mapping', () => {
  const LIST_OF: Record<string, RestCallList> = {
    answered: 'answered',
    missed: 'missed',
    out_answered: 'out_answered',
    out_missed: 'out_missed',
  };

  it('tells what the webhook CDR told of the call: id, status, direction, caller, agent, talk time, files', () => {
    const cdrs = loadFixtures().filter(
      (candidate) => /-cdr-/.test(candidate.name) && !candidate.name.startsWith('piopiy'),
    );
    let compared = 0;
    for (const cdr of cdrs) {
      const product = cdr.name.startsWith('chub-india') ? 'chub-india' : 'chub';
      const conversion = historyRowsOf(cdr.payload, product);
      if ('ignored' in conversion) continue;
      const parsedWebhook = JSON.parse(cdr.bytes.toString()) as Record<string, unknown>;
      const voicemail = conversion.rows.find((row) => row.list === 'voicemail')?.row ?? null;
      const [row] = conversion.rows;
      const source: RestRowSource = { product, list: LIST_OF[row!.list]!, appId: row!.appId, voicemail };
      const parsed = parseRestRow(JSON.stringify(row!.row), source);
      if (!parsed.ok) throw parsed.error;
      const fromRest = normalise(parsed.value, { id: 'r', receivedAt: 0 });
      const fromWebhook = normalise(
        { payload: parsedWebhook, format: 'json', raw: cdr.bytes.toString(), kind: 'cdr', product: 'chub' },
        { id: 'w', receivedAt: 0 },
      );
      const told = (event: typeof fromRest) => ({
        status: event.status,
        direction: event.direction,
        occurredAt: event.occurredAt,
        agent: event.agent,
        answeredSec: event.answeredSec,
        recording: event.recording,
        voicemail: event.voicemail,
        // CHUB India rows carry _id, not the cmiuuid: the id is TeleCMI's own there.
        legId: product === 'chub' ? event.legId : null,
        from: event.direction === 'inbound' ? event.from : null,
      });
      expect(told(fromRest), cdr.name).toEqual(told(fromWebhook));
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(9);
  });
});
