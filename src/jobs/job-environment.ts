/**
 * Opens what the jobs need from the flags a command parsed: the configuration (the shared loader, every
 * problem at once), the REST client (the shared limiter lives in the same state directory), and the
 * state database; and closes them after.
 */
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { LabConfig } from '../config/config-sections.js';
import { describeIssue } from '../config/config-issue.js';
import { loadConfig } from '../config/load-config.js';
import { UserError } from '../errors.js';
import type { IntendedAction } from '../automation/intended-action.js';
import { createClient } from '../rest/client.js';
import type { RestSettings } from '../rest/settings.js';
import { clientOptionsFrom, DEFAULT_STATE_DIR } from '../rest/settings.js';
import { processIsAlive } from '../state/job-locks.js';
import { openStateDb } from '../state/state-db.js';
import type { Logger } from '../ui/logger.js';
import type { JobEnvironment } from './job-context.js';

export interface EnvironmentSettings {
  /** --portal, --rate-limit, --state as every REST command takes them (src/rest/settings.ts). */
  rest: RestSettings;
  configDir: string;
  env: Record<string, string | undefined>;
  clock: Clock;
  logger: Logger;
  /** b24lab's version, for the backups the backup job writes. */
  version?: string;
  afterCall?: (action: IntendedAction) => void;
}

/** Loads the config directory or throws one UserError listing every problem. */
export function loadJobConfig(configDir: string): LabConfig {
  const loaded = loadConfig(configDir);
  if (!loaded.ok) {
    throw new UserError(
      `The configuration in ${configDir} has problems:\n  ${loaded.issues.map(describeIssue).join('\n  ')}`,
      'Fix them and run again (--config <dir> or B24LAB_CONFIG selects the directory).',
    );
  }
  return loaded.config;
}

export async function withJobEnvironment<T>(
  settings: EnvironmentSettings,
  fn: (env: JobEnvironment) => Promise<T>,
): Promise<T> {
  const config = loadJobConfig(settings.configDir);
  const options = clientOptionsFrom(settings.rest, settings.env, settings.clock, settings.logger);
  // The jobs' state lives next to the client's rate-limit bucket: one state directory per machine.
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const client = createClient(options);
  const state = openStateDb(stateDir);
  try {
    return await fn({
      client,
      state,
      config,
      clock: settings.clock,
      logger: settings.logger,
      ...(settings.version ? { version: settings.version } : {}),
      process: { pid: process.pid, host: hostname(), isAlive: processIsAlive },
      ...(settings.afterCall ? { afterCall: settings.afterCall } : {}),
    });
  } finally {
    state.close();
    client.close();
  }
}
