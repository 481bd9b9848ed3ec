import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { jobsListCommand } from './jobs-list.js';
import { jobsRunCommand } from './jobs-run.js';
import { jobsStartCommand } from './jobs-start.js';

/** `b24lab jobs ...`: the automation jobs (rules from config/, run by cron or the scheduler). */
export function jobsCommand(deps: CliDeps): Command {
  return new Command('jobs')
    .description('Automation jobs: run the rules of config/ against the portal (list, run, start)')
    .addCommand(jobsListCommand(deps))
    .addCommand(jobsRunCommand(deps))
    .addCommand(jobsStartCommand(deps));
}
