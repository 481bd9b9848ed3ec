/**
 * computePlan(desired, actual) -> Plan. Pure: no IO, no clock; the same inputs give the same plan.
 * Sections absent from the config are not managed and produce no operations.
 *
 * Order of execution: departments (parents first, unclaimed ones last and deepest first); each
 * pipeline then its stages, pipelines gone from config after; deal fields; each smart process, its
 * directions with their stages, its fields; smart processes gone from config; universal lists with
 * their fields last.
 */
import type { LabConfig } from '../config/config-sections.js';
import { PlanBuilder } from './plan-builder.js';
import type { AppliedState, Plan } from './plan.js';
import { planDepartments } from './plan-departments.js';
import { planFields } from './plan-fields.js';
import { planLists } from './plan-lists.js';
import { planPipelines } from './plan-pipelines.js';
import { planSmartProcesses } from './plan-smart-processes.js';
import type { PortalSnapshot } from './snapshot.js';

export const DEAL_FIELD_PREFIX = 'dealField:';

/**
 * @param previous the state recorded by the last successful apply to this portal: with it, a
 *   difference the config did not ask for is marked as drift (a change made on the portal by hand).
 */
export function computePlan(desired: LabConfig, actual: PortalSnapshot, previous?: AppliedState): Plan {
  const b = new PlanBuilder(previous);
  if (desired.departments) planDepartments(desired.departments, actual, b);
  if (desired.pipelines) planPipelines(desired.pipelines, actual.pipelines, b);
  if (desired.dealFields)
    planFields(desired.dealFields, actual.dealFields, { prefix: DEAL_FIELD_PREFIX, holds: 'deals' }, b);
  if (desired.smartProcesses) planSmartProcesses(desired.smartProcesses, actual.smartProcesses, b);
  if (desired.lists) planLists(desired.lists, actual.lists ?? [], b);
  return b.build();
}
