/**
 * `b24lab jobs start`: a long-running scheduler. Each enabled job gets a cron schedule (from config,
 * else the default); each tick calls the same function as `jobs run` (the caller's `runTick`). A tick
 * that comes while the job's previous run is still going is skipped, not queued: the next tick picks up
 * whatever the skipped one would have (checkpoints and the ledger make runs cumulative). `stop()` ends
 * the schedules and waits for the runs in progress to finish, so SIGTERM never cuts a run between a
 * REST call and its ledger write.
 */
import { CronJob } from 'cron';
import type { Logger } from '../ui/logger.js';

export interface ScheduledJob {
  name: string;
  schedule: string;
}

export interface Scheduler {
  /** Next fire time of each job (ISO), for the start message. */
  next(): { name: string; schedule: string; next: string }[];
  stop(): Promise<void>;
}

export function startScheduler(
  jobs: ScheduledJob[],
  runTick: (name: string) => Promise<void>,
  logger: Logger,
  timeZone?: string,
): Scheduler {
  const running = new Map<string, Promise<void>>();
  const crons = jobs.map((job) =>
    CronJob.from({
      cronTime: job.schedule,
      ...(timeZone ? { timeZone } : {}),
      start: true,
      onTick: () => {
        if (running.has(job.name)) {
          logger.warn('skipped a tick: the previous run is still going', { job: job.name });
          return;
        }
        const run = runTick(job.name)
          .catch((e: unknown) => {
            // The scheduler outlives a failed run: report it and wait for the next tick.
            logger.error('job run failed', {
              job: job.name,
              error: e instanceof Error ? e.message : String(e),
            });
          })
          .finally(() => running.delete(job.name));
        running.set(job.name, run);
      },
    }),
  );
  return {
    next: () =>
      jobs.map((job, i) => ({
        name: job.name,
        schedule: job.schedule,
        next: crons[i]?.nextDate().toISO() ?? '',
      })),
    stop: async () => {
      for (const c of crons) await c.stop();
      await Promise.all([...running.values()]);
    },
  };
}
