/**
 * Row formats of `b24lab export`: NDJSON (one JSON object per line, nothing lost) or CSV through
 * csv-stringify (RFC 4180 quoting; nested values such as multifields or UF arrays as JSON text).
 *
 * CSV needs its columns before the first row: the keys of the first row, i.e. what the portal returns
 * for the select (tasks answer camelCase for an UPPER_CASE select, so the select list itself is not
 * used). A later row's extra keys are not added; a missing key is an empty cell.
 */
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface RowFormatter {
  /** The lines for one row (the header comes before the first row). */
  format(row: Record<string, unknown>): string[];
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function rowFormatter(format: ExportFormat): RowFormatter {
  if (format === 'ndjson') return { format: (row) => [JSON.stringify(row)] };
  let columns: string[] | undefined;
  let header = false;
  return {
    format: (row) => {
      const lines: string[] = [];
      columns ??= Object.keys(row);
      if (!header) {
        header = true;
        lines.push(stringify([columns], { eof: false }));
      }
      const cols = columns;
      lines.push(stringify([cols.map((c) => cell(row[c]))], { eof: false }));
      return lines;
    },
  };
}

/** `--format`, or the `--out` file's extension, or NDJSON. */
export function pickFormat(format: string | undefined, out: string | undefined): ExportFormat {
  const chosen = (format ?? (out?.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson')).toLowerCase();
  if (chosen === 'ndjson' || chosen === 'jsonl' || chosen === 'json') return 'ndjson';
  if (chosen === 'csv') return 'csv';
  throw new UserError(`--format must be ndjson or csv, got "${format}".`);
}
