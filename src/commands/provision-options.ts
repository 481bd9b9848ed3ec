import type { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import type { ClientOptions } from '../rest/client.js';
import type { RestSettings } from '../rest/settings.js';
import { DEFAULT_STATE_DIR, clientOptionsFrom } from '../rest/settings.js';
import { configOption, restOptions } from './shared-options.js';

export { envOption } from './shared-options.js';

/**
 * The options `plan`, `apply` and `pull` share, each with its B24LAB_* variable (STYLE.md §11): the
 * REST settings every command has (--portal, --rate-limit, --state; src/rest/settings.ts) and the
 * configuration directory.
 */
export function provisionOptions(deps: CliDeps, withConfig = true): Option[] {
  return [...(withConfig ? [configOption(deps)] : []), ...restOptions(deps)];
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
