import type { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { envOption } from './shared-options.js';

/** The backup root, where snapshots live: every `backup` command and `restore` take it. */
export function dirOption(deps: CliDeps): Option {
  return envOption(
    deps,
    '--dir <dir>',
    'the backup root, where snapshots live',
    'B24LAB_BACKUP_DIR',
    'backups',
  );
}
