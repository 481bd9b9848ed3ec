import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

/**
 * The shipped rules say "the record is at stage X" as `{ field: stage, value: X }`, which compares the
 * stage's code (match-conditions.ts). The workaround it replaced, `{ field: stageId, op: contains,
 * value: X }`, also matched any stage whose code contains X (CONTRACT -> CONTRACT_SIGNED): this guards
 * that it does not come back, and that every stage code a condition names is a stage of the rule's
 * pipeline or directions.
 */
describe('stage conditions of the shipped rules', () => {
  it('compare the stage code, each a stage of the rule’s pipeline or directions', () => {
    const loaded = loadConfig('config');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues, null, 2));
    const { config } = loaded;
    const checked: string[] = [];
    for (const rule of config.automation!.rules) {
      for (const c of rule.conditions) {
        expect(c.field.toLowerCase(), `${rule.id}: a condition on the STATUS_ID`).not.toMatch(
          /^(parent\.)?(stageid|stage_id)$/,
        );
        if (c.field !== 'stage') continue;
        expect(['=', 'in'], rule.id).toContain(c.op);
        const entity = rule.entity;
        let codes: string[];
        if ('pipeline' in entity) {
          codes = config.pipelines!.find((p) => p.key === entity.pipeline)!.stages.map((s) => s.code);
        } else if ('smartProcess' in entity) {
          const sp = config.smartProcesses!.find((p) => p.key === entity.smartProcess)!;
          const wanted = entity.directions;
          codes = sp.categories
            .filter((d) => !wanted || wanted.includes(d.key))
            .flatMap((d) => d.stages.map((s) => s.code));
        } else throw new Error(`${rule.id}: a stage condition on a list rule`);
        for (const value of Array.isArray(c.value) ? c.value : [c.value]) {
          expect(codes, `${rule.id}: ${String(value)}`).toContain(value);
          checked.push(`${rule.id}:${String(value)}`);
        }
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'sales-invoice-paid:INVOICE_SENT',
        'sales-invoice-paid-in-advance:INVOICE_SENT',
        'procurement-responsible-assigned:CONTRACT',
        'procurement-assign-task-done:CONTRACT',
        'procurement-paid-won:FULFILLED',
        'lab-distributed:DISTRIBUTION',
        'lab-distribute-task-done:DISTRIBUTION',
        'lab-prepared:PREPARATION',
        'sales-feedback-received:RESULTS_SENT',
      ]),
    );
  });
});
