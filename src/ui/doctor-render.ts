/**
 * The doctor's report as a person reads it: findings grouped by check, each with why it matters,
 * what repair will do (or what a person should do) and the entities with their links; then the
 * summary and the server-side checklist. `doctor --json` prints the same DoctorReport instead.
 *
 *   ✗ Responsible dismissed or missing (1)
 *     • 2 deals are assigned to Менеджер Борис (#4), who is dismissed
 *       why   Nobody works on them: ...
 *       fix   repair: Reassign to Руководитель продаж (#2).
 *       deal #12 «Анализ керна»  https://lab.example.ru/crm/deal/details/12/
 */
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { EntityRef, Finding } from '../repair/finding.js';
import type { DoctorReport } from '../repair/run-doctor.js';

export interface DoctorRenderOptions {
  color: boolean;
  /** Entities listed per finding before "and N more". */
  maxEntities?: number;
}

export function entityLine(e: EntityRef): string {
  const id = typeof e.id === 'number' ? `#${e.id}` : e.id;
  return `${e.type} ${id} «${e.title}»${e.link ? `  ${e.link}` : ''}`;
}

export function fixLabel(f: Finding): string {
  return f.fixable === 'repair'
    ? 'repair'
    : f.fixable === 'merge'
      ? 'repair --merge-duplicates'
      : 'needs a person';
}

function finding(c: ChalkInstance, f: Finding, max: number): string[] {
  const lines = [
    `  • ${f.summary}`,
    `    ${c.gray('why')}   ${f.why}`,
    `    ${c.gray('fix')}   ${f.fixable === 'person' ? c.yellow(fixLabel(f)) : c.green(fixLabel(f))}: ${f.hint}`,
  ];
  for (const e of f.entities.slice(0, max)) lines.push(`    ${entityLine(e)}`);
  if (f.entities.length > max) lines.push(`    ${c.gray(`and ${f.entities.length - max} more`)}`);
  return lines;
}

export function renderDoctorReport(report: DoctorReport, options: DoctorRenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const max = options.maxEntities ?? 10;
  const lines = [`Doctor: ${report.portal} at ${report.checkedAt}`, ''];
  for (const check of report.checks) {
    if (check.skipped) lines.push(`${c.gray('-')} ${check.title}: ${c.gray(`skipped, ${check.skipped}`)}`);
    else if (check.findings.length === 0) lines.push(`${c.green('✓')} ${check.title}`);
    else {
      lines.push(`${c.red('✗')} ${check.title} (${check.findings.length})`);
      for (const f of check.findings) lines.push(...finding(c, f, max));
    }
  }
  const s = report.summary;
  lines.push('');
  lines.push(
    s.findings === 0
      ? c.green('No problems found.')
      : `${s.findings} finding${s.findings === 1 ? '' : 's'}: ${s.repair} fixed by \`b24lab repair\`, ${s.merge} with \`--merge-duplicates\`, ${s.person} need a person.`,
  );
  lines.push('', 'Server-side checklist (REST cannot see these; check them on the server):');
  report.serverChecklist.forEach((item, i) => {
    lines.push(
      `  ${i + 1}. ${item.title}`,
      `     ${c.gray('why')}    ${item.why}`,
      `     ${c.gray('check')}  ${item.howToCheck}`,
    );
  });
  return lines.join('\n');
}
