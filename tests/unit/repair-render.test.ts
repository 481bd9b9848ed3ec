import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/repair/finding.js';
import { planRepair } from '../../src/repair/plan-repair.js';
import { upperToCamel } from '../../src/repair/restore-repair.js';
import { diagnose } from '../../src/repair/run-doctor.js';
import type { RepairResult } from '../../src/repair/run-repair.js';
import { changeRows } from '../../src/repair/save-touched.js';
import { renderDoctorReport } from '../../src/ui/doctor-render.js';
import { renderRepairResult, renderRepairUndo } from '../../src/ui/repair-render.js';
import { contact, deal, policy, view } from './repair-fixtures.js';

describe('doctor view', () => {
  it('groups findings by check with why, fix and links; counts; prints the server checklist', async () => {
    const v = view({
      deals: [deal(1, { assignedById: 4 })],
      contacts: [contact(1, { phones: ['89135551234'] }), contact(2, { phones: ['+79135551234'] })],
    });
    const text = renderDoctorReport(await diagnose(v, policy()), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Doctor: https://lab.example.ru at 2026-11-20T10:00:00.000Z');
    expect(text).toContain(
      [
        '✗ Responsible dismissed or missing (1)',
        '  • 1 deal is assigned to Менеджер Борис (#4), who is dismissed',
        '    why   Nobody works on them: robots and head notifications resolve to nobody, and no manager sees them in their lists.',
        '    fix   repair: Reassign to Руководитель продаж (#2).',
        '    deal #1 «Сделка 1»  https://lab.example.ru/crm/deal/details/1/',
      ].join('\n'),
    );
    expect(text).toContain("✓ Stage not of the record's pipeline");
    expect(text).toContain('- Drift from the configuration: skipped, no configuration given (--config)');
    expect(text).toContain(
      '2 findings: 1 fixed by `b24lab repair`, 1 with `--merge-duplicates`, 0 need a person.',
    );
    expect(text).toContain('  1. Agents run from cron, not on hits');
    expect(text).not.toContain('\u001b[');
  });

  it('cuts long entity lists', async () => {
    const deals = Array.from({ length: 12 }, (_, i) => deal(i + 1, { assignedById: 4 }));
    const text = renderDoctorReport(await diagnose(view({ deals }), policy()), {
      color: false,
      maxEntities: 3,
    });
    expect(text).toContain('deal #3 «Сделка 3»');
    expect(text).not.toContain('deal #4 «Сделка 4»');
    expect(text).toContain('and 9 more');
  });
});

describe('repair view and saved changes', () => {
  const left: Finding = {
    check: 'lab-item-link',
    summary: 'Проект без сделки',
    why: '',
    fixable: 'person',
    hint: '',
    entities: [],
  };
  const fix: Finding = {
    check: 'remaining-amount',
    summary: 's',
    why: 'w',
    fixable: 'repair',
    hint: 'Set the remaining amount to 600.',
    entities: [
      {
        type: 'deal',
        id: 5,
        entityTypeId: 2,
        title: 'Частичная оплата',
        link: 'https://lab.example.ru/crm/deal/details/5/',
      },
    ],
    fixes: [
      {
        kind: 'set-fields',
        target: { type: 'crm', entityTypeId: 2, id: 5 },
        fields: { ufCrmRemainingAmount: 600 },
      },
    ],
  };
  const plan = planRepair([fix, left], { mergeDuplicates: false });

  it('records each call with the fields it changes, for the undo', () => {
    expect(changeRows(plan.calls)).toEqual([
      {
        method: 'crm.item.update',
        entity: 'crm-item-2',
        entityTypeId: 2,
        id: 5,
        fields: ['ufCrmRemainingAmount'],
      },
    ]);
    expect(upperToCamel('RESPONSIBLE_ID')).toBe('responsibleId');
  });

  it('a dry run shows the plan; an applied run what happened, the backup and what is left', () => {
    const report = {
      portal: '',
      checkedAt: '',
      checks: [],
      summary: { findings: 2, repair: 1, merge: 0, person: 1 },
      serverChecklist: [],
    };
    const dry: RepairResult = { report, plan, dryRun: true, applied: false, outcomes: [] };
    expect(renderRepairResult(dry, { color: false })).toBe(
      [
        'Changes (1):',
        '  crm.item.update deal #5 «Частичная оплата»: ufCrmRemainingAmount',
        '    remaining-amount: Set the remaining amount to 600.',
        'Left for a person (1):',
        '  needs a person: Проект без сделки',
        'Dry run: nothing was changed.',
      ].join('\n'),
    );
    const done: RepairResult = {
      ...dry,
      dryRun: false,
      applied: true,
      backup: 'backups/repairs/x-repair',
      outcomes: [{ call: plan.calls[0]!, ok: false, error: 'ACCESS_DENIED' }],
    };
    expect(renderRepairResult(done, { color: false })).toBe(
      [
        'failed  crm.item.update deal #5 «Частичная оплата»: ufCrmRemainingAmount: ACCESS_DENIED',
        'Backup of the touched records: backups/repairs/x-repair',
        '  undo: b24lab repair --undo backups/repairs/x-repair',
        'Done: 0 changed, 1 failed. Left for a person: 1 (run `b24lab doctor` for details).',
      ].join('\n'),
    );
    expect(
      renderRepairUndo(
        { snapshot: 's', outcomes: [{ method: 'crm.item.update', entity: 'crm-item-2', id: 5, ok: true }] },
        { color: false },
      ),
    ).toBe(
      ['Undo of s:', '  restored crm-item-2 #5 (crm.item.update)', 'Done: 1 restored, 0 not restored.'].join(
        '\n',
      ),
    );
  });
});
