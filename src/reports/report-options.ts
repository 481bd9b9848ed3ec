import { UserError } from '../errors.js';
import type { RestSettings } from '../rest/settings.js';
import type { ReportFormat } from '../ui/report-render.js';
import { REPORT_FORMATS } from '../ui/report-render.js';
import type { ReportName } from './report-view.js';
import { REPORT_NAMES } from './report-view.js';

export interface ReportOptions {
  name: ReportName;
  from?: string;
  to?: string;
  pipeline?: string;
  format: ReportFormat;
  excel: boolean;
  out?: string;
  /** --portal, --rate-limit, --state as every REST command takes them (src/rest/settings.ts). */
  rest: RestSettings;
  configDir: string;
  controlLimitDays: number;
  /** Empty: the configuration's escalating rules. */
  escalationRules: string[];
}

const EXTENSION_FORMAT: Record<string, ReportFormat> = {
  csv: 'csv',
  html: 'html',
  htm: 'html',
  json: 'json',
};

/**
 * Validates the raw commander values (flags or B24LAB_* variables). Without `--format`, an `--out`
 * file's extension chooses it (report.html -> html); `--excel` implies csv.
 */
export function parseReportOptions(name: string, raw: Record<string, unknown>): ReportOptions {
  const problems: string[] = [];
  if (!(REPORT_NAMES as readonly string[]).includes(name)) {
    problems.push(`unknown report "${name}" (known: ${REPORT_NAMES.join(', ')})`);
  }
  const text = (key: string): string | undefined => {
    const v = raw[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const out = text('out');
  const excel = raw.excel === true || raw.excel === 'true' || raw.excel === '1';
  const extension = out?.toLowerCase().split('.').pop() ?? '';
  const format = text('format') ?? (excel ? 'csv' : (EXTENSION_FORMAT[extension] ?? 'table'));
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    problems.push(`--format "${format}" is not one of ${REPORT_FORMATS.join(', ')}`);
  }
  if (excel && format !== 'csv') problems.push('--excel goes with --format csv');
  const limit = Number(text('controlLimitDays') ?? '15');
  if (!Number.isFinite(limit) || limit <= 0) problems.push('--control-limit-days must be a positive number');
  if (problems.length > 0) {
    throw new UserError(
      `Bad report options: ${problems.join('; ')}.`,
      'Run `b24lab report --help` for usage.',
    );
  }
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    name: name as ReportName,
    ...optional('from', text('from')),
    ...optional('to', text('to')),
    ...optional('pipeline', text('pipeline')),
    ...optional('out', out),
    format: format as ReportFormat,
    excel,
    rest: {
      ...optional('portal', text('portal')),
      ...optional('rateLimit', text('rateLimit')),
      ...optional('state', text('state')),
    },
    configDir: text('config') ?? 'config',
    controlLimitDays: limit,
    escalationRules: (text('escalationRules') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
