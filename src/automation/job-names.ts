/**
 * The named automation jobs. `sync` lists what changed since its checkpoint and runs the event rules
 * (created, stage entered, field changed); `control` evaluates the time rules (stayed in a stage,
 * date passed, schedules) for the records they concern.
 */
export const JOB_NAMES = ['sync', 'control'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Used when the config gives no schedule: often enough for "notify on a new request". */
export const DEFAULT_SCHEDULES: Record<JobName, string> = {
  sync: '*/5 * * * *',
  control: '7 * * * *',
};

/** The sync re-lists records modified this long before its checkpoint (late commits, clock skew). */
export const DEFAULT_OVERLAP_MINUTES = 10;
