/**
 * The core of `b24lab plan`: the config, the last applied state of this portal, the portal itself ->
 * the plan. Config problems throw ConfigInvalidError with all of them.
 */
import { requireConfig } from '../config/load-config.js';
import type { B24Client } from '../rest/client.js';
import { readAppliedState } from './applied-state.js';
import type { PreparedPlan } from './prepare-plan.js';
import { preparePlan } from './prepare-plan.js';

export interface PlanPortalOptions {
  client: B24Client;
  configDir: string;
  stateDir: string;
}

export async function planPortal(options: PlanPortalOptions): Promise<PreparedPlan> {
  const config = requireConfig(options.configDir);
  const previous = readAppliedState(options.stateDir, options.client.portal);
  return preparePlan(options.client, config, previous);
}
