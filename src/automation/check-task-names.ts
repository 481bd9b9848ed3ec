/**
 * A config check of named tasks: a `task_completed` trigger or a `complete_task` action can only ever
 * concern tasks made by a task action with the same `key:`; a name no task action gives is a typo that
 * would otherwise wait forever in silence. Disabled rules count as givers: the tasks they made before
 * they were turned off still bear the name.
 *
 * Worked example: `trigger: { type: task_completed, task: resutls }` with only `key: results` given ->
 * rules[3].trigger.task: No task action has `key: resutls`; known: results.
 */
import type { Rule } from './rule-schema.js';

export interface TaskNameProblem {
  path: (string | number)[];
  message: string;
}

export function checkTaskNames(rules: Rule[]): TaskNameProblem[] {
  const given = new Set<string>();
  for (const rule of rules) {
    for (const action of rule.actions) if (action.type === 'task' && action.key) given.add(action.key);
  }
  const known = given.size > 0 ? `; known: ${[...given].sort().join(', ')}` : '';
  const problems: TaskNameProblem[] = [];
  const check = (name: string, path: (string | number)[]): void => {
    if (!given.has(name)) problems.push({ path, message: `No task action has \`key: ${name}\`${known}` });
  };
  rules.forEach((rule, i) => {
    if (rule.trigger.type === 'task_completed') check(rule.trigger.task, ['rules', i, 'trigger', 'task']);
    rule.actions.forEach((action, j) => {
      if (action.type === 'complete_task') check(action.task, ['rules', i, 'actions', j, 'task']);
    });
  });
  return problems;
}
