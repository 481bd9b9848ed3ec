import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { loadJobConfig } from '../jobs/job-environment.js';
import type { RawJobOptions } from '../jobs/job-options.js';
import { parseJobOptions, stateDirOf } from '../jobs/job-options.js';
import { listJobs } from '../jobs/list-jobs.js';
import { renderJobList } from '../ui/render-jobs.js';
import { envOption } from './shared-options.js';

/** `b24lab jobs list`: the jobs, their schedules and rules, and how their last runs went here. */
export function jobsListCommand(deps: CliDeps): Command {
  return new Command('list')
    .description('List the jobs with their schedules, rules and last runs')
    .addOption(envOption(deps, '--state <dir>', 'state directory (default .b24lab)', 'B24LAB_STATE'))
    .addOption(envOption(deps, '--config <dir>', 'the configuration directory', 'B24LAB_CONFIG', 'config'))
    .addOption(envOption(deps, '--json', 'print the list as JSON', 'B24LAB_JSON'))
    .action((raw: RawJobOptions) => {
      const options = parseJobOptions(raw);
      const jobs = listJobs(loadJobConfig(options.configDir), stateDirOf(options.rest, deps.env));
      renderJobList(deps.output, jobs, options.json);
    });
}
