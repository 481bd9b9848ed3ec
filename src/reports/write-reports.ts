import { join } from 'node:path';
import type { B24Client } from '../rest/client.js';
import type { ReportFormat } from '../ui/report-render.js';
import { renderReport } from '../ui/report-render.js';
import type { ReportRequest } from './create-report.js';
import { createReport } from './create-report.js';
import type { ReportName } from './report-view.js';
import { isoDate } from './report-view.js';
import { writeReportFile } from './write-report.js';

export interface ReportsJobOptions {
  reports: readonly ReportName[];
  /** The folder the files go to (created when missing). */
  dir: string;
  formats: readonly Exclude<ReportFormat, 'table'>[];
  /** csv files for Russian Excel. */
  excel?: boolean;
  from?: string;
  to?: string;
  pipeline?: string;
  escalations?: ReportRequest['escalations'];
}

export interface WrittenReport {
  report: ReportName;
  file: string;
}

const EXTENSION = { csv: 'csv', json: 'json', html: 'html' } as const;

/**
 * The body of a scheduled `reports` job: each chosen report computed once and written in each format
 * as `<dir>/<report>-<last day of the period>.<ext>` (managers-2026-01-31.html), whole or not at all,
 * so a cron line such as `b24lab jobs run reports` refreshes the analysts' folder.
 */
export async function writeReports(client: B24Client, options: ReportsJobOptions): Promise<WrittenReport[]> {
  const written: WrittenReport[] = [];
  for (const name of options.reports) {
    const made = await createReport(client, {
      name,
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.pipeline !== undefined ? { pipeline: options.pipeline } : {}),
      ...(name === 'managers' && options.escalations ? { escalations: options.escalations } : {}),
    });
    const day = isoDate(made.report.period.to - 1, made.offsetMinutes);
    for (const format of options.formats) {
      const file = join(options.dir, `${name}-${day}.${EXTENSION[format]}`);
      const text = renderReport(made.report, {
        format,
        excel: format === 'csv' && options.excel === true,
        offsetMinutes: made.offsetMinutes,
        generatedAt: made.generatedAt,
      });
      writeReportFile(file, text);
      written.push({ report: name, file });
    }
  }
  return written;
}
