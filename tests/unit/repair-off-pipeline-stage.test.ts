import { describe, expect, it } from 'vitest';
import { checkOffPipelineStage, stageCode } from '../../src/repair/check-off-pipeline-stage.js';
import { deal, labItem, policy, view } from './repair-fixtures.js';

describe('off-pipeline-stage', () => {
  it('strips the pipeline prefix of a stage', () => {
    expect(stageCode('C3:NEW')).toBe('NEW');
    expect(stageCode('DT1036_7:CHECK')).toBe('CHECK');
    expect(stageCode('WON')).toBe('WON');
  });

  it('finds a deal whose stage belongs to another pipeline and moves it to the same code in its own', async () => {
    const findings = await checkOffPipelineStage(
      view({ deals: [deal(1), deal(2, { stageId: 'C2:NEW' }), deal(3, { stageId: 'C2:CONTRACT' })] }),
      policy(),
    );
    expect(findings).toHaveLength(2);
    const [same, first] = findings;
    expect(same).toMatchObject({
      check: 'off-pipeline-stage',
      fixable: 'repair',
      entities: [{ type: 'deal', id: 2, link: 'https://lab.example.ru/crm/deal/details/2/' }],
      fixes: [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 2, id: 2 },
          fields: { categoryId: 1, stageId: 'C1:NEW' },
        },
      ],
    });
    expect(same!.summary).toContain('C2:NEW');
    // No CONTRACT stage in «Продажи»: the first stage of the deal's own pipeline.
    expect(first!.fixes).toEqual([
      {
        kind: 'set-fields',
        target: { type: 'crm', entityTypeId: 2, id: 3 },
        fields: { categoryId: 1, stageId: 'C1:NEW' },
      },
    ]);
  });

  it('policy first-stage always takes the first stage', async () => {
    const [f] = await checkOffPipelineStage(
      view({ deals: [deal(2, { stageId: 'C2:WON' })] }),
      policy({ offPipelineStage: 'first-stage' }),
    );
    expect(f!.fixes![0]).toMatchObject({ fields: { stageId: 'C1:NEW' } });
  });

  it('checks laboratory items too, and leaves a record of a pipeline without stages to a person', async () => {
    const findings = await checkOffPipelineStage(
      view({
        deals: [deal(4, { categoryId: 9, stageId: 'C1:NEW' })],
        labItems: [labItem(1, { stageId: 'DT1036_9:NEW' })],
      }),
      policy(),
    );
    expect(findings.map((f) => [f.entities[0]!.type, f.fixable])).toEqual([
      ['deal', 'person'],
      ['item', 'repair'],
    ]);
    expect(findings[1]!.entities[0]!.link).toBe('https://lab.example.ru/crm/type/1036/details/1/');
  });
});
