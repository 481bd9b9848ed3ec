import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ManagersReport } from '../../src/reports/managers-report.js';
import type { ReceivablesReport } from '../../src/reports/receivables-report.js';
import { periodLabel, reportView } from '../../src/reports/report-view.js';
import { neutralizeFormula, renderCsv } from '../../src/ui/report-csv.js';
import { formatCell } from '../../src/ui/report-cells.js';
import { renderHtml } from '../../src/ui/report-html.js';
import { renderReport } from '../../src/ui/report-render.js';
import { renderTable } from '../../src/ui/report-table.js';
import { JAN } from './report-fixtures.js';

const metrics = {
  created: 5,
  won: 2,
  lost: 1,
  open: 3,
  conversion: 2 / 3,
  wonAmount: 150_000.5,
  averageDeal: 75_000.25,
  averageCycleDays: 15,
  overLimit: 2,
  escalations: 1,
  tasksCompleted: 3,
  tasksOnTime: 2,
  tasksOverdue: 2,
  feedbackShare: 0.5,
  remaining: 35_000,
};
// Built by hand, not by the report core: the formatters are tested alone.
const managers: ManagersReport = {
  report: 'managers',
  period: JAN,
  rows: [
    { userId: 1, name: 'Иванов Иван', ...metrics },
    { userId: 3, name: "=cmd|' /C calc'!A0", ...metrics, conversion: null, wonAmount: 0, averageDeal: null },
  ],
  totals: { ...metrics, created: 10 },
};

const receivables: ReceivablesReport = {
  report: 'receivables',
  period: JAN,
  rows: [
    {
      dealId: 7,
      title: 'Экспертиза, "срочно"\nвторая строка',
      client: '+7 3852 571121',
      userId: 1,
      manager: 'Иванов Иван',
      amount: 1234.5,
      paid: 234.5,
      remaining: 1000,
      daysSinceResults: 12,
    },
  ],
  byManager: [{ userId: 1, manager: 'Иванов Иван', deals: 1, amount: 1234.5, paid: 234.5, remaining: 1000 }],
  totals: { deals: 1, amount: 1234.5, paid: 234.5, remaining: 1000 },
};

describe('report cells', () => {
  it('formats each kind for people, programs and Russian Excel', () => {
    expect(formatCell(1234567.5, 'money', 'human')).toBe('1 234 567,50');
    expect(formatCell(1234567.5, 'money', 'csv')).toBe('1234567.5');
    expect(formatCell(1234567.5, 'money', 'excel')).toBe('1234567,5');
    expect(formatCell(2 / 3, 'percent', 'human')).toBe('66,7 %');
    expect(formatCell(2 / 3, 'percent', 'csv')).toBe('66.7');
    expect(formatCell(31 / 3, 'days', 'excel')).toBe('10,3');
    expect(formatCell(null, 'int', 'human')).toBe('—');
    expect(formatCell(null, 'int', 'csv')).toBe('');
    expect(formatCell(-5, 'money', 'csv')).toBe('-5');
  });

  it('neutralises formula cells only', () => {
    for (const s of ['=1+1', '+7 999', '-2', '@SUM(A1)', '\tx', '\rx'])
      expect(neutralizeFormula(s)).toBe(`'${s}`);
    expect(neutralizeFormula('Иванов')).toBe('Иванов');
    expect(neutralizeFormula('a=b')).toBe('a=b');
  });

  it('labels the period in the portal time zone with an inclusive end', () => {
    expect(periodLabel(JAN, 0)).toBe('2026-01-01 – 2026-01-31');
    // Midnight of 1 January in Moscow (UTC+3) is 21:00 UTC on 31 December.
    expect(periodLabel({ from: Date.UTC(2025, 11, 31, 21), to: Date.UTC(2026, 0, 31, 21) }, 180)).toBe(
      '2026-01-01 – 2026-01-31',
    );
  });
});

