import chalk, { Chalk } from 'chalk';
import ora from 'ora';
import type { ExportResult } from '../export/run-export.js';
import type { ListProgress } from '../rest/list.js';
import type { Output } from './output.js';

/** A progress line (rows of total, requests) on a terminal; nothing otherwise (cron logs stay clean). */
export function exportProgress(
  output: Output,
  entity: string,
): { update: (p: ListProgress) => void; stop: () => void } {
  if (!output.interactive) return { update: () => {}, stop: () => {} };
  const spinner = ora({ text: `${entity}: starting`, stream: process.stderr }).start();
  return {
    update: (p) => {
      const of = p.total !== undefined ? ` of ${p.total.toLocaleString('en-US')}` : '';
      const pct = p.total ? ` (${Math.floor((p.rows / p.total) * 100)}%)` : '';
      spinner.text = `${entity}: ${p.rows.toLocaleString('en-US')}${of} rows${pct}, ${p.requests} requests`;
    },
    stop: () => spinner.stop(),
  };
}

/** The summary goes to stderr (stdout may carry the rows); with --json, one JSON object instead. */
export function renderExportDone(output: Output, result: ExportResult, json: boolean): void {
  if (json) {
    output.err(JSON.stringify(result));
    return;
  }
  const paint = output.interactive ? chalk : new Chalk({ level: 0 });
  const rate =
    result.seconds > 0 ? `, ${Math.round(result.rows / result.seconds).toLocaleString('en-US')} rows/s` : '';
  output.err(
    `${paint.green('exported')} ${result.rows.toLocaleString('en-US')} ${result.entity} (${result.format}) ` +
      `in ${result.requests} requests, ${result.seconds.toFixed(1)} s${rate}${result.out ? ` -> ${result.out}` : ''}`,
  );
}
