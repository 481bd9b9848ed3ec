/**
 * One run of a named job: the single code path of `b24lab jobs run <name>` and of every tick of
 * `b24lab jobs start`.
 *
 *   lock (wait a bounded time or report who holds it) -> the portal's time (or --now) -> catalog and
 *   org chart -> the job's body -> the result, and the lock released whatever happens
 *
 * A dry run takes no lock and writes nothing: no ledger, no checkpoint, no REST write.
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '../errors.js';
import { resolveRules } from '../automation/catalog.js';
import type { ActionOutcome, ActionReport } from '../automation/execute-actions.js';
import { isoAt } from '../automation/entity.js';
import type { JobName, RuleJobName } from '../automation/job-names.js';
import { JOB_NAMES, isMaintenanceJob } from '../automation/job-names.js';
import { runMaintenanceJob } from './maintenance-job.js';
import { readCatalog } from '../automation/read-catalog.js';
import { readOrgChart } from '../automation/read-org-chart.js';
import { readPortalTime } from '../automation/portal-time.js';
import { acquireJobLock } from '../state/acquire-job-lock.js';
import type { LockHolder } from '../state/job-locks.js';
import { runControl } from './control-job.js';
import type { JobContext, JobEnvironment, JobWork, RunOptions } from './job-context.js';
import { runSync } from './sync-job.js';

export interface JobResult {
  job: string;
  runId: string;
  dryRun: boolean;
  /** `locked`: another run holds the job; this one did nothing. */
  status: 'completed' | 'locked';
  /** The moment rules were evaluated at, ISO with the portal's offset. */
  evaluatedAt?: string;
  startedAt: string;
  durationMs: number;
  /** REST requests this run made. */
  requests: number;
  scanned: number;
  events: number;
  pendingEvents: number;
  firings: number;
  /** Actions that did or would do something (settled ones from earlier runs are only counted). */
  actions: ActionReport[];
  counts: Record<ActionOutcome, number>;
  lockedBy?: LockHolder;
  /** What a maintenance job (backup, reports) did: the snapshot, the files. */
  detail?: Record<string, unknown>;
}

const BODIES: Record<RuleJobName, (ctx: JobContext) => Promise<JobWork>> = {
  sync: runSync,
  control: runControl,
};

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

function emptyCounts(): Record<ActionOutcome, number> {
  return { done: 0, found: 0, already: 0, skipped: 0, failed: 0, unknown: 0, 'gave-up': 0, 'would-do': 0 };
}

/** The state key of a job's last run, shown by `jobs list`. */
export const lastRunKey = (job: string): string => `run:${job}`;

export async function runJob(
  name: string,
  env: JobEnvironment,
  options: RunOptions = {},
): Promise<JobResult> {
  if (!isJobName(name)) {
    throw new UserError(`Unknown job "${name}".`, `Known jobs: ${JOB_NAMES.join(', ')} (b24lab jobs list).`);
  }
  const dryRun = options.dryRun ?? false;
  const runId = randomUUID();
  const started = env.clock.now();
  const requestsBefore = env.client.stats().requests;
  const base = {
    job: name,
    runId,
    dryRun,
    startedAt: new Date(started).toISOString(),
  };

  let release: (() => void) | undefined;
  if (!dryRun) {
    const lock = await acquireJobLock(
      env.state.locks,
      name,
      { runId, pid: env.process.pid, host: env.process.host },
      {
        clock: env.clock,
        isAlive: env.process.isAlive,
        waitMs: options.waitMs ?? 0,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (!lock.acquired) {
      return {
        ...base,
        status: 'locked',
        durationMs: env.clock.now() - started,
        requests: 0,
        scanned: 0,
        events: 0,
        pendingEvents: 0,
        firings: 0,
        actions: [],
        counts: emptyCounts(),
        lockedBy: lock.holder,
      };
    }
    release = lock.release;
    if (lock.tookOverFrom) {
      env.logger.warn('took over the lock of a run that died', {
        job: name,
        pid: lock.tookOverFrom.pid,
        since: new Date(lock.tookOverFrom.acquiredAt).toISOString(),
      });
    }
  }
  try {
    if (isMaintenanceJob(name)) {
      const detail = await runMaintenanceJob(name, env, env.config.automation?.jobs[name], {
        dryRun,
        version: env.version ?? '0.0.0',
      });
      const result: JobResult = {
        ...base,
        status: 'completed',
        durationMs: env.clock.now() - started,
        requests: env.client.stats().requests - requestsBefore,
        scanned: 0,
        events: 0,
        pendingEvents: 0,
        firings: 0,
        actions: [],
        counts: emptyCounts(),
        detail,
      };
      if (!dryRun) {
        env.state.checkpoints.set(
          lastRunKey(name),
          JSON.stringify({ at: result.startedAt, durationMs: result.durationMs, detail }),
          env.clock.now(),
        );
      }
      return result;
    }
    const rules = env.config.automation?.rules ?? [];
    const portal = await readPortalTime(env.client);
    const now = options.now ?? portal.now;
    const { catalog, problems: missing } = await readCatalog(env.client, rules, env.config);
    const { rules: resolved, problems } = resolveRules(rules, catalog);
    const all = [...missing, ...problems.map((p) => `rule ${p.ruleId} ${p.path.join('.')}: ${p.message}`)];
    if (all.length > 0) {
      throw new UserError(
        `The rules do not match the portal:\n  ${all.join('\n  ')}`,
        'Provision the portal from the same config first, or fix the rules in config/.',
      );
    }
    const org = await readOrgChart(env.client);
    const ruleContext = { now, offsetMinutes: portal.offsetMinutes, catalog, org };
    const ctx: JobContext = {
      env,
      job: name,
      runId,
      dryRun,
      settings: env.config.automation?.jobs[name],
      rules: resolved,
      portalNow: portal.now,
      ruleContext,
      executor: {
        client: env.client,
        ledger: env.state.ledger,
        tasks: env.state.keyedTasks,
        run: { runId, job: name },
        clock: env.clock,
        logger: env.logger,
        dryRun,
        ...(env.afterCall ? { afterCall: env.afterCall } : {}),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const work = await BODIES[name](ctx);
    const counts = emptyCounts();
    for (const r of work.reports) counts[r.outcome]++;
    const result: JobResult = {
      ...base,
      status: 'completed',
      evaluatedAt: isoAt(now, portal.offsetMinutes),
      durationMs: env.clock.now() - started,
      requests: env.client.stats().requests - requestsBefore,
      scanned: work.scanned,
      events: work.events,
      pendingEvents: work.pendingEvents,
      firings: work.firings,
      actions: work.reports.filter((r) => r.outcome !== 'already'),
      counts,
    };
    if (!dryRun) {
      env.state.checkpoints.set(
        lastRunKey(name),
        JSON.stringify({ at: result.startedAt, durationMs: result.durationMs, counts }),
        env.clock.now(),
      );
    }
    return result;
  } finally {
    release?.();
  }
}
