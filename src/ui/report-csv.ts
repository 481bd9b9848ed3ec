import { stringify } from 'csv-stringify/sync';
import type { ReportView, ViewTable } from '../reports/report-view.js';
import { formatCell } from './report-cells.js';

export interface CsvOptions {
  /** Russian Excel: UTF-8 with a BOM, `;` between fields, decimal commas. */
  excel?: boolean;
}

/**
 * A spreadsheet program runs a cell that starts with = + - @ (or a tab / carriage return, which some
 * strip first) as a formula: portal data such as a deal title "=HYPERLINK(...)" would run on the
 * analyst's machine (OWASP "CSV Injection"). Text cells that start so get a leading apostrophe, which
 * Excel shows as text. Number cells are ours and never neutralised (a negative amount stays a number).
 * Worked example: "=cmd|' /C calc'!A0" -> "'=cmd|' /C calc'!A0"; "Иванов" -> "Иванов".
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function tableRecords(table: ViewTable, excel: boolean): string[][] {
  const style = excel ? 'excel' : 'csv';
  const line = (cells: ViewTable['rows'][number]): string[] =>
    cells.map((cell, i) => {
      const kind = table.columns[i]?.kind ?? 'text';
      const text = formatCell(cell, kind, style);
      return typeof cell === 'string' || kind === 'text' ? neutralizeFormula(text) : text;
    });
  return [
    table.columns.map((c) => neutralizeFormula(c.title)),
    ...table.rows.map(line),
    ...(table.totals ? [line(table.totals)] : []),
  ];
}

/**
 * RFC 4180 CSV (CRLF between records, fields with the separator, quotes or line breaks quoted). A report
 * with several tables writes them one after another, each with its header row, an empty line between.
 */
export function renderCsv(view: ReportView, options: CsvOptions = {}): string {
  const excel = options.excel === true;
  const body = view.tables
    .map((t) =>
      stringify(tableRecords(t, excel), {
        delimiter: excel ? ';' : ',',
        record_delimiter: 'windows',
      }),
    )
    .join('\r\n');
  return excel ? `\uFEFF${body}` : body;
}
