import { Option } from 'commander';
import type { CliDeps } from '../cli.js';

/**
 * An option with its B24LAB_* variable (STYLE.md §11). The value comes from the injected environment
 * (deps.env: process.env in the binary, a fake in tests) as the default, so flag > variable > default.
 * The portal, rate limit and state directory are the shared REST options (commands/call.ts restOptions).
 */
export function envOption(
  deps: CliDeps,
  flags: string,
  description: string,
  variable: string,
  fallback?: string,
): Option {
  const option = new Option(flags, `${description} [env: ${variable}]`);
  const value = deps.env[variable]?.trim();
  if (value)
    option.default(option.isBoolean() ? ['1', 'true', 'yes', 'y'].includes(value.toLowerCase()) : value);
  else if (fallback !== undefined) option.default(fallback);
  return option;
}

export function dirOption(deps: CliDeps): Option {
  return envOption(
    deps,
    '--dir <dir>',
    'the backup root, where snapshots live',
    'B24LAB_BACKUP_DIR',
    'backups',
  );
}
