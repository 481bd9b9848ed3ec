/**
 * The body of `b24lab jobs start`: one environment (config, REST client, state database) for the
 * scheduler's lifetime; every tick is `runJob` — the same call as `jobs run` — with no wait for a lock
 * (a tick never queues behind another process's run). When `until` resolves (SIGTERM, SIGINT), the
 * schedules stop, runs in progress are asked to stop between two actions (never between a REST call
 * and its ledger write), and the scheduler returns once they have.
 */
import { UserError } from '../errors.js';
import { DEFAULT_SCHEDULES, JOB_NAMES } from '../automation/job-names.js';
import type { EnvironmentSettings } from './job-environment.js';
import { withJobEnvironment } from './job-environment.js';
import type { ScheduledJob } from './job-scheduler.js';
import { startScheduler } from './job-scheduler.js';
import type { JobResult } from './run-job.js';
import { runJob } from './run-job.js';

export interface ServeHooks {
  onStarted(jobs: { name: string; schedule: string; next: string }[]): void;
  onResult(result: JobResult): void;
}

export async function serveJobs(
  settings: EnvironmentSettings & { timeZone?: string },
  until: () => Promise<void>,
  hooks: ServeHooks,
): Promise<void> {
  await withJobEnvironment(settings, async (env) => {
    const jobsConfig = env.config.automation?.jobs ?? {};
    const jobs: ScheduledJob[] = JOB_NAMES.filter((name) => jobsConfig[name]?.enabled !== false).map(
      (name) => ({
        name,
        schedule: jobsConfig[name]?.schedule ?? DEFAULT_SCHEDULES[name],
      }),
    );
    if (jobs.length === 0) {
      throw new UserError('Every job is disabled in the configuration.', 'Enable one under automation.jobs.');
    }
    const stopping = new AbortController();
    const scheduler = startScheduler(
      jobs,
      async (name) => {
        try {
          hooks.onResult(await runJob(name, env, { waitMs: 0, signal: stopping.signal }));
        } catch (e) {
          // Cut short by the shutdown between two actions: nothing is lost, the next start resumes.
          if (!stopping.signal.aborted) throw e;
          env.logger.info('a run was stopped by the shutdown', { job: name });
        }
      },
      env.logger,
      settings.timeZone,
    );
    hooks.onStarted(scheduler.next());
    await until();
    env.logger.info('stopping: waiting for runs in progress', {});
    stopping.abort(new Error('the scheduler is stopping'));
    await scheduler.stop();
  });
}
