import type { ResolvedRule } from '../automation/catalog.js';
import { readCatalog } from '../automation/read-catalog.js';
import { resolveRules } from '../automation/catalog.js';
import type { LabConfig } from '../config/config-sections.js';
import type { B24Client } from '../rest/client.js';
import { DEAL_ENTITY_TYPE } from './read-portal.js';

/**
 * The control limit of each deal stage, from the configured control rules: a `stayed_in_stage` rule
 * on a deal pipeline says how long a deal may stay before someone is told, so "over the control limit"
 * in the managers report means what the robots mean. The first (smallest) threshold counts.
 * Worked example: sales-qualified-control { stage: QUALIFIED, days: [15, 30] } on the pipeline whose
 * stage is C3:QUALIFIED -> { 'C3:QUALIFIED': 15 }.
 */
export function controlLimitsOf(rules: readonly ResolvedRule[]): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const r of rules) {
    const t = r.rule.trigger;
    if (r.entityTypeId !== DEAL_ENTITY_TYPE || t.type !== 'stayed_in_stage') continue;
    const days = Math.min(...(Array.isArray(t.days) ? t.days : [t.days]));
    for (const stageId of r.triggerStageIds) limits[stageId] = Math.min(limits[stageId] ?? days, days);
  }
  return limits;
}

/** Reads the portal ids of the configured rules' pipelines and stages, and their control limits. */
export async function readControlLimits(
  client: B24Client,
  config: LabConfig,
): Promise<Record<string, number>> {
  const rules = config.automation?.rules ?? [];
  if (rules.length === 0) return {};
  const { catalog } = await readCatalog(client, rules, config);
  return controlLimitsOf(resolveRules(rules, catalog).rules);
}
