import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import { shippedConfigDir } from '../config/shipped-config.js';
import { UserError } from '../errors.js';
import { loadJobConfig } from '../jobs/job-environment.js';
import type { Logger } from '../ui/logger.js';
import type { DemoOptions, DemoRun } from './run-demo.js';
import { runDemo } from './run-demo.js';

export interface DemoDeps {
  clock: Clock;
  logger: Logger;
  version: string;
  onStep: DemoOptions['onStep'];
  renderReport: DemoOptions['renderReport'];
}

/** Validates the demo's flags and runs it. */
export async function runDemoCommand(raw: Record<string, unknown>, deps: DemoDeps): Promise<DemoRun> {
  const seed = Number(raw.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UserError(`--seed must be a whole number, got "${String(raw.seed)}".`);
  const dir = String(raw.dir ?? '').trim();
  if (!dir) throw new UserError('--dir must name a directory.');
  const configDir = typeof raw.config === 'string' && raw.config.trim() ? raw.config : shippedConfigDir();
  return runDemo({
    dir: resolve(dir),
    config: loadJobConfig(configDir),
    configDir,
    seed,
    version: deps.version,
    clock: deps.clock,
    logger: deps.logger,
    keepRunning: raw.keepRunning === true,
    renderReport: deps.renderReport,
    ...(deps.onStep ? { onStep: deps.onStep } : {}),
  });
}
