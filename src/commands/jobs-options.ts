import { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { DEFAULT_CONFIG_DIR } from '../jobs/job-options.js';

/**
 * An option whose default comes from its B24LAB_* variable in the injected environment (deps.env:
 * process.env in the binary, a fake in tests): flag > variable > default (STYLE.md §11).
 */
export function jobOption(
  deps: CliDeps,
  flags: string,
  description: string,
  variable: string,
  fallback?: string,
): Option {
  const option = new Option(flags, `${description} [env: ${variable}]`);
  const value = deps.env[variable]?.trim();
  if (value) option.default(option.isBoolean() ? /^(1|true|yes|y)$/i.test(value) : value);
  else if (fallback !== undefined) option.default(fallback);
  return option;
}

/** The portal, the rate limit, the state directory and the config: every `jobs` command takes them. */
export function jobEnvironmentOptions(deps: CliDeps): Option[] {
  return [
    // Read by resolveConnection from deps.env when absent (B24LAB_PORTAL or the B24LAB_OAUTH_* set).
    new Option('--portal <url>', 'the portal: an inbound webhook URL [env: B24LAB_PORTAL]'),
    jobOption(
      deps,
      '--rate-limit <plan>',
      'standard (50/2 per s), enterprise (250/5), off (box), or BURST/DRAIN',
      'B24LAB_RATE_LIMIT',
    ),
    jobOption(
      deps,
      '--state <dir>',
      'state directory: checkpoints, ledger, locks (default .b24lab)',
      'B24LAB_STATE',
    ),
    jobOption(deps, '--config <dir>', 'the configuration directory', 'B24LAB_CONFIG', DEFAULT_CONFIG_DIR),
  ];
}
