import { describe, expect, it } from 'vitest';
import { camelToUpper } from '../../src/emulator/crm/fields.js';
import { entityTypeByName, isoFormatter, parseMoney } from '../../src/emulator/crm/records.js';
import { isoWithOffset } from '../../src/emulator/portal-clock.js';

describe('isoFormatter', () => {
  it('prints what isoWithOffset prints, for several offsets and moments', () => {
    const moments = [
      0, 1795737627000, 1795737627999, 951782400000, 1709337599000, 4102444800000, -86_400_001,
    ];
    for (const offset of [180, 0, -210, 345, 600]) {
      const fast = isoFormatter(offset);
      for (const ms of moments) expect(fast(ms)).toBe(isoWithOffset(ms, offset));
      for (let i = 0; i < 500; i++) {
        const ms = Math.floor(((i * 7919) % 10_000) * 86_400_000 * 0.73 + i * 1_234_567);
        expect(fast(ms)).toBe(isoWithOffset(ms, offset));
      }
    }
  });
});

describe('parseMoney', () => {
  it.each([
    [300, '300|RUB'],
    ['300|RUB', '300|RUB'],
    ['1500.5|usd', '1500.5|USD'],
    ['  12,75 | EUR ', '12.75|EUR'],
    ['-7', '-7|RUB'],
    ['много', undefined],
    ['300|RUBLE', undefined],
    [Number.NaN, undefined],
  ])('%j -> %j', (input, expected) => {
    expect(parseMoney(input)).toBe(expected);
  });
});

describe('names', () => {
  it.each([
    ['assignedById', 'ASSIGNED_BY_ID'],
    ['utmSource', 'UTM_SOURCE'],
    ['begindate', 'BEGINDATE'],
    ['isManualOpportunity', 'IS_MANUAL_OPPORTUNITY'],
    ['createdTime', 'CREATED_TIME'],
  ])('camelToUpper(%s) = %s', (name, upper) => {
    expect(camelToUpper(name)).toBe(upper);
  });

  it.each([
    ['deal', 2],
    ['CONTACT', 3],
    ['company', 4],
    ['dynamic_1036', 1036],
    ['lead', 1],
    ['order', undefined],
    ['dynamic_x', undefined],
  ])('entityTypeByName(%s) = %s', (name, id) => {
    expect(entityTypeByName(name)).toBe(id);
  });
});
