/**
 * A config check of `head_of:<department name>` recipients: when the configuration provisions the
 * company structure (`departments:`), the name must be one of its departments (compared as
 * org-chart.ts compares them: trimmed, any letter case). A misspelt department would otherwise leave
 * every such task or notification without a recipient, found only when a rule fires.
 *
 * Worked example: `responsible: head_of:Лабаратория` with «Лаборатория» configured ->
 * rules[2].actions[0].responsible: No department "Лабаратория" in departments:; known: ГТИ, Лаборатория, ...
 */
import type { Rule } from './rule-schema.js';

export interface HeadOfProblem {
  path: (string | number)[];
  message: string;
}

/** The action fields that hold recipients. */
const RECIPIENT_FIELDS = ['to', 'responsible', 'auditors'] as const;

const norm = (name: string): string => name.trim().toLowerCase();

export function checkHeadOf(rules: Rule[], departments: readonly { name: string }[]): HeadOfProblem[] {
  const known = new Set(departments.map((d) => norm(d.name)));
  const list = [...new Set(departments.map((d) => d.name))].sort().join(', ');
  const problems: HeadOfProblem[] = [];
  const check = (value: unknown, path: (string | number)[]): void => {
    if (typeof value !== 'string' || !value.startsWith('head_of:')) return;
    const name = value.slice('head_of:'.length);
    if (!known.has(norm(name))) {
      problems.push({ path, message: `No department "${name.trim()}" in departments:; known: ${list}` });
    }
  };
  rules.forEach((rule, i) => {
    rule.actions.forEach((action, j) => {
      const fields = action as Record<string, unknown>;
      for (const field of RECIPIENT_FIELDS) {
        const value = fields[field];
        if (Array.isArray(value)) value.forEach((v, k) => check(v, ['rules', i, 'actions', j, field, k]));
        else check(value, ['rules', i, 'actions', j, field]);
      }
    });
  });
  return problems;
}
