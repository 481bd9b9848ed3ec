/**
 * The parent deal of a smart-process item (`parentId2`, crm/universal/crm-item-list.md: a parent
 * link is the item's field `parentId<parentEntityTypeId>`), as rules of smart-process items read it:
 * `{{parent.title}}`, `{{parent.link}}`, `{{parent.UF_CRM_DOCS_FOLDER}}` (or a deal field by its
 * code, `{{parent.SERVICE}}`, a list field read as its labels) in templates, `parent.<field>` in
 * conditions, `parent:responsible` / `parent:observers` as recipients. Pure: the jobs read the parents
 * (read-parents.ts) only when a rule uses them, and pass them in RuleContext.parents.
 */
import type { Catalog } from './catalog.js';
import type { Entity, EntityRef } from './entity.js';
import { DEAL_ENTITY_TYPE_ID, entityPath, refKey } from './entity.js';
import type { EnumFields } from './enum-values.js';
import { enumLabels } from './enum-values.js';
import type { ConditionContext } from './match-conditions.js';
import { formatValue } from './render-template.js';
import type { Action, Recipient, Rule } from './rule-schema.js';

export const PARENT_PREFIX = 'parent.';

/** Recipients among the parent deal's people: its responsible (the manager) and its observers. */
export const PARENT_RECIPIENT_PREFIX = 'parent:';

/** The recipients an action names, each with its path under the action (`['to', 1]`). */
export function recipientsOf(action: Action): { path: (string | number)[]; recipient: Recipient }[] {
  switch (action.type) {
    case 'notify':
      return action.to.map((recipient, k) => ({ path: ['to', k], recipient }));
    case 'task':
      return [
        { path: ['responsible'], recipient: action.responsible },
        ...action.auditors.map((recipient, k) => ({ path: ['auditors', k], recipient })),
      ];
    case 'create_item':
      return [{ path: ['responsible'], recipient: action.responsible }];
    default:
      return [];
  }
}

/** The deal an item is linked to (`parentId2`), if any. */
export function parentRefOf(entity: Entity): EntityRef | undefined {
  if (entity.entityTypeId === DEAL_ENTITY_TYPE_ID) return undefined;
  const raw = entity.fields[`parentId${DEAL_ENTITY_TYPE_ID}`];
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? { entityTypeId: DEAL_ENTITY_TYPE_ID, id } : undefined;
}

/**
 * Whether a rule reads its record's parent: a `parent.` condition or placeholder anywhere, or a
 * `parent:` recipient.
 */
export function ruleUsesParent(rule: Rule): boolean {
  if (rule.conditions.some((c) => [c.field, c.valueField ?? ''].some((f) => f.startsWith(PARENT_PREFIX))))
    return true;
  const recipients = rule.actions.flatMap((a) => recipientsOf(a).map((r) => r.recipient));
  if (recipients.some((r) => r.startsWith(PARENT_RECIPIENT_PREFIX))) return true;
  return /\{\{\s*parent\./.test(JSON.stringify(rule.actions));
}

export function parentOf(entity: Entity, parents: Map<string, Entity> | undefined): Entity | undefined {
  const ref = parentRefOf(entity);
  return ref && parents ? parents.get(refKey(ref)) : undefined;
}

/** What the conditions of a rule may read: the record's list fields and its parent deal. */
export function conditionContextOf(
  enums: EnumFields | undefined,
  entity: Entity,
  catalog: Catalog,
  parents: Map<string, Entity> | undefined,
): ConditionContext {
  const parent = parentOf(entity, parents);
  return {
    ...(enums ? { enums } : {}),
    parent: parent ? { entity: parent, ...(catalog.deal ? { enums: catalog.deal.enums } : {}) } : undefined,
  };
}

/**
 * The template values of the parent: `parent.id`, `parent.title`, `parent.url`, `parent.link` and
 * every field (`parent.opportunity`, `parent.UF_CRM_SERVICE`, and by code `parent.SERVICE`), list
 * fields as their labels. No parent: nothing (the placeholders read empty).
 */
export function parentVars(
  parent: Entity | undefined,
  catalog: Catalog,
  offsetMinutes: number,
): Record<string, string | number> {
  if (!parent) return {};
  const enums = catalog.deal?.enums ?? {};
  const show = (name: string, value: unknown): string => {
    const items = enums[name];
    return items ? enumLabels(items, value) : formatValue(value, offsetMinutes);
  };
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(parent.fields))
    vars[`${PARENT_PREFIX}${name}`] = show(name, value);
  for (const [code, name] of Object.entries(catalog.deal?.fields ?? {})) {
    vars[`${PARENT_PREFIX}${code}`] = show(name, parent.fields[name]);
  }
  const path = entityPath(parent);
  vars[`${PARENT_PREFIX}id`] = parent.id;
  vars[`${PARENT_PREFIX}title`] = parent.title;
  vars[`${PARENT_PREFIX}url`] = path;
  vars[`${PARENT_PREFIX}link`] = `[URL=${path}]${parent.title || `#${parent.id}`}[/URL]`;
  return vars;
}
