import ora from 'ora';
import type { ReportProgress } from '../reports/create-report.js';
import type { Output } from './output.js';

export interface ProgressView {
  update(progress: ReportProgress): void;
  stop(): void;
}

/** A spinner with rows read / total on a terminal; nothing otherwise (cron, CI, pipes: STYLE.md §11). */
export function reportProgress(output: Output, title: string): ProgressView {
  if (!output.interactive) return { update: () => {}, stop: () => {} };
  const spinner = ora({ text: title, stream: process.stderr }).start();
  return {
    update: (p) => {
      const of = p.total !== undefined ? ` of ${p.total}` : '';
      spinner.text = `${title}: ${p.phase} ${p.rows}${of} (${p.requests} requests)`;
    },
    stop: () => spinner.stop(),
  };
}
