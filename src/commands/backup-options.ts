import { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import type { ClientSettings } from '../backup/run-backup.js';
import { resolveConnection } from '../rest/connection.js';

/**
 * An option with its B24LAB_* variable (STYLE.md §11). The value comes from the injected environment
 * (deps.env: process.env in the binary, a fake in tests) as the default, so flag > variable > default.
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

export function clientOptions(deps: CliDeps): Option[] {
  return [
    // The portal is read by resolveConnection from deps.env (B24LAB_PORTAL or the B24LAB_OAUTH_* set).
    new Option('--portal <webhook>', 'the portal: an inbound webhook URL [env: B24LAB_PORTAL]'),
    envOption(
      deps,
      '--rate-limit <plan>',
      'standard (50/2 per s), enterprise (250/5), off (box), or BURST/DRAIN',
      'B24LAB_RATE_LIMIT',
    ),
    envOption(deps, '--state-dir <dir>', 'where the shared rate-limit bucket lives', 'B24LAB_STATE_DIR'),
  ];
}

export function clientSettings(
  raw: { portal?: string; rateLimit?: string; stateDir?: string },
  deps: CliDeps,
): ClientSettings {
  return {
    connection: resolveConnection(raw.portal, deps.env),
    ...(raw.rateLimit !== undefined ? { rateLimit: raw.rateLimit } : {}),
    ...(raw.stateDir !== undefined ? { stateDir: raw.stateDir } : {}),
  };
}
