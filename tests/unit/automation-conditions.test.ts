import { describe, expect, it } from 'vitest';
import { fieldValue, isoAt, localTime } from '../../src/automation/entity.js';
import { matchesCondition, matchesConditions } from '../../src/automation/match-conditions.js';
import { formatValue, renderTemplate } from '../../src/automation/render-template.js';
import { deal, OFFSET, T0 } from './automation-fixtures.js';

const d = deal({
  observers: [3, 4],
  fields: {
    opportunity: '150000.00',
    UF_CRM_AUDIT: 'Y',
    UF_CRM_DIRECTION: ['12', '14'],
    UF_CRM_NOTE: '',
    closedate: '2025-03-10T03:00:00+03:00',
    sourceId: 'WEB',
  },
});

describe('conditions on fields', () => {
  it.each([
    [{ field: 'opportunity', op: '>', value: 100000 }, true],
    [{ field: 'opportunity', op: '<=', value: 100000 }, false],
    [{ field: 'OPPORTUNITY', op: '=', value: 150000 }, true],
    [{ field: 'UF_CRM_AUDIT', op: '=', value: true }, true],
    [{ field: 'UF_CRM_DIRECTION', op: 'in', value: [14, 20] }, true],
    [{ field: 'UF_CRM_DIRECTION', op: 'not_in', value: [20] }, true],
    [{ field: 'UF_CRM_NOTE', op: 'empty' }, true],
    [{ field: 'UF_CRM_MISSING', op: 'empty' }, true],
    [{ field: 'observers', op: 'not_empty' }, true],
    [{ field: 'sourceId', op: '!=', value: 'CALL' }, true],
    [{ field: 'title', op: 'contains', value: 'ПОЧЕРК' }, true],
    [{ field: 'closedate', op: '<', value: '2025-03-11T00:00:00+03:00' }, true],
    [{ field: 'ASSIGNED_BY_ID', op: '=', value: 9 }, true],
    [{ field: 'STAGE_ID', op: 'in', value: ['C3:NEW', 'C3:QUALIFIED'] }, true],
    [{ field: 'title', op: '>', value: 5 }, false],
  ] as const)('%j -> %s', (condition, expected) => {
    expect(matchesCondition(d, { ...condition } as never)).toBe(expected);
  });

  it('needs all of them', () => {
    expect(matchesConditions(d, [])).toBe(true);
    expect(
      matchesConditions(d, [
        { field: 'opportunity', op: '>', value: 1 },
        { field: 'UF_CRM_AUDIT', op: '=', value: 'N' },
      ]),
    ).toBe(false);
  });
});

describe('message templates', () => {
  it('fills computed values first, then fields, and leaves unknown names empty', () => {
    expect(
      renderTemplate(
        '{{title}}: {{ opportunity }} до {{closedate}} [{{nothing}}] {{days}}',
        d,
        { days: 16 },
        OFFSET,
      ),
    ).toBe('Экспертиза почерка: 150000.00 до 10.03.2025 [] 16');
  });

  it('formats dates in the portal time zone, lists joined', () => {
    expect(formatValue('2025-03-20T14:30:00+03:00', OFFSET)).toBe('20.03.2025 14:30');
    expect(formatValue('2025-03-20T11:30:00Z', OFFSET)).toBe('20.03.2025 14:30');
    expect(formatValue('2025-03-20T00:00:00+03:00', OFFSET)).toBe('20.03.2025');
    expect(formatValue(['a', 2], OFFSET)).toBe('a, 2');
    expect(formatValue(null, OFFSET)).toBe('');
  });
});

describe('portal calendar helpers', () => {
  it('reads local dates and prints ISO with the portal offset', () => {
    expect(localTime(T0, OFFSET)).toEqual({
      date: '2025-03-03',
      minutes: 9 * 60,
      dayStart: Date.parse('2025-03-03T00:00:00+03:00'),
      weekday: 1,
    });
    expect(isoAt(T0, OFFSET)).toBe('2025-03-03T09:00:00+03:00');
    expect(isoAt(T0, -330)).toBe('2025-03-03T00:30:00-05:30');
    expect(fieldValue(d, 'uf_crm_audit')).toBe('Y');
  });
});
