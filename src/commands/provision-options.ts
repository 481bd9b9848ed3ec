import { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import type { ClientOptions } from '../rest/client.js';
import type { RestSettings } from '../rest/settings.js';
import { DEFAULT_STATE_DIR, clientOptionsFrom } from '../rest/settings.js';
import { restOptions } from './call.js';

/**
 * The options `plan`, `apply` and `pull` share, each with its B24LAB_* variable (STYLE.md §11): the
 * REST settings every command has (--portal, --rate-limit, --state; src/rest/settings.ts) and the
 * configuration directory. A variable comes from the injected environment (deps.env) as the default,
 * so flag > variable > default, in the binary and in tests alike.
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

export function provisionOptions(deps: CliDeps, withConfig = true): Option[] {
  return [
    ...(withConfig
      ? [envOption(deps, '--config <dir>', 'the configuration directory', 'B24LAB_CONFIG', 'config')]
      : []),
    ...restOptions(),
  ];
}

export type ProvisionFlags = RestSettings;

/** The client options and the state directory (where the last applied state is kept, per portal). */
export function provisionClient(
  flags: ProvisionFlags,
  deps: CliDeps,
): { options: ClientOptions; stateDir: string } {
  const options = clientOptionsFrom(flags, deps.env, deps.clock, deps.output.logger);
  return { options, stateDir: options.stateDir ?? DEFAULT_STATE_DIR };
}
