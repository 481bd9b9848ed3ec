/**
 * A plan as a person reads it: one line per change, grouped by section, containers before what they
 * hold, each changed field as `field: portal → config`; colour only on a terminal. `plan --json`
 * prints the same Plan object instead.
 *
 *   Deal pipelines
 *     ~ Продажи › Счет отправлен  [drift]
 *         name: "Счет (вручную)" → "Счет отправлен"
 *     - Продажи › Архив  [destructive]  not in config
 *
 *   Plan: 0 to create, 1 to update, 1 to delete (1 destructive), 40 unchanged.
 */
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { Change, Operation, Plan } from '../provision/plan.js';
import type { PullResult } from '../provision/pull-portal.js';

export interface PlanRenderOptions {
  color: boolean;
  /** Also list unchanged entities and what creates set. */
  verbose?: boolean;
}

const SECTIONS: [prefix: string, title: string][] = [
  ['department:', 'Company structure'],
  ['pipeline:', 'Deal pipelines'],
  ['dealField:', 'Deal fields'],
  ['smartProcess:', 'Smart processes'],
  ['list:', 'Universal lists'],
];

const MARK: Record<Operation['action'], string> = { create: '+', update: '~', delete: '-', noop: '=' };

/** `"text"`, numbers and flags as they are, lists and maps as compact JSON, nothing as `—`. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function paintOp(c: ChalkInstance, action: Operation['action']): (s: string) => string {
  if (action === 'create') return c.green;
  if (action === 'update') return c.yellow;
  if (action === 'delete') return c.red;
  return c.gray;
}

function changeLine(c: ChalkInstance, change: Change): string {
  const drift = change.drift ? c.magenta('  (changed on the portal)') : '';
  return `${change.field}: ${formatValue(change.from)} → ${formatValue(change.to)}${drift}`;
}

function opLines(c: ChalkInstance, op: Operation, verbose: boolean): string[] {
  const depth = op.address.split('/').length - 1;
  const indent = '  '.repeat(depth + 1);
  const paint = paintOp(c, op.action);
  const tags = [
    op.destructive ? c.red.bold('[destructive]') : '',
    op.drift ? c.magenta('[drift]') : '',
    op.blocked ? c.red(`[refused: ${op.blocked}]`) : '',
    op.reason && op.action !== 'noop' ? c.gray(op.reason) : '',
  ].filter(Boolean);
  const lines = [
    `${indent}${paint(`${MARK[op.action]} ${op.name}`)}${tags.length ? '  ' + tags.join('  ') : ''}`,
  ];
  for (const change of op.changes) lines.push(`${indent}    ${changeLine(c, change)}`);
  if (verbose && op.action === 'create' && op.set) lines.push(c.gray(`${indent}    ${formatValue(op.set)}`));
  return lines;
}

/** The summary line: "Plan: 3 to create, 1 to update, 1 to delete (1 destructive), 40 unchanged." */
export function planSummaryLine(plan: Plan): string {
  const s = plan.summary;
  const destructive = s.destructive > 0 ? ` (${s.destructive} destructive)` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete${destructive}, ${s.noop} unchanged.`;
}

export function renderPlan(plan: Plan, options: PlanRenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const verbose = options.verbose ?? false;
  const lines: string[] = [];
  for (const [prefix, title] of SECTIONS) {
    const ops = plan.operations.filter(
      (op) => op.address.startsWith(prefix) && (verbose || op.action !== 'noop'),
    );
    if (ops.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(c.bold(title));
    for (const op of ops) lines.push(...opLines(c, op, verbose));
  }
  if (lines.length > 0) lines.push('');
  if (plan.operations.every((op) => op.action === 'noop')) {
    lines.push(
      c.green(`No changes: the portal matches the configuration (${plan.operations.length} entities).`),
    );
  } else {
    lines.push(c.bold(planSummaryLine(plan)));
    if (plan.summary.drift > 0)
      lines.push(c.magenta(`${plan.summary.drift} of them undo changes made on the portal by hand (drift).`));
    if (plan.summary.destructive > 0)
      lines.push(c.red('Destructive changes are applied only with --allow-deletes.'));
  }
  for (const warning of plan.warnings) lines.push(c.yellow(`warning: ${warning}`));
  return lines.join('\n');
}

/** "Pulled 9 departments, 3 pipelines (25 stages), 11 deal fields, 1 smart process into config/." */
export function renderPullResult(result: PullResult, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const n = result.counts;
  const lines = [
    c.green(
      `Pulled ${n.departments} departments, ${n.pipelines} pipelines (${n.stages} stages), ${n.dealFields} deal fields, ${n.smartProcesses} smart processes from ${result.portal} into ${result.dir}.`,
    ),
  ];
  if (result.written.length > 0) lines.push(`Written: ${result.written.join(', ')}`);
  if (result.unchanged.length > 0) lines.push(c.gray(`Unchanged: ${result.unchanged.join(', ')}`));
  lines.push(c.gray(`Next: b24lab plan --config ${result.dir}`));
  return lines.join('\n');
}
