import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/config/config-sections.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Process 6 of the case study, «Назначение агентов»: the shipped rules (disabled until the agents'
 * ids are known) enabled with this portal's agents; the agent follows the responsible's department.
 */
describe('business process 6: agents by department', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const dealItem = async (id: number): Promise<Record<string, unknown>> =>
    (
      (await lab.call('crm.item.get', { entityTypeId: 2, id, useOriginalUfNames: 'Y' })) as {
        item: Record<string, unknown>;
      }
    ).item;

  beforeAll(async () => {
    lab = await labPortal();
    await lab.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'AGENT', USER_TYPE_ID: 'employee' } });
    const { observerA, gtiHead } = lab.ids.users;
    const automation = lab.config.automation!;
    const config: LabConfig = {
      ...lab.config,
      automation: {
        ...automation,
        rules: automation.rules.map((r) =>
          r.id.startsWith('sales-agent-')
            ? {
                ...r,
                enabled: true,
                actions: r.actions.map((a) =>
                  a.type === 'assign_by_department'
                    ? { ...a, byDepartment: { 'Отдел продаж': observerA, Лаборатория: gtiHead } }
                    : a,
                ),
              }
            : r,
        ),
      },
    };
    env = { ...jobEnvironment(lab), config };
    await runJob('sync', env);
    await lab.advance(0.01);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it("sets the agent of a manager's department (found up the tree) and adds him to the observers, once", async () => {
    const { manager, observerA, assistant, gtiHead } = lab.ids.users;
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: { TITLE: 'Агентская сделка', CATEGORY_ID: sales.id, ASSIGNED_BY_ID: manager },
      }),
    );
    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toContainEqual(
      expect.objectContaining({
        ruleId: 'sales-agent-on-create',
        outcome: 'would-do',
        summary: `set UF_CRM_AGENT = ObserverA (user ${observerA}), observer`,
      }),
    );
    await runJob('sync', env);
    let item = await dealItem(id);
    expect(Number(item.UF_CRM_AGENT)).toBe(observerA);
    expect((item.observers as unknown[]).map(Number)).toEqual([observerA]);
    expect((await runJob('sync', env)).actions).toEqual([]);

    // The deal goes to the laboratory's assistant (department «ГТИ» under «Лаборатория»).
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: assistant } });
    const changed = await runJob('sync', env);
    expect(changed.actions).toContainEqual(
      expect.objectContaining({ ruleId: 'sales-agent-on-responsible', outcome: 'done' }),
    );
    item = await dealItem(id);
    expect(Number(item.UF_CRM_AGENT)).toBe(gtiHead);
    expect((item.observers as unknown[]).map(Number)).toEqual([observerA, gtiHead]);
    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('skips, once, a responsible in no mapped department', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: { TITLE: 'Директорская', CATEGORY_ID: sales.id, ASSIGNED_BY_ID: lab.ids.users.director },
      }),
    );
    const run = await runJob('sync', env);
    expect(run.actions).toContainEqual(
      expect.objectContaining({ ruleId: 'sales-agent-on-create', entity: `2:${id}`, outcome: 'skipped' }),
    );
    expect((await dealItem(id)).UF_CRM_AGENT ?? null).toBeFalsy();
    expect((await runJob('sync', env)).actions).toEqual([]);
  });
});
