import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { createClient } from '../rest/client.js';
import { DEFAULT_STATE_DIR, clientOptionsFrom } from '../rest/settings.js';
import { createReport } from '../reports/create-report.js';
import { escalationRulesOf, readLedgerEscalations, readReportConfig } from '../reports/read-ledger.js';
import { parseReportOptions } from '../reports/report-options.js';
import { REPORT_NAMES } from '../reports/report-view.js';
import { writeReportFile } from '../reports/write-report.js';
import { reportProgress } from '../ui/report-progress.js';
import { renderReport } from '../ui/report-render.js';
import { jobEnvironmentOptions } from './jobs-options.js';
import { envOption } from './shared-options.js';

/** Every option with its environment variable (STYLE.md §11) and default. */
const OPTIONS: [flags: string, description: string, env: string, fallback?: string][] = [
  ['--from <date>', 'period start, YYYY-MM-DD (default: the 1st of this month)', 'B24LAB_REPORT_FROM'],
  ['--to <date>', 'period end, YYYY-MM-DD, included (default: now)', 'B24LAB_REPORT_TO'],
  ['--pipeline <name>', 'one pipeline (projects: one direction), by name or id', 'B24LAB_REPORT_PIPELINE'],
  [
    '--format <format>',
    'table | csv | json | html (default: table, or by --out extension)',
    'B24LAB_REPORT_FORMAT',
  ],
  ['--excel', 'csv for Russian Excel: UTF-8 BOM, ";" and decimal commas', 'B24LAB_REPORT_EXCEL'],
  ['--out <file>', 'write to a file instead of stdout', 'B24LAB_REPORT_OUT'],
  [
    '--control-limit-days <days>',
    'days in a stage before a deal is over the limit',
    'B24LAB_CONTROL_LIMIT_DAYS',
    '15',
  ],
  [
    '--escalation-rules <ids>',
    'ids of the escalating rules (default: from --config)',
    'B24LAB_ESCALATION_RULES',
  ],
];

/** `b24lab report <name>`: managers, receivables, funnel, projects, streamed from the portal. */
export function reportCommand(deps: CliDeps): Command {
  const command = new Command('report')
    .description(`Compute a report from the portal: ${REPORT_NAMES.join(', ')}`)
    .argument('<name>', REPORT_NAMES.join(' | '));
  for (const option of jobEnvironmentOptions(deps)) command.addOption(option);
  for (const [flags, text, env, fallback] of OPTIONS)
    command.addOption(envOption(deps, flags, text, env, fallback));
  return command.action(async (name: string, raw: Record<string, unknown>) => {
    const options = parseReportOptions(name, raw);
    const clientOptions = clientOptionsFrom(options.rest, deps.env, deps.clock, deps.output.logger);
    const client = createClient(clientOptions);
    const progress = reportProgress(deps.output, `report ${options.name}`);
    try {
      const config = readReportConfig(options.configDir);
      const rules = options.escalationRules.length > 0 ? options.escalationRules : escalationRulesOf(config);
      const state = clientOptions.stateDir ?? DEFAULT_STATE_DIR;
      const escalations = options.name === 'managers' ? readLedgerEscalations(state, rules) : [];
      const made = await createReport(client, {
        ...options,
        ...(config ? { config } : {}),
        escalations,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      const color = deps.output.interactive && options.out === undefined;
      const text = renderReport(made.report, { ...options, color, ...made });
      if (options.out === undefined) deps.output.out(text);
      else writeReportFile(options.out, text);
      deps.output.logger.info('report done', { report: options.name, ...client.stats() });
    } finally {
      progress.stop();
      client.close();
    }
  });
}
