import type { FunnelReport } from './funnel-report.js';
import type { ManagersReport } from './managers-report.js';
import type { ProjectsReport } from './projects-report.js';
import type { ReceivablesReport } from './receivables-report.js';
import type { Period } from './rows.js';

/**
 * The one presentation of a report that every renderer draws (table, csv, html), so the terminal,
 * the spreadsheet and the chart show the same numbers. `--format json` prints the typed report itself.
 * Percent cells hold a ratio (0.5 = 50 %); renderers format them.
 */
export type Report = ManagersReport | ReceivablesReport | FunnelReport | ProjectsReport;
export type ReportName = Report['report'];
export const REPORT_NAMES: readonly ReportName[] = ['managers', 'receivables', 'funnel', 'projects'];

export type ColumnKind = 'text' | 'int' | 'money' | 'percent' | 'days';
export type ViewCell = string | number | null;

export interface ViewColumn {
  title: string;
  kind: ColumnKind;
}

export interface ViewTable {
  id: string;
  title: string;
  columns: ViewColumn[];
  rows: ViewCell[][];
  totals?: ViewCell[];
}

export interface ViewChart {
  id: string;
  title: string;
  kind: ColumnKind;
  /** `group` splits one chart into labelled blocks (a pipeline, a direction). */
  bars: { label: string; value: number; group?: string }[];
}

export interface ReportView {
  report: ReportName;
  title: string;
  /** `2026-01-01 – 2026-01-31` in the portal's time zone (the end is inclusive for people). */
  periodLabel: string;
  tables: ViewTable[];
  charts: ViewChart[];
}

/** `YYYY-MM-DD` of an instant at a UTC offset. Worked example: 1767214800000, +180 -> 2026-01-01. */
export function isoDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export function periodLabel(period: Period, offsetMinutes: number): string {
  return `${isoDate(period.from, offsetMinutes)} – ${isoDate(period.to - 1, offsetMinutes)}`;
}

const col = (title: string, kind: ColumnKind): ViewColumn => ({ title, kind });

export function reportView(report: Report, offsetMinutes = 0): ReportView {
  const label = periodLabel(report.period, offsetMinutes);
  switch (report.report) {
    case 'managers':
      return managersView(report, label);
    case 'receivables':
      return receivablesView(report, label);
    case 'funnel':
      return funnelView(report, label);
    case 'projects':
      return projectsView(report, label);
  }
}

function managersView(r: ManagersReport, periodLabel: string): ReportView {
  const columns = [
    col('Manager', 'text'),
    col('Created', 'int'),
    col('Won', 'int'),
    col('Lost', 'int'),
    col('Open', 'int'),
    col('Conversion, %', 'percent'),
    col('Won amount', 'money'),
    col('Average deal', 'money'),
    col('Average cycle, days', 'days'),
    col('Over control limit', 'int'),
    col('Escalations', 'int'),
    col('Tasks completed', 'int'),
    col('Tasks on time', 'int'),
    col('Tasks overdue', 'int'),
    col('Feedback, %', 'percent'),
    col('Remaining', 'money'),
  ];
  const cells = (name: string, m: ManagersReport['totals']): ViewCell[] => [
    name,
    m.created,
    m.won,
    m.lost,
    m.open,
    m.conversion,
    m.wonAmount,
    m.averageDeal,
    m.averageCycleDays,
    m.overLimit,
    m.escalations,
    m.tasksCompleted,
    m.tasksOnTime,
    m.tasksOverdue,
    m.feedbackShare,
    m.remaining,
  ];
  return {
    report: 'managers',
    title: 'Managers',
    periodLabel,
    tables: [
      {
        id: 'managers',
        title: 'Managers',
        columns,
        rows: r.rows.map((m) => cells(m.name, m)),
        totals: cells('Total', r.totals),
      },
    ],
    charts: [
      {
        id: 'won-amount',
        title: 'Won amount by manager',
        kind: 'money',
        bars: r.rows.map((m) => ({ label: m.name, value: m.wonAmount })),
      },
      {
        id: 'won-lost',
        title: 'Deals won by manager',
        kind: 'int',
        bars: r.rows.map((m) => ({ label: m.name, value: m.won })),
      },
    ],
  };
}

