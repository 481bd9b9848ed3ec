import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { withJobEnvironment } from '../jobs/job-environment.js';
import type { RawJobOptions } from '../jobs/job-options.js';
import { parseJobOptions } from '../jobs/job-options.js';
import { runJob } from '../jobs/run-job.js';
import { renderJobResult } from '../ui/render-jobs.js';
import { jobEnvironmentOptions } from './jobs-options.js';
import { envOption } from './shared-options.js';

/** `b24lab jobs run <name>`: one run of a job, the same code path as a tick of `jobs start`. */
export function jobsRunCommand(deps: CliDeps): Command {
  const command = new Command('run')
    .description('Run one job now: sync (changes -> event rules) or control (time rules)')
    .argument('<name>', 'sync | control');
  for (const option of jobEnvironmentOptions(deps)) command.addOption(option);
  command
    .addOption(envOption(deps, '--dry-run', 'print what would be done and change nothing', 'B24LAB_DRY_RUN'))
    .addOption(
      envOption(
        deps,
        '--now <iso>',
        "evaluate time rules as of this moment (default: the portal's time)",
        'B24LAB_NOW',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--wait <seconds>',
        'wait this long for a running instance of the job (default: exit)',
        'B24LAB_JOB_WAIT',
      ),
    )
    .addOption(envOption(deps, '--json', 'print the result as JSON', 'B24LAB_JSON'))
    .action(async (name: string, raw: RawJobOptions) => {
      const options = parseJobOptions(raw);
      const result = await withJobEnvironment(
        {
          rest: options.rest,
          configDir: options.configDir,
          env: deps.env,
          clock: deps.clock,
          logger: deps.output.logger,
          version: deps.version,
        },
        (env) =>
          runJob(name, env, {
            dryRun: options.dryRun,
            waitMs: options.waitMs,
            ...(options.now !== undefined ? { now: options.now } : {}),
          }),
      );
      renderJobResult(deps.output, result, options.json);
    });
  return command;
}
