import type { ReportView, ViewChart, ViewTable } from '../reports/report-view.js';
import { cellNumber, formatCell } from './report-cells.js';

/**
 * One self-contained HTML file: inline CSS, tables and inline SVG bar charts, no scripts, fonts or
 * images from anywhere, so it opens offline and can be mailed. Each bar carries its number in
 * `data-value` (as the CSV prints it) so a check can compare the picture with the spreadsheet.
 */
export function renderHtml(view: ReportView, options: { generatedAt: string }): string {
  const title = `${view.title}, ${view.periodLabel}`;
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#1d2b36;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#6a737f;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-bottom:8px}
th,td{border:1px solid #dfe3e8;padding:4px 8px;white-space:nowrap}
th{background:#f2f5f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f8fafb}
svg{display:block;margin-bottom:8px}svg text{font-size:12px;fill:#1d2b36}
svg .group{font-weight:bold}
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">Generated ${esc(options.generatedAt)} by b24lab</p>
${view.charts.map(chartHtml).join('\n')}
${view.tables.map(tableHtml).join('\n')}
</body>
</html>
`;
}

export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function tableHtml(table: ViewTable): string {
  const cell = (c: ViewTable['rows'][number][number], i: number): string => {
    const kind = table.columns[i]?.kind ?? 'text';
    const cls = kind === 'text' || typeof c === 'string' ? '' : ' class="n"';
    return `<td${cls}>${esc(formatCell(c, kind, 'human'))}</td>`;
  };
  const rows = table.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`);
  if (table.totals) rows.push(`<tr class="total">${table.totals.map(cell).join('')}</tr>`);
  return `<section id="table-${esc(table.id)}">
<h2>${esc(table.title)}</h2>
<table>
<thead><tr>${table.columns.map((c) => `<th>${esc(c.title)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

const BAR_H = 20;
const GAP = 6;
const LABEL_W = 220;
const BAR_W = 420;
const VALUE_W = 130;
const PALETTE = ['#2fc6f6', '#9dcf00', '#ffa900', '#ff5752', '#8b74f0', '#00b4ac'];

function chartHtml(chart: ViewChart): string {
  const max = Math.max(0, ...chart.bars.map((b) => b.value));
  const parts: string[] = [];
  let y = 0;
  let group: string | undefined;
  let groupIndex = -1;
  for (const bar of chart.bars) {
    if (bar.group !== undefined && bar.group !== group) {
      group = bar.group;
      groupIndex++;
      parts.push(`<text class="group" x="0" y="${y + 14}">${esc(group)}</text>`);
      y += BAR_H + GAP;
    }
    const width = max > 0 ? Math.max(1, Math.round((bar.value / max) * BAR_W)) : 1;
    const color = PALETTE[Math.max(0, groupIndex) % PALETTE.length] ?? '#2fc6f6';
    const shown = formatCell(bar.value, chart.kind, 'human');
    const value = cellNumber(bar.value, chart.kind) ?? bar.value;
    parts.push(
      `<g class="bar" data-label="${esc(bar.label)}" data-value="${value}">` +
        `<text x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end">${esc(clip(bar.label))}</text>` +
        `<rect x="${LABEL_W}" y="${y}" width="${width}" height="${BAR_H}" rx="3" fill="${color}"/>` +
        `<text x="${LABEL_W + width + 6}" y="${y + 14}">${esc(shown)}</text></g>`,
    );
    y += BAR_H + GAP;
  }
  if (chart.bars.length === 0) {
    parts.push(`<text x="0" y="14">(no data)</text>`);
    y = BAR_H + GAP;
  }
  const w = LABEL_W + BAR_W + VALUE_W;
  return `<section id="chart-${esc(chart.id)}">
<h2>${esc(chart.title)}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${y}" viewBox="0 0 ${w} ${y}" role="img" aria-label="${esc(chart.title)}">
${parts.join('\n')}
</svg>
</section>`;
}

function clip(label: string): string {
  return label.length > 32 ? `${label.slice(0, 31)}…` : label;
}
