/**
 * Where the smart-process item features of the rules point (move_stage `direction`, create_item,
 * copy_item, the children_finished trigger), checked against a list of directions and their stages:
 * the configuration's (config check, rules-section.ts) or the portal's (catalog.ts). Pure.
 */
import type { Rule } from '../rule-schema.js';

export interface DirectionSource {
  key: string;
  stages: { code: string }[];
}

export interface TargetProblem {
  path: (string | number)[];
  message: string;
}

/** The smart-process keys a rule names besides its entity (they must be in the catalog too). */
export function namedSmartProcesses(rule: Rule): string[] {
  const keys: string[] = [];
  if (rule.trigger.type === 'children_finished') keys.push(rule.trigger.smartProcess);
  for (const a of rule.actions)
    if (a.type === 'create_item' || a.type === 'update_children') keys.push(a.smartProcess);
  return keys;
}

/**
 * `own`: the directions of the rule's smart process (undefined for a deal rule); `directionsOf`:
 * another smart process's directions (undefined when unknown).
 */
export function checkItemTargets(
  rule: Rule,
  own: DirectionSource[] | undefined,
  directionsOf: (smartProcess: string) => DirectionSource[] | undefined,
  where: string,
): TargetProblem[] {
  const out: TargetProblem[] = [];
  const direction = (
    list: DirectionSource[],
    key: string,
    stage: string | undefined,
    path: (string | number)[],
    of: string,
  ): void => {
    const found = list.find((d) => d.key === key);
    if (!found) {
      out.push({
        path: [...path, 'direction'],
        message: `no direction "${key}" in ${of}; known: ${list.map((d) => d.key).join(', ')}`,
      });
    } else if (stage !== undefined && !found.stages.some((s) => s.code === stage)) {
      out.push({ path: [...path, 'stage'], message: `no stage "${stage}" in direction "${key}" of ${of}` });
    } else if (found.stages.length === 0) {
      out.push({ path: [...path, 'direction'], message: `direction "${key}" of ${of} has no stages` });
    }
  };
  if (rule.trigger.type === 'children_finished') {
    if (own !== undefined) {
      out.push({ path: ['trigger', 'type'], message: 'children_finished is a trigger of deal rules' });
    }
    const sp = rule.trigger.smartProcess;
    const list = directionsOf(sp);
    if (!list) {
      out.push({
        path: ['trigger', 'smartProcess'],
        message: `unknown smart process "${rule.trigger.smartProcess}"`,
      });
    }
    rule.trigger.directions?.forEach((key, i) => {
      if (list && !list.some((d) => d.key === key)) {
        out.push({
          path: ['trigger', 'directions', i],
          message: `no direction "${key}" in smart process "${sp}"; known: ${list.map((d) => d.key).join(', ')}`,
        });
      }
    });
  }
  rule.actions.forEach((a, i) => {
    if (a.type === 'move_stage' && a.direction !== undefined) {
      if (!own)
        out.push({ path: ['actions', i, 'direction'], message: 'a direction is for smart-process rules' });
      else direction(own, a.direction, a.stage, ['actions', i], where);
    } else if (a.type === 'copy_item') {
      if (!own) out.push({ path: ['actions', i, 'type'], message: 'copy_item copies smart-process items' });
      else direction(own, a.direction, a.stage, ['actions', i], where);
    } else if (a.type === 'create_item') {
      const list = directionsOf(a.smartProcess);
      if (!list) {
        out.push({
          path: ['actions', i, 'smartProcess'],
          message: `unknown smart process "${a.smartProcess}"`,
        });
      } else direction(list, a.direction, a.stage, ['actions', i], `smart process "${a.smartProcess}"`);
    } else if (a.type === 'update_children') {
      const list = directionsOf(a.smartProcess);
      if (!list) {
        out.push({
          path: ['actions', i, 'smartProcess'],
          message: `unknown smart process "${a.smartProcess}"`,
        });
      }
      a.directions?.forEach((key, j) => {
        if (list && !list.some((d) => d.key === key)) {
          out.push({
            path: ['actions', i, 'directions', j],
            message: `no direction "${key}" in smart process "${a.smartProcess}"; known: ${list.map((d) => d.key).join(', ')}`,
          });
        }
      });
    }
  });
  return out;
}
