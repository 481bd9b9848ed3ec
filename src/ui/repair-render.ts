/**
 * `repair` as a person reads it: the changes it will make (or made), the backup it saved, what failed,
 * and what is left for a person. `repair --json` prints the same RepairResult instead.
 *
 *   Changes (2):
 *     crm.item.update deal #12 «Анализ керна»: assignedById
 *       inactive-responsible: Reassign to Руководитель продаж (#2).
 *   Backup of the touched records: backups/repairs/lab-example-ru-20261120T100000Z-repair
 *   Done: 2 changed, 0 failed. Left for a person: 1 (run `b24lab doctor` for details).
 */
import { Chalk } from 'chalk';
import type { RepairCall, RepairPlan } from '../repair/plan-repair.js';
import type { RepairRestoreResult } from '../repair/restore-repair.js';
import type { RepairResult } from '../repair/run-repair.js';
import { entityLine, fixLabel } from './doctor-render.js';

const chalkOf = (color: boolean): InstanceType<typeof Chalk> => new Chalk({ level: color ? 1 : 0 });

function callLine(call: RepairCall): string {
  const what =
    call.entities.length === 1
      ? entityLine(call.entities[0]!).replace(/ {2}https?:.*$/, '')
      : `${call.entities.length} records`;
  return `${call.method} ${what}${call.fields.length > 0 ? `: ${call.fields.join(', ')}` : ''}`;
}

export function renderRepairPlan(plan: RepairPlan, options: { color: boolean }): string {
  const c = chalkOf(options.color);
  const lines = [
    plan.calls.length === 0 ? 'Nothing for repair to change.' : `Changes (${plan.calls.length}):`,
  ];
  for (const call of plan.calls) lines.push(`  ${callLine(call)}`, `    ${c.gray(call.describe)}`);
  if (plan.left.length > 0) {
    lines.push(`Left for a person (${plan.left.length}):`);
    for (const f of plan.left) lines.push(`  ${c.yellow(fixLabel(f))}: ${f.summary}`);
  }
  return lines.join('\n');
}

export function renderRepairResult(result: RepairResult, options: { color: boolean }): string {
  const c = chalkOf(options.color);
  // Applied: the plan was shown before the confirmation; now what happened to each change.
  if (!result.applied) {
    const lines = [renderRepairPlan(result.plan, options)];
    if (result.dryRun) lines.push(c.yellow('Dry run: nothing was changed.'));
    else if (result.plan.calls.length > 0) lines.push(c.yellow('Nothing was changed.'));
    return lines.join('\n');
  }
  const lines: string[] = [];
  for (const o of result.outcomes)
    lines.push(
      o.ok
        ? `${c.green('changed')} ${callLine(o.call)}`
        : `${c.red('failed')}  ${callLine(o.call)}: ${o.error ?? ''}`,
    );
  if (result.backup)
    lines.push(
      `Backup of the touched records: ${result.backup}`,
      `  undo: b24lab repair --undo ${result.backup}`,
    );
  const ok = result.outcomes.filter((o) => o.ok).length;
  const left = result.plan.left.length;
  lines.push(
    `Done: ${ok} changed, ${result.outcomes.length - ok} failed.${left > 0 ? ` Left for a person: ${left} (run \`b24lab doctor\` for details).` : ''}`,
  );
  return lines.join('\n');
}

export function renderRepairUndo(result: RepairRestoreResult, options: { color: boolean }): string {
  const c = chalkOf(options.color);
  const lines = [`Undo of ${result.snapshot}:`];
  for (const o of result.outcomes)
    lines.push(
      `  ${o.ok ? c.green('restored') : c.red('not restored')} ${o.entity} #${String(o.id)} (${o.method})${o.error ? `: ${o.error}` : ''}`,
    );
  const ok = result.outcomes.filter((o) => o.ok).length;
  lines.push(`Done: ${ok} restored, ${result.outcomes.length - ok} not restored.`);
  return lines.join('\n');
}
