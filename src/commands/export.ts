import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { EXPORT_ENTITIES } from '../export/export-entities.js';
import type { ExportFlags } from '../export/export-flags.js';
import { parseExportFlags } from '../export/export-flags.js';
import { runExport } from '../export/run-export.js';
import { clientOptionsFrom } from '../rest/settings.js';
import type { RestSettings } from '../rest/settings.js';
import { exportProgress, renderExportDone } from '../ui/render-export.js';
import { restOptions } from './shared-options.js';

/** `b24lab export <entity>`: every row of an entity as NDJSON or CSV, 2,500 rows per request. */
export function exportCommand(deps: CliDeps): Command {
  const command = new Command('export')
    .description('Stream every row of an entity as NDJSON or CSV to stdout or a file')
    .argument('<entity>', EXPORT_ENTITIES.map((e) => e.name).join(', '));
  for (const option of restOptions(deps)) command.addOption(option);
  command
    .addOption(
      new Option('--format <format>', 'ndjson or csv (default: from --out, else ndjson)').env(
        'B24LAB_EXPORT_FORMAT',
      ),
    )
    .addOption(new Option('--out <file>', 'write to a file instead of stdout'))
    .addOption(new Option('--type <entityTypeId>', 'the CRM type for items (a smart process: crm.type.list)'))
    .addOption(new Option('--select <fields>', 'comma-separated fields to ask for'))
    .addOption(
      new Option('--filter <expr...>', "server-side filter: JSON or key=value pairs ('STAGE_ID=NEW')"),
    )
    .addOption(new Option('--limit <rows>', 'stop after this many rows'))
    .addOption(new Option('--json', 'print the summary as JSON on stderr'))
    .action(async (entity: string, raw: RestSettings & ExportFlags & { json?: boolean }) => {
      const request = parseExportFlags(entity, raw);
      const progress = exportProgress(deps.output, request.entity);
      try {
        const result = await runExport(request, {
          client: clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger),
          clock: deps.clock,
          stdout: (line) => deps.output.out(line),
          onProgress: progress.update,
        });
        progress.stop();
        renderExportDone(deps.output, result, raw.json === true);
      } finally {
        progress.stop();
      }
    });
  return command;
}
