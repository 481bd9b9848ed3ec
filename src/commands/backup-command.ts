import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { backupCreateCommand } from './backup-create.js';
import { backupListCommand } from './backup-list.js';
import { backupPruneCommand } from './backup-prune.js';
import { backupVerifyCommand } from './backup-verify.js';

/** `b24lab backup ...`: create, list, verify, prune. */
export function backupCommand(deps: CliDeps): Command {
  return new Command('backup')
    .description('Snapshots of the portal over REST: create, list, verify, prune')
    .addCommand(backupCreateCommand(deps))
    .addCommand(backupListCommand(deps))
    .addCommand(backupVerifyCommand(deps))
    .addCommand(backupPruneCommand(deps));
}
