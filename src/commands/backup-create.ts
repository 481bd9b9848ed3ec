import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { runBackupCreate } from '../backup/run-backup.js';
import { backupProgress, renderBackupCreated } from '../ui/backup-render.js';
import { clientOptionsFrom } from '../rest/settings.js';
import type { RestSettings } from '../rest/settings.js';
import { envOption, restOptions } from './shared-options.js';

/** `b24lab backup create`: a full or incremental snapshot of the portal's data over REST. */
export function backupCreateCommand(deps: CliDeps): Command {
  const command = new Command('create').description(
    'Back up the portal over REST into a new snapshot directory',
  );
  for (const option of restOptions(deps)) command.addOption(option);
  command
    .addOption(
      envOption(deps, '--out <dir>', 'the backup root to write into', 'B24LAB_BACKUP_DIR', 'backups'),
    )
    .addOption(
      envOption(
        deps,
        '--incremental',
        'only what changed since the newest snapshot',
        'B24LAB_BACKUP_INCREMENTAL',
      ),
    )
    .addOption(new Option('--json', 'print the result as JSON'))
    .action(async (raw: RestSettings & { out: string; incremental?: boolean; json?: boolean }) => {
      const json = raw.json === true;
      const progress = backupProgress(deps.output, json);
      try {
        const result = await runBackupCreate({
          client: clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger),
          root: raw.out,
          kind: raw.incremental ? 'incremental' : 'full',
          version: deps.version,
          clock: deps.clock,
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        renderBackupCreated(deps.output, result, json);
      } finally {
        progress.stop();
      }
    });
  return command;
}
