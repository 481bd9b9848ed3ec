/**
 * A config check of `parent:responsible` / `parent:observers` recipients: only a smart-process item
 * has a parent deal (parentId2, parent-record.ts); on a deal or list rule such a recipient would always
 * resolve to no one, found only when the rule fires.
 *
 * Worked example: `to: [parent:responsible]` on `entity: { pipeline: sales }` ->
 * rules[4].actions[0].to[0]: parent:responsible names the parent deal's people: only smart-process
 * rules have one
 */
import { PARENT_RECIPIENT_PREFIX, recipientsOf } from './parent-record.js';
import type { Rule } from './rule-schema.js';

export interface ParentRecipientProblem {
  path: (string | number)[];
  message: string;
}

export function checkParentRecipients(rules: Rule[]): ParentRecipientProblem[] {
  const problems: ParentRecipientProblem[] = [];
  rules.forEach((rule, i) => {
    if ('smartProcess' in rule.entity) return;
    rule.actions.forEach((action, j) => {
      for (const { path, recipient } of recipientsOf(action)) {
        if (!recipient.startsWith(PARENT_RECIPIENT_PREFIX)) continue;
        problems.push({
          path: ['rules', i, 'actions', j, ...path],
          message: `${recipient} names the parent deal's people: only smart-process rules have one`,
        });
      }
    });
  });
  return problems;
}
