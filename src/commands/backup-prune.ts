import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { UserError } from '../errors.js';
import { DEFAULT_RETENTION, pruneSnapshots } from '../backup/prune-snapshots.js';
import { renderPrune } from '../ui/backup-render.js';
import { dirOption } from './backup-options.js';
import { envOption } from './shared-options.js';

function count(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new UserError(`--${name} must be a whole number, got "${value}".`);
    return n;
  };
}

/** `b24lab backup prune`: deletes the snapshots the retention policy does not keep. */
export function backupPruneCommand(deps: CliDeps): Command {
  return new Command('prune')
    .description(
      'Delete snapshots outside the retention policy (the newest, and bases of kept incrementals, always stay)',
    )
    .addOption(dirOption(deps))
    .addOption(
      envOption(
        deps,
        '--keep-daily <n>',
        'newest snapshot of each of the last N days',
        'B24LAB_BACKUP_KEEP_DAILY',
        String(DEFAULT_RETENTION.daily),
      ).argParser(count('keep-daily')),
    )
    .addOption(
      envOption(
        deps,
        '--keep-weekly <n>',
        'newest of each of the last N weeks',
        'B24LAB_BACKUP_KEEP_WEEKLY',
        String(DEFAULT_RETENTION.weekly),
      ).argParser(count('keep-weekly')),
    )
    .addOption(
      envOption(
        deps,
        '--keep-monthly <n>',
        'newest of each of the last N months',
        'B24LAB_BACKUP_KEEP_MONTHLY',
        String(DEFAULT_RETENTION.monthly),
      ).argParser(count('keep-monthly')),
    )
    .addOption(new Option('--dry-run', 'show what would be deleted, delete nothing'))
    .addOption(new Option('--json', 'print the result as JSON'))
    .action(
      async (raw: {
        dir: string;
        keepDaily: number | string;
        keepWeekly: number | string;
        keepMonthly: number | string;
        dryRun?: boolean;
        json?: boolean;
      }) => {
        const result = await pruneSnapshots(
          raw.dir,
          {
            daily: count('keep-daily')(String(raw.keepDaily)),
            weekly: count('keep-weekly')(String(raw.keepWeekly)),
            monthly: count('keep-monthly')(String(raw.keepMonthly)),
          },
          deps.clock.now(),
          { dryRun: raw.dryRun === true },
        );
        renderPrune(deps.output, result, raw.json === true);
      },
    );
}
