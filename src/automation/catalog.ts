/**
 * The portal's pipelines and stages as the rules need them, keyed by the configuration's stable keys.
 * The IO edge builds it from the provisioning config and the portal (crm.category.list,
 * crm.status.list); everything here is pure.
 */
import type { EnumFields } from './enum-values.js';
import { unknownEnumValues } from './enum-values.js';
import { checkItemTargets } from './actions/item-targets.js';
import type { ListTarget } from './list-records.js';
import type { Recipient, Rule } from './rule-schema.js';

export type StageSemantics = 'P' | 'S' | 'F';

export interface StageInfo {
  /** The portal's STATUS_ID: `C3:QUALIFIED`, `DT1036_7:WORK`, bare `NEW` in the default pipeline. */
  id: string;
  /** The configuration's code (the STATUS_ID without its prefix). */
  code: string;
  name: string;
  semantics: StageSemantics;
}

export interface CategoryInfo {
  /** The configuration's key of the pipeline or direction. */
  key: string;
  id: number;
  name: string;
  stages: StageInfo[];
}

export interface TargetInfo {
  key: string;
  entityTypeId: number;
  name: string;
  categories: CategoryInfo[];
  /**
   * User fields by their configuration code -> the portal's FIELD_NAME. A smart process's fields are
   * named after its type id (`DEADLINE` -> `UF_CRM_12_DEADLINE`), which only the portal knows, so
   * rules may name them by code.
   */
  fields?: Record<string, string>;
  /** The items of its list (enumeration) fields, by portal field name (enum-values.ts). */
  enums?: EnumFields;
}

export interface Catalog {
  /** Deal pipelines by key: each a target with one category. */
  pipelines: Record<string, TargetInfo>;
  /** Smart processes by key: each a target with its directions. */
  smartProcesses: Record<string, TargetInfo>;
  /** Universal lists by key (rule entity `{ list: <key> }`; list-records.ts). */
  lists?: Record<string, ListTarget>;
  /**
   * Deal fields whatever the pipeline: codes -> names and list items, for `parent.<field>` of
   * smart-process rules (their parent deal).
   */
  deal?: { fields: Record<string, string>; enums: EnumFields };
}

/** A rule with its keys turned into portal ids. */
export interface ResolvedRule {
  rule: Rule;
  entityTypeId: number;
  /** The categories (pipeline or directions) the rule watches. */
  categoryIds: number[];
  /** For stage triggers: the STATUS_IDs of the stage in each watched category. */
  triggerStageIds: string[];
  /** Field codes -> portal field names (TargetInfo.fields), for templates. */
  aliases: Record<string, string>;
  /** The record type's list fields (TargetInfo.enums): conditions and written values by XML_ID. */
  enums?: EnumFields;
}

export interface RuleProblem {
  ruleId: string;
  path: (string | number)[];
  message: string;
}

/** The stage code of a STATUS_ID: `C3:QUALIFIED` -> `QUALIFIED`, `NEW` -> `NEW`. */
export function stageCode(statusId: string): string {
  const i = statusId.indexOf(':');
  return i >= 0 ? statusId.slice(i + 1) : statusId;
}

export function findCategory(
  catalog: Catalog,
  entityTypeId: number,
  categoryId: number,
): CategoryInfo | undefined {
  const targets = [...Object.values(catalog.pipelines), ...Object.values(catalog.smartProcesses)];
  for (const t of targets) {
    if (t.entityTypeId !== entityTypeId) continue;
    const c = t.categories.find((cat) => cat.id === categoryId);
    if (c) return c;
  }
  return undefined;
}

export function findStage(
  catalog: Catalog,
  entityTypeId: number,
  categoryId: number,
  stageId: string,
): StageInfo | undefined {
  return findCategory(catalog, entityTypeId, categoryId)?.stages.find((s) => s.id === stageId);
}

/** The stage of a code in a category, to move a record within its own pipeline or direction. */
export function stageInCategory(
  catalog: Catalog,
  entityTypeId: number,
  categoryId: number,
  code: string,
): StageInfo | undefined {
  return findCategory(catalog, entityTypeId, categoryId)?.stages.find((s) => s.code === code);
}

/**
 * Turns the rules' keys into portal ids; every unknown pipeline, direction or stage is a problem
 * (all reported at once, STYLE.md §10). Disabled rules are left out.
 */
