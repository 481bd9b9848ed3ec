import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import type { RawJobOptions } from '../jobs/job-options.js';
import { parseJobOptions } from '../jobs/job-options.js';
import { serveJobs } from '../jobs/serve-jobs.js';
import { renderJobResult, renderSchedulerStarted } from '../ui/render-jobs.js';
import { jobEnvironmentOptions } from './jobs-options.js';
import { envOption } from './shared-options.js';

/** `b24lab jobs start`: run the jobs on their schedules until SIGTERM/SIGINT. */
export function jobsStartCommand(deps: CliDeps): Command {
  const command = new Command('start').description(
    'Run the jobs on their cron schedules (config automation.jobs) until stopped',
  );
  for (const option of jobEnvironmentOptions(deps)) command.addOption(option);
  command
    .addOption(
      envOption(
        deps,
        '--time-zone <tz>',
        "time zone of the schedules (default: the machine's)",
        'B24LAB_TIME_ZONE',
      ),
    )
    .action(async (raw: RawJobOptions & { timeZone?: string }) => {
      const options = parseJobOptions(raw);
      await serveJobs(
        {
          rest: options.rest,
          configDir: options.configDir,
          env: deps.env,
          clock: deps.clock,
          logger: deps.output.logger,
          version: deps.version,
          ...(raw.timeZone ? { timeZone: raw.timeZone } : {}),
        },
        deps.untilStopped,
        {
          onStarted: (jobs) => renderSchedulerStarted(deps.output, jobs),
          onResult: (result) => renderJobResult(deps.output, result, false),
        },
      );
    });
  return command;
}
