import { Option } from 'commander';
import type { CliDeps } from '../cli.js';

/**
 * An option with its B24LAB_* variable (STYLE.md §11). The value comes from the injected environment
 * (deps.env: process.env in the binary, a fake in tests) as the default, so flag > variable > default,
 * in the binary and in tests alike. `--help` names the variable, never its value: a variable may hold
 * a webhook URL, whose path is the secret token.
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
  if (value) {
    const parsed = option.isBoolean() ? ['1', 'true', 'yes', 'y'].includes(value.toLowerCase()) : value;
    option.default(parsed, `$${variable}`);
  } else if (fallback !== undefined) option.default(fallback);
  return option;
}

/**
 * The portal, the rate limit and the state directory: every command that talks REST takes them
 * (src/rest/settings.ts resolves them). `--portal` has no default here: clientOptionsFrom reads
 * B24LAB_PORTAL, or the B24LAB_OAUTH_* set, from deps.env when the flag is absent.
 */
export function restOptions(deps: CliDeps): Option[] {
  return [
    new Option(
      '--portal <url>',
      'the portal: an inbound webhook URL [env: B24LAB_PORTAL; OAuth: B24LAB_OAUTH_* variables]',
    ),
    envOption(
      deps,
      '--rate-limit <plan>',
      'standard (50/2 per s), enterprise (250/5), off (box), or BURST/DRAIN',
      'B24LAB_RATE_LIMIT',
    ),
    envOption(
      deps,
      '--state <dir>',
      'state directory: the rate-limit bucket shared by b24lab processes, OAuth tokens, checkpoints, ledger (default .b24lab)',
      'B24LAB_STATE',
    ),
  ];
}

/** The configuration directory (plan, apply, jobs, reports, doctor). */
export function configOption(deps: CliDeps, fallback = 'config'): Option {
  return envOption(deps, '--config <dir>', 'the configuration directory', 'B24LAB_CONFIG', fallback);
}
