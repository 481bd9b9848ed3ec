import { describe, expect, it } from 'vitest';
import type { ResolvedRule } from '../../src/automation/catalog.js';
import { UserError } from '../../src/errors.js';
import { controlLimitsOf } from '../../src/reports/control-limits.js';
import { offsetOf, parsePeriod } from '../../src/reports/parse-period.js';
import {
  dateOf,
  escalationsFromLedger,
  filterTime,
  numberOf,
  timeOf,
} from '../../src/reports/read-portal.js';
import { parseReportOptions } from '../../src/reports/report-options.js';
import type { LedgerEntry } from '../../src/state/ledger.js';

const MSK = 180;

describe('parsePeriod', () => {
  const now = Date.parse('2026-01-20T09:00:00Z');
  it('reads dates in the portal time zone, the --to day included', () => {
    expect(parsePeriod('2026-01-01', '2026-01-31', now, MSK)).toEqual({
      from: Date.parse('2025-12-31T21:00:00Z'),
      to: Date.parse('2026-01-31T21:00:00Z'),
    });
  });
  it('defaults to the current month up to now', () => {
    expect(parsePeriod(undefined, undefined, now, MSK)).toEqual({
      from: Date.parse('2025-12-31T21:00:00Z'),
      to: now,
    });
  });
  it('takes ISO date-times as they are', () => {
    expect(parsePeriod('2026-01-05T10:00:00+03:00', undefined, now, MSK).from).toBe(
      Date.parse('2026-01-05T07:00:00Z'),
    );
  });
  it('rejects bad and empty periods with a UserError', () => {
    expect(() => parsePeriod('2026-02-30', undefined, now, MSK)).toThrow(UserError);
    expect(() => parsePeriod('yesterday', undefined, now, MSK)).toThrow('--from "yesterday" is not a date.');
    expect(() => parsePeriod('2026-01-10', '2026-01-09', now, MSK)).toThrow('The period is empty');
  });
  it('reads the offset of server.time', () => {
    expect(offsetOf('2026-01-20T12:00:00+03:00')).toBe(180);
    expect(offsetOf('2026-01-20T12:00:00-0530')).toBe(-330);
    expect(offsetOf('garbage')).toBe(0);
  });
});

describe('REST value readers', () => {
  it('reads numbers, times and date fields as the portal prints them', () => {
    expect(numberOf('1000.50')).toBe(1000.5);
    expect(numberOf(999.99)).toBe(999.99);
    expect(numberOf('300|RUB')).toBe(300);
    expect(numberOf('')).toBeNull();
    expect(numberOf(null)).toBeNull();
    expect(timeOf('2026-01-05T10:00:00+03:00')).toBe(Date.parse('2026-01-05T07:00:00Z'));
    expect(timeOf('')).toBeNull();
    // A date field keeps its calendar date whatever clock part the server adds.
    expect(dateOf('2026-01-05T03:00:00+03:00', MSK)).toBe(Date.parse('2026-01-04T21:00:00Z'));
    expect(dateOf('2026-01-05', MSK)).toBe(Date.parse('2026-01-04T21:00:00Z'));
    expect(dateOf(null, MSK)).toBeNull();
    expect(filterTime(Date.parse('2026-01-04T21:00:00Z'))).toBe('2026-01-04T21:00:00+00:00');
  });
});

describe('escalationsFromLedger', () => {
  const entry = (patch: Partial<LedgerEntry>): LedgerEntry => ({
    key: 'k',
    rule: 'sales-new-control',
    entity: '2:15',
    occurrence: 'o1',
    action: 'notify',
    marker: 'm',
    state: 'done',
    attempts: 1,
    runId: 'r',
    job: 'automation',
    plannedAt: 100,
    finishedAt: 200,
    result: null,
    error: null,
    ...patch,
  });
  it('yields one row per firing of an escalating rule about a deal', () => {
    const rows = [
      ...escalationsFromLedger(
        [
          entry({ key: 'a|u7' }),
          entry({ key: 'a|u8' }), // same firing, another head
          entry({ occurrence: 'o2', finishedAt: null }), // a second firing: plannedAt
          entry({ state: 'unknown', occurrence: 'o3' }), // not confirmed
          entry({ entity: '1036:4', occurrence: 'o4' }), // not a deal
          entry({ rule: 'welcome', occurrence: 'o5' }), // not an escalating rule
        ],
        (rule) => rule !== 'welcome',
      ),
    ];
    expect(rows).toEqual([
      { dealId: 15, at: 200 },
      { dealId: 15, at: 100 },
    ]);
  });
});

describe('parseReportOptions', () => {
  it('chooses the format from --out and --excel', () => {
    expect(parseReportOptions('funnel', { out: 'r/funnel.html' }).format).toBe('html');
    expect(parseReportOptions('funnel', { excel: true }).format).toBe('csv');
    expect(parseReportOptions('funnel', {}).format).toBe('table');
    expect(parseReportOptions('managers', { escalationRules: 'a, b,,' }).escalationRules).toEqual(['a', 'b']);
  });
  it('reports every problem at once', () => {
    expect(() => parseReportOptions('sales', { format: 'xml', controlLimitDays: '-1' })).toThrow(
      /unknown report "sales".*--format "xml".*--control-limit-days/,
    );
    expect(() => parseReportOptions('funnel', { excel: true, format: 'html' })).toThrow(
      '--excel goes with --format csv',
    );
  });
});

describe('controlLimitsOf', () => {
  const resolved = (
    id: string,
    entityTypeId: number,
    trigger: Record<string, unknown>,
    triggerStageIds: string[],
  ): ResolvedRule =>
    ({
      rule: { id, enabled: true, entity: { pipeline: 'sales' }, trigger, conditions: [], actions: [] },
      entityTypeId,
      categoryIds: [3],
      triggerStageIds,
      aliases: {},
    }) as unknown as ResolvedRule;

  it('takes the first threshold of each deal stay rule, the smallest when several rules watch a stage', () => {
    expect(
      controlLimitsOf([
        resolved('qualified', 2, { type: 'stayed_in_stage', stage: 'QUALIFIED', days: [15, 30] }, [
          'C3:QUALIFIED',
        ]),
        resolved('new', 2, { type: 'stayed_in_stage', stage: 'NEW', days: 2 }, ['C3:NEW']),
        resolved('new-late', 2, { type: 'stayed_in_stage', stage: 'NEW', days: 5 }, ['C3:NEW']),
        resolved('entered', 2, { type: 'stage_entered', stage: 'WON' }, ['C3:WON']),
        resolved('lab', 1036, { type: 'stayed_in_stage', stage: 'IN_WORK', days: 3 }, ['DT1036_5:IN_WORK']),
      ]),
    ).toEqual({ 'C3:QUALIFIED': 15, 'C3:NEW': 2 });
  });
});
