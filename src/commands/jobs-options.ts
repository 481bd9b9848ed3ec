import type { Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { DEFAULT_CONFIG_DIR } from '../jobs/job-options.js';
import { configOption, restOptions } from './shared-options.js';

/** The portal, the rate limit, the state directory and the config: every `jobs` command takes them. */
export function jobEnvironmentOptions(deps: CliDeps): Option[] {
  return [...restOptions(deps), configOption(deps, DEFAULT_CONFIG_DIR)];
}
