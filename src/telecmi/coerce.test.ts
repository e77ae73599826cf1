import { describe, expect, it } from 'vitest';

import { readJsonText, toDigits, toEpochMs, toFlag, toJsonValue, toNumber } from './coerce.js';

describe('toDigits', () => {
  it.each([
    [440000000000, '440000000000'],
    ['440000000000', '440000000000'],
    ['04471000000', '04471000000'],
    ['+91 99999-99999', '919999999999'],
    ['(044) 7100.0000', '04471000000'],
    [9191000000000, '9191000000000'],
    [999999999999999, '999999999999999'],
    ['989xxxxx', '989xxxxx'],
    ['  ', null],
    [null, null],
    [true, null],
    [{ n: 1 }, null],
    [Number.NaN, null],
  ])('%j → %j', (input, expected) => {
    expect(toDigits(input)).toBe(expected);
  });
});

describe('toFlag', () => {
  it.each([
    [true, true],
    ['true', true],
    ['TRUE', true],
    [' True ', true],
    [1, true],
    ['1', true],
    [false, false],
    ['false', false],
    ['False', false],
    [0, false],
    ['maybe', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(toFlag(input)).toBe(expected);
  });
});

describe('toEpochMs', () => {
  it('keeps milliseconds and turns PIOPIY seconds into milliseconds', () => {
    expect(toEpochMs(1634724624830)).toBe(1634724624830);
    expect(toEpochMs(1632318510)).toBe(1632318510000);
    expect(toEpochMs('1632318510')).toBe(1632318510000);
    expect(toEpochMs('1634724624830')).toBe(1634724624830);
    expect(toEpochMs('2021-10-20T10:10:24.830Z')).toBe(1634724624830);
  });

  it('gives null for what is not a time', () => {
    for (const value of [0, -5, 'soon', '', null, {}, Number.POSITIVE_INFINITY])
      expect(toEpochMs(value)).toBeNull();
  });
});

describe('toNumber', () => {
  it('reads numbers and numeric strings only', () => {
    expect(toNumber(11)).toBe(11);
    expect(toNumber('127')).toBe(127);
    expect(toNumber('0.45')).toBe(0.45);
    expect(toNumber('12 s')).toBeNull();
    expect(toNumber(null)).toBeNull();
  });

  it('gives null, never Infinity, for a numeric string too large for a double', () => {
    expect(toNumber('9'.repeat(400))).toBeNull();
    expect(toNumber(`-${'9'.repeat(400)}`)).toBeNull();
    expect(toEpochMs('9'.repeat(400))).toBeNull();
  });
});

describe('toJsonValue', () => {
  it('parses JSON objects and arrays in strings and keeps everything else as sent', () => {
    expect(toJsonValue('{"crm": "true"}')).toEqual({ crm: 'true' });
    expect(toJsonValue('[1,2]')).toEqual([1, 2]);
    expect(toJsonValue('{key: value}')).toBe('{key: value}');
    expect(toJsonValue("{ 'Name': 'Akil', 'ID':8915726 }")).toBe("{ 'Name': 'Akil', 'ID':8915726 }");
    expect(toJsonValue('plain')).toBe('plain');
    expect(toJsonValue({ already: 'object' })).toEqual({ already: 'object' });
    expect(toJsonValue(undefined)).toBeNull();
  });

  it('keeps JSON text nested deeper than the limit as the string sent', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(toJsonValue(deep)).toBe(deep);
    expect(readJsonText(deep)).toEqual({ value: deep, isTooDeep: true });
    const atLimit = '['.repeat(64) + ']'.repeat(64);
    expect(readJsonText(atLimit).isTooDeep).toBe(false);
    expect(JSON.stringify(toJsonValue(atLimit))).toBe(atLimit);
  });
});