function receivablesView(r: ReceivablesReport, periodLabel: string): ReportView {
  return {
    report: 'receivables',
    title: 'Receivables',
    periodLabel,
    tables: [
      {
        id: 'receivables',
        title: 'Unpaid remainders',
        columns: [
          col('Deal', 'int'),
          col('Title', 'text'),
          col('Client', 'text'),
          col('Manager', 'text'),
          col('Amount', 'money'),
          col('Paid', 'money'),
          col('Remaining', 'money'),
          col('Days since results', 'int'),
        ],
        rows: r.rows.map((x) => [
          x.dealId,
          x.title,
          x.client,
          x.manager,
          x.amount,
          x.paid,
          x.remaining,
          x.daysSinceResults,
        ]),
        totals: ['Total', null, null, null, r.totals.amount, r.totals.paid, r.totals.remaining, null],
      },
      {
        id: 'receivables-by-manager',
        title: 'Per manager',
        columns: [
          col('Manager', 'text'),
          col('Deals', 'int'),
          col('Amount', 'money'),
          col('Paid', 'money'),
          col('Remaining', 'money'),
        ],
        rows: r.byManager.map((m) => [m.manager, m.deals, m.amount, m.paid, m.remaining]),
        totals: ['Total', r.totals.deals, r.totals.amount, r.totals.paid, r.totals.remaining],
      },
    ],
    charts: [
      {
        id: 'remaining-by-manager',
        title: 'Remaining by manager',
        kind: 'money',
        bars: r.byManager.map((m) => ({ label: m.manager, value: m.remaining })),
      },
    ],
  };
}

function funnelView(r: FunnelReport, periodLabel: string): ReportView {
  return {
    report: 'funnel',
    title: 'Funnel',
    periodLabel,
    tables: [
      {
        id: 'funnel',
        title: 'Funnel',
        columns: [
          col('Pipeline', 'text'),
          col('Stage', 'text'),
          col('Deals', 'int'),
          col('Amount', 'money'),
          col('Reached', 'int'),
          col('Average days in stage', 'days'),
          col('To next stage, %', 'percent'),
          col('To won, %', 'percent'),
        ],
        rows: r.pipelines.flatMap((p) =>
          p.stages.map((s) => [
            p.name,
            s.stage,
            s.deals,
            s.amount,
            s.reached,
            s.averageDays,
            s.toNext,
            s.toWon,
          ]),
        ),
      },
      {
        id: 'funnel-pipelines',
        title: 'Pipelines',
        columns: [
          col('Pipeline', 'text'),
          col('Deals', 'int'),
          col('Amount', 'money'),
          col('Won', 'int'),
          col('Lost', 'int'),
          col('Conversion, %', 'percent'),
        ],
        rows: r.pipelines.map((p) => [
          p.name,
          p.totals.deals,
          p.totals.amount,
          p.totals.won,
          p.totals.lost,
          p.totals.conversion,
        ]),
      },
    ],
    charts: [
      {
        id: 'funnel-reached',
        title: 'Deals that reached each stage',
        kind: 'int',
        bars: r.pipelines.flatMap((p) =>
          p.stages
            .filter((s) => s.reached !== null)
            .map((s) => ({ label: s.stage, value: s.reached ?? 0, group: p.name })),
        ),
      },
    ],
  };
}

function projectsView(r: ProjectsReport, periodLabel: string): ReportView {
  return {
    report: 'projects',
    title: 'Projects',
    periodLabel,
    tables: [
      {
        id: 'projects-stages',
        title: 'Directions and stages',
        columns: [
          col('Direction', 'text'),
          col('Stage', 'text'),
          col('Items', 'int'),
          col('Overdue', 'int'),
          col('Average days in stage', 'days'),
        ],
        rows: r.stages.map((s) => [s.direction, s.stage, s.items, s.overdue, s.averageDays]),
      },
      {
        id: 'projects-directions',
        title: 'Directions',
        columns: [
          col('Direction', 'text'),
          col('Items', 'int'),
          col('In work', 'int'),
          col('Overdue', 'int'),
          col('Done', 'int'),
          col('Lead time, days', 'days'),
          col('Done by deadline, %', 'percent'),
        ],
        rows: r.directions.map((d) => [
          d.direction,
          d.items,
          d.inWork,
          d.overdue,
          d.done,
          d.averageLeadDays,
          d.onTimeShare,
        ]),
        totals: [
          'Total',
          r.totals.items,
          r.totals.inWork,
          r.totals.overdue,
          r.totals.done,
          r.totals.averageLeadDays,
          r.totals.onTimeShare,
        ],
      },
      {
        id: 'projects-assistants',
        title: 'Lab assistants',
        columns: [
          col('Lab assistant', 'text'),
          col('In work', 'int'),
          col('Done', 'int'),
          col('Overdue', 'int'),
        ],
        rows: r.assistants.map((a) => [a.name, a.inWork, a.done, a.overdue]),
      },
    ],
    charts: [
      {
        id: 'projects-per-stage',
        title: 'Projects per stage',
        kind: 'int',
        bars: r.stages.map((s) => ({ label: s.stage, value: s.items, group: s.direction })),
      },
      {
        id: 'projects-assistants',
        title: 'Projects in work per lab assistant',
        kind: 'int',
        bars: r.assistants.map((a) => ({ label: a.name, value: a.inWork })),
      },
    ],
  };
}
