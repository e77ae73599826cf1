import { describe, expect, it } from 'vitest';

import {
  parseAgent,
  parseDuration,
  parseInteger,
  parseMoment,
  parsePhoneNumber,
  parseProbability,
  parseRate,
  parseSpeed,
  parseTeams,
  parseUrl,
} from './flags.js';
import { UsageError } from './usage-error.js';

describe('the flag parsers', () => {
  it.each([
    ['180', 180],
    ['180s', 180],
    ['3m', 180],
    ['3min', 180],
    ['1m30s', 90],
    ['1.5h', 5400],
    ['500ms', 0.5],
    [' 2M ', 120],
  ])('read the duration %j as %d seconds', (text, seconds) => {
    expect(parseDuration('--talk', text)).toBe(seconds);
  });

  it.each([
    ['2/s', 2],
    ['30/min', 0.5],
    ['30 / minute', 0.5],
    ['360/h', 0.1],
  ])('read the rate %j as %d per second', (text, perSecond) => {
    expect(parseRate('--arrival', text)).toBeCloseTo(perSecond, 12);
  });

  it('reads speeds as factors, or instant', () => {
    expect(parseSpeed('--speed', '60x')).toBe(60);
    expect(parseSpeed('--speed', '0.5X')).toBe(0.5);
    expect(parseSpeed('--speed', 'instant')).toBe('instant');
  });

  it('reads the other values', () => {
    expect(parseProbability('--duplicate', '0.2')).toBe(0.2);
    expect(parseProbability('--duplicate', '1')).toBe(1);
    expect(parseInteger('--calls', '500', 0)).toBe(500);
    expect(parseTeams('--teams', 'Sales, Support')).toEqual(['Sales', 'Support']);
    expect(parsePhoneNumber('--from', '+44 7700-900123')).toBe('447700900123');
    expect(parseAgent('--agent', '204_2222223')).toBe('204_2222223');
    expect(parseMoment('--start', '2024-06-06T09:00:00Z')).toBe(Date.UTC(2024, 5, 6, 9));
    expect(parseMoment('--start', '1717664400000')).toBe(1717664400000);
    expect(parseMoment('--from', '2024-06-06')).toBe(Date.UTC(2024, 5, 6));
    expect(parseUrl('--url', 'http://localhost:5000/webhooks/telecmi/x').port).toBe('5000');
  });

  it.each([
    [() => parseDuration('--talk', '3 minutes'), '--talk: "3 minutes" is not a duration'],
    [() => parseDuration('--talk', '0s'), '--talk'],
    [() => parseDuration('--patience', '1m30'), '--patience'],
    [() => parseRate('--arrival', '2'), '--arrival: "2" is not a rate: expected a rate above 0 such as 2/s'],
    [() => parseRate('--arrival', '0/s'), '--arrival'],
    [() => parseRate('--arrival', '2/day'), '--arrival'],
    [() => parseSpeed('--speed', 'fast'), '--speed: "fast" is not a speed'],
    [() => parseSpeed('--speed', '0x'), '--speed'],
    [() => parseProbability('--duplicate', '1.5'), '--duplicate'],
    [() => parseProbability('--duplicate', '-0.1'), '--duplicate'],
    [() => parseInteger('--calls', '-3', 0), '--calls'],
    [() => parseInteger('--agents', '2.5', 1), '--agents'],
    [() => parseTeams('--teams', 'Sales,,Support'), '--teams'],
    [() => parseTeams('--teams', 'Sales,Sales'), '--teams'],
    [() => parsePhoneNumber('--from', '07700900123'), '--from'],
    [() => parsePhoneNumber('--from', 'abc'), '--from'],
    [() => parseAgent('--agent', 'bob smith'), '--agent'],
    [() => parseMoment('--start', 'yesterday'), '--start'],
    [() => parseMoment('--from', '2024-06-06 09:00'), '--from'],
    [() => parseUrl('--url', 'ftp://example.com'), '--url'],
  ])('refuses a bad value with a message naming the flag (%#)', (run, message) => {
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
  });
});
