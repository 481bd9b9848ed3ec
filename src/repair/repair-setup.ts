/**
 * What doctor and repair take from the configuration directory: the repair policy (the `repair:`
 * section, defaults without one) and, for the config-drift check, the provisioning plan of the config
 * against the portal (provision/prepare-plan.ts, with the last applied state to tell drift).
 */
import { describeIssue } from '../config/config-issue.js';
import { loadConfig } from '../config/load-config.js';
import { UserError } from '../errors.js';
import { readAppliedState } from '../provision/applied-state.js';
import type { Plan } from '../provision/plan.js';
import { preparePlan } from '../provision/prepare-plan.js';
import type { B24Client } from '../rest/client.js';
import type { RepairPolicy } from './repair-section.js';
import { DEFAULT_REPAIR_POLICY } from './repair-section.js';

export interface RepairSetup {
  policy: RepairPolicy;
  readPlan?: (client: B24Client) => Promise<Plan>;
}

/** Without a config directory: the default policy and no drift check. */
export function loadRepairSetup(configDir: string | undefined, stateDir: string): RepairSetup {
  if (configDir === undefined) return { policy: DEFAULT_REPAIR_POLICY };
  const loaded = loadConfig(configDir);
  if (!loaded.ok)
    throw new UserError(
      `The configuration in ${configDir} has problems:\n  ${loaded.issues.map(describeIssue).join('\n  ')}`,
      'Fix them and run again (--config <dir> or B24LAB_CONFIG selects the directory).',
    );
  const config = loaded.config;
  return {
    policy: config.repair ?? DEFAULT_REPAIR_POLICY,
    readPlan: async (client) =>
      (await preparePlan(client, config, readAppliedState(stateDir, client.portal))).plan,
  };
}
