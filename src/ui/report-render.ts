import type { Report } from '../reports/report-view.js';
import { reportView } from '../reports/report-view.js';
import { renderCsv } from './report-csv.js';
import { renderHtml } from './report-html.js';
import { renderTable } from './report-table.js';

export type ReportFormat = 'table' | 'csv' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json', 'html'];

export interface RenderOptions {
  format: ReportFormat;
  excel?: boolean;
  color?: boolean;
  /** The portal's UTC offset, for the dates people read. */
  offsetMinutes?: number;
  /** ISO time of the run, printed in the html header. */
  generatedAt?: string;
}

/** The text of a report in the chosen format; `json` is the typed report itself (STYLE.md §11). */
export function renderReport(report: Report, options: RenderOptions): string {
  if (options.format === 'json') return JSON.stringify(report, null, 2);
  const view = reportView(report, options.offsetMinutes ?? 0);
  switch (options.format) {
    case 'csv':
      return renderCsv(view, { excel: options.excel === true });
    case 'html':
      return renderHtml(view, { generatedAt: options.generatedAt ?? '' });
    case 'table':
      return renderTable(view, { color: options.color === true });
  }
}
