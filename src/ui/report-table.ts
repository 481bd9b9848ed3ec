import chalk from 'chalk';
import type { ReportView, ViewTable } from '../reports/report-view.js';
import { formatCell } from './report-cells.js';

/** The terminal view: one aligned text table per report table; numbers right-aligned. */
export function renderTable(view: ReportView, options: { color?: boolean } = {}): string {
  const paint = options.color
    ? { title: chalk.bold, head: chalk.cyan, total: chalk.bold, dim: chalk.gray }
    : { title: id, head: id, total: id, dim: id };
  const out: string[] = [paint.title(`${view.title}, ${view.periodLabel}`)];
  for (const table of view.tables) {
    out.push('', paint.title(table.title), ...tableLines(table, paint));
  }
  return out.join('\n');
}

const id = (s: string): string => s;

function tableLines(
  table: ViewTable,
  paint: { head: (s: string) => string; total: (s: string) => string; dim: (s: string) => string },
): string[] {
  const text = (cells: ViewTable['rows'][number]): string[] =>
    cells.map((c, i) => formatCell(c, table.columns[i]?.kind ?? 'text', 'human'));
  const body = table.rows.map(text);
  const totals = table.totals ? text(table.totals) : undefined;
  const head = table.columns.map((c) => c.title);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((r) => (r[i] ?? '').length), (totals?.[i] ?? '').length),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        table.columns[i]?.kind === 'text' ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = paint.dim(widths.map((w) => '─'.repeat(w)).join('  '));
  const lines = [paint.head(line(head)), rule, ...body.map(line)];
  if (body.length === 0) lines.push(paint.dim('(no rows)'));
  if (totals) lines.push(rule, paint.total(line(totals)));
  return lines;
}
