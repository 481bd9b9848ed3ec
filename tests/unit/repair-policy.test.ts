import { describe, expect, it } from 'vitest';
import { parseConfigFiles } from '../../src/config/load-config.js';
import { DEFAULT_REPAIR_POLICY } from '../../src/repair/repair-section.js';

describe('the repair section of the configuration', () => {
  it('fills every decision with its default', () => {
    expect(DEFAULT_REPAIR_POLICY).toEqual({
      inheritor: 'department-head',
      offPipelineStage: 'same-code',
      listValues: 'clear',
      stuckWorkflows: 'report',
      productionStages: ['PROD_GTI', 'PROD_ANALYTICS', 'PROD_COMPLEX', 'PRODUCTION'],
      paidField: 'PAID_AMOUNT',
      remainingField: 'REMAINING_AMOUNT',
      laboratory: 'laboratory',
    });
  });

  it('is read by the config loader, partial sections keep the other defaults', () => {
    const loaded = parseConfigFiles([
      {
        name: 'repair.yaml',
        text: 'repair:\n  fallbackUser: director@sfo-nal.example\n  stuckWorkflows: terminate\n',
      },
    ]);
    expect(loaded.ok && loaded.config.repair).toEqual({
      ...DEFAULT_REPAIR_POLICY,
      fallbackUser: 'director@sfo-nal.example',
      stuckWorkflows: 'terminate',
    });
  });

  it('reports every bad key with its file and line', () => {
    const loaded = parseConfigFiles([
      {
        name: 'repair.yaml',
        text: 'repair:\n  inheritor: whoever\n  fallbackUser: nobody\n  productionStages: [prod]\n  extra: 1\n',
      },
    ]);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.issues.map((i) => [i.file, i.path, i.line])).toEqual([
      ['repair.yaml', 'repair.inheritor', 2],
      ['repair.yaml', 'repair.fallbackUser', 3],
      ['repair.yaml', 'repair.productionStages[0]', 4],
      ['repair.yaml', 'repair.extra', 5],
    ]);
  });
});
