import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Process 5 of the case study, «Смена ответственных», run from config/automation.yaml by the sync
 * job: a new responsible of the deal becomes the responsible of its contacts and company.
 */
describe('business process 5: change of responsible', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const responsibleOf = async (entityTypeId: number, id: number): Promise<number> => {
    const answer = (await lab.call('crm.item.get', { entityTypeId, id })) as {
      item: { assignedById: number };
    };
    return Number(answer.item.assignedById);
  };

  beforeAll(async () => {
    lab = await labPortal();
    env = jobEnvironment(lab);
    await runJob('sync', env);
    await lab.advance(0.01);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it("moves the contacts and the company to the deal's new responsible, dry run first, once", async () => {
    const { manager, salesHead, observerA } = lab.ids.users;
    const company = Number(
      await lab.call('crm.company.add', { fields: { TITLE: 'ООО Экспертиза', ASSIGNED_BY_ID: manager } }),
    );
    const c1 = Number(
      await lab.call('crm.contact.add', { fields: { NAME: 'Иван', ASSIGNED_BY_ID: manager } }),
    );
    const c2 = Number(
      await lab.call('crm.contact.add', { fields: { NAME: 'Мария', ASSIGNED_BY_ID: observerA } }),
    );
    const procurement = lab.ids.pipelines.procurement!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Госконтракт 17',
          CATEGORY_ID: procurement.id,
          ASSIGNED_BY_ID: manager,
          COMPANY_ID: company,
          CONTACT_IDS: [c1, c2],
        },
      }),
    );
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: salesHead } });

    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toEqual([
      expect.objectContaining({
        ruleId: 'procurement-responsible-to-client',
        entity: `2:${id}`,
        kind: 'update_linked',
        outcome: 'would-do',
        summary: `make SalesHead (user ${salesHead}) responsible for the contacts and company`,
      }),
    ]);
    expect(await responsibleOf(4, company)).toBe(manager);

    const run = await runJob('sync', env);
    expect(run.actions).toEqual([
      expect.objectContaining({
        ruleId: 'procurement-responsible-to-client',
        outcome: 'done',
        result: { updated: expect.arrayContaining([`3:${c1}`, `3:${c2}`, `4:${company}`]) as unknown },
      }),
    ]);
    expect(await responsibleOf(4, company)).toBe(salesHead);
    expect(await responsibleOf(3, c1)).toBe(salesHead);
    expect(await responsibleOf(3, c2)).toBe(salesHead);

    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('a deal without contacts or company: done, nothing to update', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: { TITLE: 'Без клиента', CATEGORY_ID: sales.id, ASSIGNED_BY_ID: lab.ids.users.manager },
      }),
    );
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: lab.ids.users.observerB } });
    const run = await runJob('sync', env);
    expect(run.actions).toEqual([
      expect.objectContaining({
        ruleId: 'sales-responsible-to-client',
        outcome: 'done',
        result: { updated: [] },
      }),
    ]);
  });
  it('a run killed after the update: the next run finds it done on the portal, updates nothing again', async () => {
    const { manager, gtiHead } = lab.ids.users;
    const company = Number(
      await lab.call('crm.company.add', { fields: { TITLE: 'АО Лаборатория', ASSIGNED_BY_ID: manager } }),
    );
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: { TITLE: 'Прерванный', CATEGORY_ID: sales.id, ASSIGNED_BY_ID: manager, COMPANY_ID: company },
      }),
    );
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: gtiHead } });
    const dying = jobEnvironment(lab, {
      dir: env.dir,
      afterCall: () => {
        throw new Error('killed');
      },
    });
    await expect(runJob('sync', dying)).rejects.toThrow('killed');
    dying.close();
    expect(await responsibleOf(4, company)).toBe(gtiHead);
    const next = await runJob('sync', env);
    expect(next.actions).toEqual([
      expect.objectContaining({ ruleId: 'sales-responsible-to-client', outcome: 'found' }),
    ]);
  });
});
