import type { Clock } from '../clock.js';
import type { LabConfig } from '../config/config-sections.js';
import type { ResolvedRule } from '../automation/catalog.js';
import type { ActionReport, ExecutorDeps } from '../automation/execute-actions.js';
import type { RuleContext } from '../automation/evaluate-rules.js';
import type { IntendedAction } from '../automation/intended-action.js';
import type { JobSettings } from '../automation/rule-schema.js';
import type { B24Client } from '../rest/client.js';
import type { StateDb } from '../state/state-db.js';
import type { IsAlive } from '../state/job-locks.js';
import type { Logger } from '../ui/logger.js';

/** What a job needs from outside: built by job-environment.ts for the CLI, by tests directly. */
export interface JobEnvironment {
  client: B24Client;
  state: StateDb;
  config: LabConfig;
  /** The machine's clock: lock waits, ledger timestamps, durations. Rules use the portal's time. */
  clock: Clock;
  logger: Logger;
  /** This process, for the job lock. */
  process: { pid: number; host: string; isAlive: IsAlive };
  /** b24lab's version, written into backups the backup job makes. */
  version?: string;
  /** Test seam: see ExecutorDeps.afterCall. */
  afterCall?: (action: IntendedAction) => void;
}

export interface RunOptions {
  dryRun?: boolean;
  /** Evaluate time rules as of this moment (epoch ms) instead of the portal's server.time. */
  now?: number;
  /** How long to wait for a running instance of the job; 0 = exit at once. */
  waitMs?: number;
  signal?: AbortSignal;
}

/** What one run of a job works with, after the lock, the portal's time, catalog and org chart. */
export interface JobContext {
  env: JobEnvironment;
  job: string;
  runId: string;
  dryRun: boolean;
  settings: JobSettings | undefined;
  rules: ResolvedRule[];
  /** The portal's time when the run started (epoch ms). */
  portalNow: number;
  ruleContext: RuleContext;
  executor: ExecutorDeps;
  signal?: AbortSignal;
}

/** What a job body reports back to runJob. */
export interface JobWork {
  /** Records listed from the portal. */
  scanned: number;
  /** Changes detected (sync). */
  events: number;
  /** Events still waiting after this run (an action failed and will be retried). */
  pendingEvents: number;
  firings: number;
  reports: ActionReport[];
}