describe('renderCsv', () => {
  it('--excel writes a BOM, semicolons, decimal commas and neutralised formulas that csv-parse reads back', () => {
    const text = renderCsv(reportView(managers), { excel: true });
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records: string[][] = parse(text, { delimiter: ';', bom: true });
    expect(records[0]?.slice(0, 3)).toEqual(['Manager', 'Created', 'Won']);
    expect(records[0]).toHaveLength(16);
    expect(records[1]).toEqual([
      'Иванов Иван',
      '5',
      '2',
      '1',
      '3',
      '66,7',
      '150000,5',
      '75000,25',
      '15',
      '2',
      '1',
      '3',
      '2',
      '2',
      '50',
      '35000',
    ]);
    expect(records[2]?.[0]).toBe("'=cmd|' /C calc'!A0");
    expect(records[2]?.slice(5, 8)).toEqual(['', '0', '']);
    expect(records[3]?.slice(0, 2)).toEqual(['Total', '10']);
    expect(text).not.toMatch(/(^|;)=cmd/m);
  });

  it('writes RFC 4180 CSV: CRLF, quoted fields, several tables separated by an empty line', () => {
    const text = renderCsv(reportView(receivables));
    expect(text.startsWith('\uFEFF')).toBe(false);
    expect(text).toContain('\r\n');
    expect(text).toContain('"Экспертиза, ""срочно""\nвторая строка"');
    const records: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: false });
    expect(records[0]).toEqual([
      'Deal',
      'Title',
      'Client',
      'Manager',
      'Amount',
      'Paid',
      'Remaining',
      'Days since results',
    ]);
    expect(records[1]).toEqual([
      '7',
      'Экспертиза, "срочно"\nвторая строка',
      "'+7 3852 571121",
      'Иванов Иван',
      '1234.5',
      '234.5',
      '1000',
      '12',
    ]);
    expect(records[2]).toEqual(['Total', '', '', '', '1234.5', '234.5', '1000', '']);
    expect(records[3]).toEqual(['']);
    expect(records[4]).toEqual(['Manager', 'Deals', 'Amount', 'Paid', 'Remaining']);
    expect(records[5]).toEqual(['Иванов Иван', '1', '1234.5', '234.5', '1000']);
  });
});

describe('renderTable', () => {
  it('aligns text left and numbers right, with a totals line', () => {
    const lines = renderTable(reportView(receivables)).split('\n');
    expect(lines[0]).toBe('Receivables, 2026-01-01 – 2026-01-31');
    const header = lines.find((l) => l.startsWith('Manager'));
    expect(header).toBe('Manager      Deals    Amount    Paid  Remaining');
    expect(lines).toContain('Иванов Иван      1  1 234,50  234,50   1 000,00');
    expect(lines.at(-1)).toBe('Total            1  1 234,50  234,50   1 000,00');
  });
});

describe('renderHtml', () => {
  it('is one self-contained file whose bars carry the numbers of the CSV', () => {
    const html = renderReport(managers, { format: 'html', generatedAt: '2026-02-01T00:00:00Z' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import/i);
    expect(html).toContain('<svg');
    // The csv's "Won amount" column, and the bars of the "Won amount by manager" chart.
    const csv: string[][] = parse(renderCsv(reportView(managers)), { relax_column_count: true });
    const wonColumn = csv[0]!.indexOf('Won amount');
    const fromCsv = csv.slice(1, 3).map((r) => Number(r[wonColumn]));
    const chart = html.slice(html.indexOf('id="chart-won-amount"'), html.indexOf('id="chart-won-lost"'));
    const fromChart = [...chart.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(fromChart).toEqual(fromCsv);
    expect(fromChart).toEqual([150000.5, 0]);
    // HTML is not a spreadsheet: the name shows as it is, escaped, never as markup.
    expect(html).toContain('=cmd|&#39; /C calc&#39;!A0');
    expect(html).toContain('<td class="n">66,7 %</td>');
  });

  it('escapes portal text', () => {
    const html = renderHtml({ ...reportView(receivables), title: '<b>x</b>' }, { generatedAt: 'now' });
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });
});

describe('renderReport json', () => {
  it('prints the typed report itself', () => {
    expect(JSON.parse(renderReport(receivables, { format: 'json' }))).toEqual(receivables);
  });
});
