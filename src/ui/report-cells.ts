import type { ColumnKind, ViewCell } from '../reports/report-view.js';

/**
 * How a report cell prints in each output:
 * - `human` (terminal, html): Russian number style, as the portal shows it: 1 234 567,5; 66,7 %;
 * - `csv`: plain numbers for programs: 1234567.5; 66.7 (percent columns say "%" in the title);
 * - `excel`: as Russian Excel reads them: 1234567,5; 66,7.
 * Worked example (money 1234567.5): human "1 234 567,50", csv "1234567.5", excel "1234567,5".
 */
export type CellStyle = 'human' | 'csv' | 'excel';

const human = {
  money: new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  one: new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  int: new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 }),
};

/** Rounds to `digits` decimals without binary noise (0.1 + 0.2 -> 0.3). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f + (x >= 0 ? 1e-9 : -1e-9)) / f;
}

/** The number a cell shows (percent as 0-100), rounded as printed; null for an empty or text cell. */
export function cellNumber(cell: ViewCell, kind: ColumnKind): number | null {
  if (typeof cell !== 'number' || kind === 'text') return null;
  switch (kind) {
    case 'percent':
      return round(cell * 100, 1);
    case 'days':
      return round(cell, 1);
    case 'money':
      return round(cell, 2);
    case 'int':
      return Math.round(cell);
  }
}

export function formatCell(cell: ViewCell, kind: ColumnKind, style: CellStyle): string {
  if (cell === null) return style === 'human' ? '—' : '';
  if (typeof cell === 'string' || kind === 'text') return String(cell);
  const n = cellNumber(cell, kind) ?? cell;
  if (style === 'csv') return String(n);
  if (style === 'excel') return String(n).replace('.', ',');
  // Intl groups with a no-break space; a plain space keeps terminals and copy-paste simple.
  const grouped = (f: Intl.NumberFormat): string => f.format(n).replace(/[\u00a0\u202f]/g, ' ');
  switch (kind) {
    case 'money':
      return grouped(human.money);
    case 'percent':
      return `${grouped(human.one)} %`;
    case 'days':
      return grouped(human.one);
    case 'int':
      return grouped(human.int);
  }
}
