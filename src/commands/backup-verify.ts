import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { UserError } from '../errors.js';
import { runBackupVerify } from '../backup/run-backup.js';
import { renderVerify } from '../ui/backup-render.js';
import { dirOption } from './backup-options.js';

/** `b24lab backup verify <snapshot>`: checksums, counts and the chain of incrementals. Exit 1 on failure. */
export function backupVerifyCommand(deps: CliDeps): Command {
  return new Command('verify')
    .description('Check a snapshot against its manifest, and the chain of snapshots it builds on')
    .argument('<snapshot>', 'a snapshot directory, or its name under --dir')
    .addOption(dirOption(deps))
    .addOption(new Option('--json', 'print the result as JSON'))
    .action(async (snapshot: string, raw: { dir: string; json?: boolean }) => {
      const result = await runBackupVerify(snapshot, raw.dir);
      renderVerify(deps.output, result, raw.json === true);
      if (!result.ok)
        throw new UserError(
          `${result.snapshot} failed verification.`,
          'Do not restore from it; run a new backup.',
        );
    });
}
