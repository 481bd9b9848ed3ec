import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { listSnapshots } from '../backup/list-snapshots.js';
import { renderSnapshotList } from '../ui/backup-render.js';
import { dirOption } from './backup-options.js';

/** `b24lab backup list`: the snapshots under the backup root, oldest first. */
export function backupListCommand(deps: CliDeps): Command {
  return new Command('list')
    .description('List the snapshots under the backup root (interrupted ones marked)')
    .addOption(dirOption(deps))
    .addOption(new Option('--json', 'print the list as JSON'))
    .action(async (raw: { dir: string; json?: boolean }) => {
      renderSnapshotList(deps.output, await listSnapshots(raw.dir), raw.json === true);
    });
}
