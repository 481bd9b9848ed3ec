/**
 * The named jobs. `sync` lists what changed since its checkpoint and runs the event rules (created,
 * stage entered, field changed); `control` evaluates the time rules (stayed in a stage, date passed,
 * schedules) for the records they concern. `backup` (create, verify, prune) and `reports` (write the
 * chosen reports to a folder) are maintenance jobs: no rules, the same lock, runner and scheduler.
 */
export const RULE_JOB_NAMES = ['sync', 'control'] as const;
export const MAINTENANCE_JOB_NAMES = ['backup', 'reports'] as const;
export const JOB_NAMES = [...RULE_JOB_NAMES, ...MAINTENANCE_JOB_NAMES] as const;
export type JobName = (typeof JOB_NAMES)[number];
export type RuleJobName = (typeof RULE_JOB_NAMES)[number];
export type MaintenanceJobName = (typeof MAINTENANCE_JOB_NAMES)[number];

export const isMaintenanceJob = (name: JobName): name is MaintenanceJobName =>
  (MAINTENANCE_JOB_NAMES as readonly string[]).includes(name);

/** Used when the config gives no schedule: often enough for "notify on a new request"; backups nightly. */
export const DEFAULT_SCHEDULES: Record<JobName, string> = {
  sync: '*/5 * * * *',
  control: '7 * * * *',
  backup: '30 2 * * *',
  reports: '0 7 * * 1',
};

/** The sync re-lists records modified this long before its checkpoint (late commits, clock skew). */
export const DEFAULT_OVERLAP_MINUTES = 10;
