import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/repair/finding.js';
import { planRepair } from '../../src/repair/plan-repair.js';
import { diagnose, selectChecks } from '../../src/repair/run-doctor.js';
import { contact, deal, policy, view } from './repair-fixtures.js';

const finding = (over: Partial<Finding>): Finding => ({
  check: 'inactive-responsible',
  summary: 's',
  why: 'w',
  fixable: 'repair',
  hint: 'h',
  entities: [{ type: 'deal', id: 1, entityTypeId: 2, title: 'Сделка 1' }],
  ...over,
});

describe('planRepair', () => {
  it('merges fixes of one record into one update, later checks winning a shared field', () => {
    const plan = planRepair(
      [
        finding({
          fixes: [
            {
              kind: 'set-fields',
              target: { type: 'crm', entityTypeId: 2, id: 1 },
              fields: { assignedById: 2 },
            },
          ],
        }),
        finding({
          check: 'remaining-amount',
          fixes: [
            {
              kind: 'set-fields',
              target: { type: 'crm', entityTypeId: 2, id: 1 },
              fields: { ufCrmRemainingAmount: 5 },
            },
          ],
        }),
        finding({
          check: 'responsible-mismatch',
          fixes: [
            {
              kind: 'set-fields',
              target: { type: 'crm', entityTypeId: 2, id: 1 },
              fields: { assignedById: 3 },
            },
          ],
        }),
        finding({
          fixes: [{ kind: 'set-fields', target: { type: 'task', id: 9 }, fields: { RESPONSIBLE_ID: 2 } }],
          entities: [{ type: 'task', id: 9, title: 't' }],
        }),
      ],
      { mergeDuplicates: false },
    );
    expect(plan.calls.map((c) => [c.method, c.params, c.fields])).toEqual([
      [
        'crm.item.update',
        { entityTypeId: 2, id: 1, fields: { assignedById: 3, ufCrmRemainingAmount: 5 } },
        ['assignedById', 'ufCrmRemainingAmount'],
      ],
      ['tasks.task.update', { taskId: 9, fields: { RESPONSIBLE_ID: 2 } }, ['RESPONSIBLE_ID']],
    ]);
    expect(plan.calls[0]!.entities).toEqual([{ type: 'deal', id: 1, entityTypeId: 2, title: 'Сделка 1' }]);
    expect(plan.left).toEqual([]);
  });

  it('duplicates merge only with --merge-duplicates; person findings are left', () => {
    const dup = finding({
      check: 'duplicates',
      fixable: 'merge',
      fixes: [{ kind: 'merge', entityTypeId: 3, ids: [1, 2] }],
    });
    const person = finding({ check: 'lab-item-link', fixable: 'person' });
    const stuck = finding({
      check: 'stuck-workflows',
      fixes: [{ kind: 'terminate-workflow', workflowId: 'w1' }],
    });
    expect(planRepair([dup, person], { mergeDuplicates: false })).toEqual({ calls: [], left: [dup, person] });
    const plan = planRepair([dup, person, stuck], { mergeDuplicates: true });
    expect(plan.calls.map((c) => [c.method, c.params])).toEqual([
      ['crm.entity.mergeBatch', { params: { entityTypeId: 3, entityIds: [1, 2] } }],
      ['bizproc.workflow.terminate', { ID: 'w1', STATUS: 'Terminated by b24lab repair: stuck' }],
    ]);
    expect(plan.left).toEqual([person]);
  });
});

describe('diagnose', () => {
  it('runs the chosen checks, skips those the portal cannot answer, and counts by fixability', async () => {
    const v = view({
      deals: [deal(1, { assignedById: 4, contactIds: [1] })],
      contacts: [contact(1, { assignedById: 3 })],
    });
    delete v.amountFields;
    const report = await diagnose(v, policy());
    expect(report.checks.map((c) => [c.name, c.findings.length, c.skipped ?? ''])).toEqual([
      ['off-pipeline-stage', 0, ''],
      ['inactive-responsible', 1, ''],
      ['responsible-mismatch', 1, ''],
      ['lab-item-link', 0, ''],
      [
        'remaining-amount',
        0,
        'the deal has no paid and remaining amount fields (repair.paidField, repair.remainingField)',
      ],
      ['stale-list-values', 0, ''],
      ['duplicates', 0, ''],
      ['stuck-workflows', 0, ''],
      ['config-drift', 0, 'no configuration given (--config)'],
    ]);
    expect(report.summary).toEqual({ findings: 2, repair: 2, merge: 0, person: 0 });
    expect(report.checkedAt).toBe('2026-11-20T10:00:00.000Z');
    expect(report.serverChecklist.length).toBeGreaterThanOrEqual(4);
  });

  it('--only picks checks and refuses unknown names', () => {
    expect(selectChecks('duplicates, stuck-workflows').map((c) => c.name)).toEqual([
      'duplicates',
      'stuck-workflows',
    ]);
    expect(() => selectChecks('dupes')).toThrow(/Unknown check: dupes/);
  });
});
