import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

/**
 * The shipped rules check "the record is at stage X" as `{ field: stageId, op: contains, value: X }`
 * (the rule language has no stage condition yet). That holds only while X is the code of exactly one
 * stage of the rule's pipeline or directions: a stage added later whose code contains X (CONTRACT ->
 * CONTRACT_SIGNED) would make such a rule fire at the wrong stage. This guards it.
 */
describe('stage conditions of the shipped rules', () => {
  it('each names exactly one stage of the rule’s pipeline or directions', () => {
    const loaded = loadConfig('config');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues, null, 2));
    const { config } = loaded;
    const checked: string[] = [];
    for (const rule of config.automation!.rules) {
      for (const c of rule.conditions) {
        if (c.field !== 'stageId') continue;
        expect(c.op, rule.id).toBe('contains');
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
        } else continue;
        const values = (Array.isArray(c.value) ? c.value : [c.value]).map(String);
        for (const value of values) {
          const hits = [...new Set(codes.filter((code) => code.toLowerCase().includes(value.toLowerCase())))];
          expect(hits, `${rule.id}: ${value}`).toEqual([value]);
          checked.push(`${rule.id}:${value}`);
        }
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'sales-invoice-paid:INVOICE_SENT',
        'procurement-responsible-assigned:CONTRACT',
        'lab-distributed:DISTRIBUTION',
        'sales-feedback-received:RESULTS_SENT',
      ]),
    );
  });
});
