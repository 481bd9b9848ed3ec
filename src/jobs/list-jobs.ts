import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LabConfig } from '../config/config-sections.js';
import { DEFAULT_SCHEDULES, JOB_NAMES } from '../automation/job-names.js';
import { isEventTrigger } from '../automation/rule-schema.js';
import type { LockHolder } from '../state/job-locks.js';
import { openStateDb, STATE_FILE } from '../state/state-db.js';
import { lastRunKey } from './run-job.js';

export interface JobInfo {
  name: string;
  description: string;
  schedule: string;
  scheduleFrom: 'config' | 'default';
  enabled: boolean;
  /** Ids of the enabled rules the job runs. */
  rules: string[];
  lastRun?: { at: string; durationMs: number; counts: Record<string, number> };
  /** A run holding the job's lock right now. */
  running?: LockHolder;
}

const DESCRIPTIONS: Record<string, string> = {
  sync: 'Detect created, moved and changed records since the last run; run the event rules',
  control: 'Run the time rules: stayed in a stage N days, date passed, schedules',
};

/** The jobs with their schedules and rules (from config) and their last runs (from the state directory). */
export function listJobs(config: LabConfig, stateDir: string): JobInfo[] {
  const rules = (config.automation?.rules ?? []).filter((r) => r.enabled);
  // Reading must not create a state directory where no job ever ran.
  const state = existsSync(join(stateDir, STATE_FILE)) ? openStateDb(stateDir) : undefined;
  try {
    return JOB_NAMES.map((name) => {
      const settings = config.automation?.jobs[name];
      const mine = rules.filter((r) => (name === 'sync') === isEventTrigger(r.trigger)).map((r) => r.id);
      const raw = state?.checkpoints.get(lastRunKey(name));
      const running = state?.locks.holder(name);
      return {
        name,
        description: DESCRIPTIONS[name] ?? '',
        schedule: settings?.schedule ?? DEFAULT_SCHEDULES[name],
        scheduleFrom: settings?.schedule ? 'config' : 'default',
        enabled: settings?.enabled ?? true,
        rules: mine,
        ...(raw ? { lastRun: JSON.parse(raw) as JobInfo['lastRun'] & object } : {}),
        ...(running ? { running } : {}),
      };
    });
  } finally {
    state?.close();
  }
}