export function resolveRules(
  rules: Rule[],
  catalog: Catalog,
): { rules: ResolvedRule[]; problems: RuleProblem[] } {
  const out: ResolvedRule[] = [];
  const problems: RuleProblem[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const before = problems.length;
    const problem = (path: (string | number)[], message: string): void => {
      problems.push({ ruleId: rule.id, path, message });
    };
    let target: TargetInfo | undefined;
    let categories: CategoryInfo[] = [];
    if ('pipeline' in rule.entity) {
      target = catalog.pipelines[rule.entity.pipeline];
      if (!target) {
        problem(['entity', 'pipeline'], `unknown pipeline "${rule.entity.pipeline}"`);
        continue;
      }
      categories = target.categories;
    } else if ('list' in rule.entity) {
      target = catalog.lists?.[rule.entity.list];
      if (!target) {
        problem(['entity', 'list'], `unknown list "${rule.entity.list}"`);
        continue;
      }
      categories = target.categories;
    } else {
      target = catalog.smartProcesses[rule.entity.smartProcess];
      if (!target) {
        problem(['entity', 'smartProcess'], `unknown smart process "${rule.entity.smartProcess}"`);
        continue;
      }
      const wanted = rule.entity.directions;
      categories = wanted ? target.categories.filter((c) => wanted.includes(c.key)) : target.categories;
      for (const [i, key] of (wanted ?? []).entries()) {
        if (!target.categories.some((c) => c.key === key)) {
          problem(['entity', 'directions', i], `unknown direction "${key}" of "${target.key}"`);
        }
      }
    }
    const stageIdsOf = (code: string): string[] =>
      categories.flatMap((c) => c.stages.filter((s) => s.code === code).map((s) => s.id));
    let triggerStageIds: string[] = [];
    if (rule.trigger.type === 'stage_entered' || rule.trigger.type === 'stayed_in_stage') {
      triggerStageIds = stageIdsOf(rule.trigger.stage);
      if (triggerStageIds.length === 0) {
        problem(['trigger', 'stage'], `no stage "${rule.trigger.stage}" in "${target.key}"`);
      }
    }
    // `{ field: stage }` conditions name stages of the watched categories (match-conditions.ts).
    rule.conditions.forEach((c, i) => {
      if (c.field !== 'stage') return;
      const codes = Array.isArray(c.value) ? c.value : [c.value];
      for (const code of codes) {
        if (typeof code === 'string' && stageIdsOf(code).length === 0)
          problem(['conditions', i, 'value'], `no stage "${code}" in "${target.key}"`);
      }
    });
    rule.actions.forEach((action, i) => {
      // With a direction, the stage is of that direction (checkItemTargets).
      if (action.type === 'move_stage' && action.direction === undefined && action.stage !== undefined) {
        if (stageIdsOf(action.stage).length === 0) {
          problem(['actions', i, 'stage'], `no stage "${action.stage}" in "${target.key}"`);
        }
      }
    });
    const own = 'smartProcess' in rule.entity ? target.categories : undefined;
    const directionsOf = (key: string) => catalog.smartProcesses[key]?.categories;
    for (const p of checkItemTargets(rule, own, directionsOf, `"${target.key}"`)) problem(p.path, p.message);
    if (problems.length > before) continue;
    const aliases = target.fields ?? {};
    const named = withFieldNames(rule, aliases, catalog.deal?.fields ?? {});
    for (const p of enumProblems(named, target.enums ?? {}, catalog.deal?.enums ?? {}))
      problem(p.path, p.message);
    if (problems.length > before) continue;
    out.push({
      rule: named,
      entityTypeId: target.entityTypeId,
      categoryIds: categories.map((c) => c.id),
      triggerStageIds,
      aliases,
      ...(target.enums ? { enums: target.enums } : {}),
    });
  }
  return { rules: out, problems };
}

/** The rule with field codes replaced by portal field names (`DEADLINE` -> `UF_CRM_12_DEADLINE`). */
function withFieldNames(
  rule: Rule,
  aliases: Record<string, string>,
  parentAliases: Record<string, string>,
): Rule {
  if (Object.keys(aliases).length === 0 && Object.keys(parentAliases).length === 0) return rule;
  const name = (field: string): string =>
    field.startsWith('parent.')
      ? `parent.${parentAliases[field.slice(7)] ?? field.slice(7)}`
      : (aliases[field] ?? field);
  const who = (r: Recipient): Recipient => (r.startsWith('field:') ? `field:${name(r.slice(6))}` : r);
  const trigger =
    rule.trigger.type === 'field_changed' || rule.trigger.type === 'date_passed'
      ? { ...rule.trigger, field: name(rule.trigger.field) }
      : rule.trigger;
  return {
    ...rule,
    trigger,
    conditions: rule.conditions.map((c) => ({
      ...c,
      field: name(c.field),
      ...(c.valueField !== undefined ? { valueField: name(c.valueField) } : {}),
    })),
    actions: rule.actions.map((a) => {
      if (a.type === 'set_fields') {
        return { ...a, fields: Object.fromEntries(Object.entries(a.fields).map(([k, v]) => [name(k), v])) };
      }
      if (a.type === 'notify') return { ...a, to: a.to.map(who) };
      if (a.type === 'task') return { ...a, responsible: who(a.responsible), auditors: a.auditors.map(who) };
      return a;
    }),
  };
}

/**
 * Literal list values that name no item of the field (`{ field: SERVICE, value: GTX }`): a typo
 * would otherwise make a condition never hold or a write fail on the portal. Templates are left to
 * run time.
 */
function enumProblems(
  rule: Rule,
  enums: EnumFields,
  parentEnums: EnumFields,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const check = (path: (string | number)[], field: string, value: unknown): void => {
    const parent = field.startsWith('parent.');
    const items = parent ? parentEnums[field.slice(7)] : enums[field];
    if (!items || value === undefined) return;
    const literal = (Array.isArray(value) ? value : [value]).filter(
      (v) => !(typeof v === 'string' && v.includes('{{')),
    );
    const bad = unknownEnumValues(items, literal);
    if (bad.length > 0) {
      out.push({
        path,
        message: `${bad.map((b) => `"${b}"`).join(', ')} is not an item of ${field} (items: ${items
          .map((i) => i.xmlId ?? i.value)
          .join(', ')})`,
      });
    }
  };
  rule.conditions.forEach((c, i) => check(['conditions', i, 'value'], c.field, c.value));
  rule.actions.forEach((a, i) => {
    if (a.type === 'set_fields') {
      for (const [field, value] of Object.entries(a.fields))
        check(['actions', i, 'fields', field], field, value);
    }
  });
  return out;
}
