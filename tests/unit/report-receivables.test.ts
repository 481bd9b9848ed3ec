import { describe, expect, it } from 'vitest';
import { receivablesReport } from '../../src/reports/receivables-report.js';
import { JAN, NAMES, deal, dec, feb, jan, stream } from './report-fixtures.js';

// Unpaid remainders as at 2026-02-01 00:00 UTC; expected values worked out by hand per row.
const deals = [
  deal(1, {
    title: 'Экспертиза почвы',
    client: 'ООО «Ромашка»',
    amount: 100_000,
    paid: 40_000,
    remaining: 60_000,
    resultsSentAt: jan(22),
  }), // 10 days
  deal(2, { amount: 50_000 }), // no payment fields: not tracked
  deal(3, { assignedById: 2, amount: 80_000, paid: 30_000 }), // remaining 80 000 - 30 000 = 50 000, not sent
  deal(4, {
    assignedById: 2,
    semantic: 'F',
    stageId: 'LOSE',
    closedAt: jan(5),
    amount: 10_000,
    remaining: 10_000,
  }), // lost
  deal(5, {
    assignedById: 2,
    amount: 30_000,
    remaining: 30_000,
    resultsSentAt: jan(1, 12),
    createdAt: dec(1),
  }), // paid 0; 30.5 days -> 30
  deal(6, { amount: 10_000, paid: 10_000, remaining: 0 }), // paid in full
  deal(7, { createdAt: feb(2), amount: 10_000, remaining: 10_000 }), // created after the end
  deal(8, { amount: 20_000, paid: 15_000, remaining: 5_000, resultsSentAt: feb(3) }), // sent after the end: no days
];

describe('receivablesReport', () => {
  it('lists every unpaid remainder, oldest results first, with totals per manager', async () => {
    const report = await receivablesReport(stream(deals), JAN, { names: NAMES });
    expect(report.rows.map((r) => r.dealId)).toEqual([5, 1, 3, 8]);
    expect(report.rows[0]).toEqual({
      dealId: 5,
      title: 'Сделка 5',
      client: null,
      userId: 2,
      manager: 'Петрова Мария',
      amount: 30_000,
      paid: 0,
      remaining: 30_000,
      daysSinceResults: 30,
    });
    expect(report.rows[1]).toEqual({
      dealId: 1,
      title: 'Экспертиза почвы',
      client: 'ООО «Ромашка»',
      userId: 1,
      manager: 'Иванов Иван',
      amount: 100_000,
      paid: 40_000,
      remaining: 60_000,
      daysSinceResults: 10,
    });
    expect(report.rows[2]).toMatchObject({
      dealId: 3,
      paid: 30_000,
      remaining: 50_000,
      daysSinceResults: null,
    });
    expect(report.rows[3]).toMatchObject({ dealId: 8, remaining: 5_000, daysSinceResults: null });
    expect(report.byManager).toEqual([
      { userId: 2, manager: 'Петрова Мария', deals: 2, amount: 110_000, paid: 30_000, remaining: 80_000 },
      { userId: 1, manager: 'Иванов Иван', deals: 2, amount: 120_000, paid: 55_000, remaining: 65_000 },
    ]);
    expect(report.totals).toEqual({ deals: 4, amount: 230_000, paid: 85_000, remaining: 145_000 });
  });

  it('sums kopecks without float noise', async () => {
    const report = await receivablesReport(
      stream([
        deal(1, { amount: 0.3, paid: 0, remaining: 0.1 }),
        deal(2, { amount: 0.3, paid: 0, remaining: 0.2 }),
      ]),
      JAN,
      { names: NAMES },
    );
    expect(report.totals.remaining).toBe(0.3);
  });
});
