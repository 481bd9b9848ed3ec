/**
 * Everything `plan` and `apply` do before showing a plan: read the portal, compute the plan against
 * the config and the last applied state, and when the plan deletes stages, count what those stages
 * hold so a refusal shows in the plan rather than half-way through an apply.
 */
import type { LabConfig } from '../config/config-sections.js';
import type { B24Client } from '../rest/client.js';
import { computePlan } from './compute-plan.js';
import { countHeldItems } from './count-held-items.js';
import type { AppliedState, Plan } from './plan.js';
import { readSnapshot } from './read-snapshot.js';
import type { PortalSnapshot } from './snapshot.js';

export interface PreparedPlan {
  plan: Plan;
  snapshot: PortalSnapshot;
}

export async function preparePlan(
  client: B24Client,
  config: LabConfig,
  previous: AppliedState | undefined,
): Promise<PreparedPlan> {
  const snapshot = await readSnapshot(client, { lists: config.lists !== undefined });
  let plan = computePlan(config, snapshot, previous);
  if (await countHeldItems(client, snapshot, plan)) plan = computePlan(config, snapshot, previous);
  return { plan, snapshot };
}
