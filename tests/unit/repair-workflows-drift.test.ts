import { describe, expect, it } from 'vitest';
import { checkConfigDrift } from '../../src/repair/check-config-drift.js';
import { checkStuckWorkflows } from '../../src/repair/check-stuck-workflows.js';
import type { WorkflowRow } from '../../src/repair/portal-view.js';
import type { Plan } from '../../src/provision/plan.js';
import { NOW, policy, view } from './repair-fixtures.js';

const wf = (id: string, ownedUntil: number | null): WorkflowRow => ({
  id,
  documentId: 'DEAL_12',
  entity: 'CCrmDocumentDeal',
  moduleId: 'crm',
  templateId: 212,
  startedBy: 1,
  ownedUntil,
  modified: NOW - 3_600_000,
});

describe('stuck-workflows', () => {
  it('a lock that expired more than 5 minutes ago is stuck (bizproc-workflow-instances.md)', async () => {
    const findings = await checkStuckWorkflows(
      view({
        workflows: [
          wf('a', null),
          wf('b', NOW - 5 * 60_000),
          wf('c', NOW - 5 * 60_000 - 1),
          wf('d', NOW + 60_000),
        ],
      }),
      policy(),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      fixable: 'person',
      entities: [{ type: 'workflow', id: 'c', link: 'https://lab.example.ru/crm/deal/details/12/' }],
    });
  });

  it('policy terminate makes it fixable', async () => {
    const [f] = await checkStuckWorkflows(
      view({ workflows: [wf('c', NOW - 3_600_000)] }),
      policy({ stuckWorkflows: 'terminate' }),
    );
    expect(f).toMatchObject({ fixable: 'repair', fixes: [{ kind: 'terminate-workflow', workflowId: 'c' }] });
  });
});

describe('config-drift', () => {
  it('every operation of the plan but noops is a finding for a person', async () => {
    const plan: Plan = {
      operations: [
        {
          action: 'noop',
          entity: 'pipeline',
          address: 'pipeline:sales',
          name: 'Продажи',
          destructive: false,
          drift: false,
          changes: [],
        },
        {
          action: 'update',
          entity: 'stage',
          address: 'pipeline:sales/stage:WON',
          name: 'Продажи › Сделка успешна',
          destructive: false,
          drift: true,
          changes: [{ field: 'name', from: 'Успех', to: 'Сделка успешна', drift: true }],
        },
        {
          action: 'delete',
          entity: 'stage',
          address: 'pipeline:sales/stage:#7',
          name: 'Продажи › Лишняя',
          destructive: true,
          drift: false,
          changes: [],
        },
      ],
      summary: { create: 0, update: 1, delete: 1, noop: 1, destructive: 1, drift: 1 },
      warnings: [],
      known: {},
      state: {},
    };
    const findings = await checkConfigDrift(view({}, { plan }));
    expect(findings.map((f) => [f.summary, f.fixable])).toEqual([
      [
        'stage «Продажи › Сделка успешна» (pipeline:sales/stage:WON): apply would update it (name), changed on the portal by hand',
        'person',
      ],
      ['stage «Продажи › Лишняя» (pipeline:sales/stage:#7): apply would delete it', 'person'],
    ]);
    expect(findings[1]!.hint).toContain('--allow-deletes');
    expect(await checkConfigDrift(view())).toEqual([]);
  });
});
