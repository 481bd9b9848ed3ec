/**
 * Load-time checks of a rule on list elements (`entity: { list: <key> }`) against the `lists:`
 * section: the list exists, and the fields the rule names are its fields (property codes, or the
 * system fields NAME, CREATED_BY ...). A list has no stages, so stage triggers and move_stage have
 * nothing to act on; its elements are read by the sync job, so time triggers (control job) do not run.
 */
import type { CheckContext } from '../config/config-section.js';
import type { PathSegment } from '../config/config-issue.js';
import { LIST_SYSTEM_FIELDS } from '../config/sections/lists.js';
import type { Rule } from './rule-schema.js';

export function checkListRule(
  rule: Rule,
  key: string,
  ctx: CheckContext,
  at: (...path: PathSegment[]) => PathSegment[],
): void {
  const lists = ctx.config.lists;
  if (!lists) return;
  const list = lists.find((l) => l.key === key);
  if (!list) {
    ctx.issue(at('entity', 'list'), `Unknown list "${key}"; known: ${lists.map((l) => l.key).join(', ')}`);
    return;
  }
  const codes = list.fields.map((f) => f.code);
  const known = (field: string): boolean =>
    codes.includes(field) ||
    LIST_SYSTEM_FIELDS.includes(field) ||
    // Derived values (list-records.ts): a list field's text, a crm field's id and page.
    /_(TEXT|ID|URL)$/.test(field);
  const fieldIssue = (path: PathSegment[], field: string): void => {
    if (!known(field))
      ctx.issue(path, `No field "${field}" in list "${key}"; its fields: ${[...codes, 'NAME'].join(', ')}`);
  };
  const t = rule.trigger;
  if (t.type === 'stage_entered' || t.type === 'stayed_in_stage')
    ctx.issue(at('trigger', 'type'), `A list has no stages: ${t.type} cannot fire on list "${key}"`);
  // The control job lists CRM records (crm.item.list); list elements are read by the sync job only.
  if (t.type === 'date_passed' || t.type === 'schedule')
    ctx.issue(
      at('trigger', 'type'),
      `${t.type} is not run on list elements (list "${key}"); use created or field_changed`,
    );
  if (t.type === 'children_finished')
    ctx.issue(at('trigger', 'type'), `children_finished is a deal trigger, not one of list "${key}"`);
  if (t.type === 'field_changed' || t.type === 'date_passed') fieldIssue(at('trigger', 'field'), t.field);
  rule.conditions.forEach((c, j) => {
    if (!c.field.startsWith('parent.')) fieldIssue(at('conditions', j, 'field'), c.field);
    if (c.valueField !== undefined && !c.valueField.startsWith('parent.'))
      fieldIssue(at('conditions', j, 'valueField'), c.valueField);
  });
  rule.actions.forEach((action, j) => {
    if (action.type === 'move_stage')
      ctx.issue(at('actions', j, 'type'), `A list has no stages: move_stage cannot run on list "${key}"`);
    if (action.type === 'set_fields') {
      for (const field of Object.keys(action.fields)) {
        if (field !== 'NAME' && !codes.includes(field))
          ctx.issue(at('actions', j, 'fields', field), `No field "${field}" in list "${key}" to set`);
      }
    }
    if (action.type === 'set_related') {
      const via = list.fields.find((f) => f.code === action.via);
      if (!via || via.type !== 'crm')
        ctx.issue(at('actions', j, 'via'), `"${action.via}" is not a crm field of list "${key}"`);
    }
  });
}
