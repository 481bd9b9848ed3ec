import { describe, expect, it } from 'vitest';
import { managersReport } from '../../src/reports/managers-report.js';
import type { EscalationRow, TaskRow } from '../../src/reports/rows.js';
import { DAY, JAN, NAMES, deal, dec, feb, jan, stream } from './report-fixtures.js';

// Manager 1 (Иванов) and manager 2 (Петрова) over January 2026; expected values worked out by hand
// next to each row.
const deals = [
  // Manager 1
  deal(1, {
    createdAt: jan(2),
    closedAt: jan(12),
    semantic: 'S',
    stageId: 'WON',
    amount: 100_000,
    feedback: true,
    paid: 100_000,
    remaining: 0,
  }), // created, won, cycle 10 d
  deal(2, {
    createdAt: jan(5),
    closedAt: jan(25),
    semantic: 'S',
    stageId: 'WON',
    amount: 50_000,
    paid: 20_000,
    remaining: 30_000,
  }), // created, won, cycle 20 d, remaining 30 000
  deal(3, {
    createdAt: jan(10),
    closedAt: jan(20),
    semantic: 'F',
    stageId: 'LOSE',
    amount: 70_000,
    remaining: 70_000,
  }), // created, lost (its remainder does not count)
  deal(4, { createdAt: dec(1), movedAt: jan(10), stageId: 'NEW', amount: 5_000 }), // open, 22 days in NEW > 15: over limit
  deal(5, { createdAt: jan(20), movedAt: jan(20), stageId: 'C1:INVOICE', categoryId: 1 }), // created, open, 12 days > the stage's 10
  deal(6, { createdAt: feb(3), semantic: 'S', closedAt: feb(4), amount: 999 }), // after the period: nothing
  deal(7, {
    createdAt: dec(10),
    closedAt: dec(20),
    semantic: 'S',
    stageId: 'WON',
    amount: 5_000,
    remaining: 5_000,
  }), // won before: only its remaining 5 000
  deal(8, { createdAt: jan(15), closedAt: feb(5), semantic: 'S', stageId: 'WON', amount: 10_000 }), // created; won after the end: open at the end
  // Manager 2
  deal(11, {
    assignedById: 2,
    createdAt: jan(3),
    closedAt: jan(4),
    semantic: 'S',
    stageId: 'WON',
    amount: 200_000,
    feedback: true,
  }), // created, won, cycle 1 d
  deal(12, { assignedById: 2, createdAt: jan(6), closedAt: jan(7), semantic: 'F', stageId: 'LOSE' }), // created, lost
  deal(13, { assignedById: 2, createdAt: jan(8), closedAt: jan(9), semantic: 'F', stageId: 'LOSE' }), // created, lost
  deal(14, { assignedById: 2, createdAt: jan(30), movedAt: jan(30) }), // created, open, 2 days
];

const escalations: EscalationRow[] = [
  { dealId: 4, at: jan(15) }, // Иванов's deal: counted
  { dealId: 4, at: dec(31) }, // before the period
  { dealId: 14, at: jan(31) }, // Петрова's deal: counted
  { dealId: 50, at: jan(5) }, // not a deal of the report
];

const task = (
  id: number,
  responsibleId: number,
  deadline: number | null,
  closedAt: number | null,
): TaskRow => ({
  id,
  responsibleId,
  createdAt: dec(1),
  deadline,
  closedAt,
});
const tasks = [
  task(1, 1, jan(10), jan(9)), // completed, on time
  task(2, 1, jan(10), jan(12)), // completed late: completed + overdue
  task(3, 1, jan(20), null), // open past its deadline: overdue
  task(4, 1, null, jan(5)), // completed, no deadline: on time
  task(5, 1, feb(10), null), // deadline after the period: nothing
  task(6, 2, dec(20), jan(3)), // completed late, deadline before the period: completed only
  task(7, 99, jan(5), null), // not a manager
];

describe('managersReport', () => {
  it('computes every metric per manager and the totals', async () => {
    const report = await managersReport(
      { deals: stream(deals), tasks: stream(tasks), escalations: stream(escalations) },
      JAN,
      { names: NAMES, controlLimitDays: 15, stageLimitDays: { 'C1:INVOICE': 10 } },
    );
    expect(report.report).toBe('managers');
    // Sorted by won amount: Петрова (200 000) before Иванов (150 000).
    expect(report.rows.map((r) => r.name)).toEqual(['Петрова Мария', 'Иванов Иван']);
    const [petrova, ivanov] = report.rows;
    expect(ivanov).toEqual({
      userId: 1,
      name: 'Иванов Иван',
      created: 5, // 1, 2, 3, 5, 8
      won: 2, // 1, 2
      lost: 1, // 3
      open: 3, // 4, 5, 8
      conversion: 2 / 3,
      wonAmount: 150_000,
      averageDeal: 75_000,
      averageCycleDays: 15, // (10 + 20) / 2
      overLimit: 2, // 4, 5
      escalations: 1,
      tasksCompleted: 3, // 1, 2, 4
      tasksOnTime: 2, // 1, 4
      tasksOverdue: 2, // 2, 3
      feedbackShare: 0.5, // 1 of 1, 2
      remaining: 35_000, // 30 000 (2) + 5 000 (7)
    });
    expect(petrova).toEqual({
      userId: 2,
      name: 'Петрова Мария',
      created: 4,
      won: 1,
      lost: 2,
      open: 1,
      conversion: 1 / 3,
      wonAmount: 200_000,
      averageDeal: 200_000,
      averageCycleDays: 1,
      overLimit: 0,
      escalations: 1,
      tasksCompleted: 1,
      tasksOnTime: 0,
      tasksOverdue: 0,
      feedbackShare: 1,
      remaining: 0,
    });
    expect(report.totals).toEqual({
      created: 9,
      won: 3,
      lost: 3,
      open: 4,
      conversion: 0.5, // 3 / 6
      wonAmount: 350_000,
      averageDeal: 116_666.67, // 350 000 / 3, to kopecks
      averageCycleDays: 31 / 3, // (10 + 20 + 1) / 3
      overLimit: 2,
      escalations: 2,
      tasksCompleted: 4,
      tasksOnTime: 2,
      tasksOverdue: 2,
      feedbackShare: 2 / 3,
      remaining: 35_000,
    });
  });

  it('uses the default 15-day limit and leaves shares empty when nothing closed', async () => {
    const report = await managersReport(
      {
        deals: stream([
          deal(1, { createdAt: dec(1), movedAt: JAN.to - 15 * DAY }), // exactly 15 days: not over
          deal(2, { createdAt: dec(1), movedAt: JAN.to - 15 * DAY - 1 }), // a millisecond more: over
        ]),
      },
      JAN,
      { names: new Map() },
    );
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({
      name: '#1',
      created: 0,
      open: 2,
      overLimit: 1,
      conversion: null,
      averageDeal: null,
      averageCycleDays: null,
      feedbackShare: null,
    });
  });

  it('returns an empty report for no deals', async () => {
    const report = await managersReport({ deals: stream([]) }, JAN, { names: NAMES });
    expect(report.rows).toEqual([]);
    expect(report.totals.created).toBe(0);
    expect(report.totals.conversion).toBeNull();
  });
});
