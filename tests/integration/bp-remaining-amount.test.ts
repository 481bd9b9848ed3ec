import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Process 4 of the case study, «Расчет остатка суммы», run from config/automation.yaml by the sync
 * job: «Остаток к оплате» follows the amount and the paid sum; when the results go to the client
 * while money is owed, the manager gets a comment with the remaining sum and a payment task.
 */
describe('business process 4: remaining amount', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const deal = async (id: number): Promise<Record<string, unknown>> =>
    (await lab.call('crm.deal.get', { id })) as Record<string, unknown>;

  beforeAll(async () => {
    lab = await labPortal();
    for (const [name, type] of [
      ['PAID_AMOUNT', 'double'],
      ['REMAINING_AMOUNT', 'double'],
      ['RESULTS_SENT_DATE', 'date'],
    ] as const) {
      await lab.call('crm.deal.userfield.add', { fields: { FIELD_NAME: name, USER_TYPE_ID: type } });
    }
    env = jobEnvironment(lab);
    await runJob('sync', env); // the baseline: the portal's existing records are not news
    await lab.advance(0.01);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('computes the remaining amount of a new deal, shows it in a dry run first, and once', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Экспертиза подписи',
          CATEGORY_ID: sales.id,
          ASSIGNED_BY_ID: lab.ids.users.manager,
          OPPORTUNITY: 1500,
          UF_CRM_PAID_AMOUNT: 400,
        },
      }),
    );
    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toContainEqual(
      expect.objectContaining({
        ruleId: 'remaining-amount-on-create',
        entity: `2:${id}`,
        outcome: 'would-do',
        summary: 'set UF_CRM_REMAINING_AMOUNT = 1100',
      }),
    );
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT ?? 0)).toBe(0);

    const run = await runJob('sync', env);
    expect(run.actions).toContainEqual(
      expect.objectContaining({ ruleId: 'remaining-amount-on-create', outcome: 'done' }),
    );
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(1100);

    const again = await runJob('sync', env);
    expect(again.actions).toEqual([]);
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(1100);
  });

  it('follows payments and a changed amount, never below zero', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Анализ чернил',
          CATEGORY_ID: sales.id,
          ASSIGNED_BY_ID: lab.ids.users.manager,
          OPPORTUNITY: 1000,
        },
      }),
    );
    await runJob('sync', env);
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(1000);

    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { UF_CRM_PAID_AMOUNT: 250.5 } });
    const paid = await runJob('sync', env);
    expect(paid.actions).toEqual([
      expect.objectContaining({ ruleId: 'remaining-amount-on-payment', outcome: 'done' }),
    ]);
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(749.5);

    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { OPPORTUNITY: 200 } });
    await runJob('sync', env);
    expect(Number((await deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(0);
    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('results sent while money is owed: a comment with the remaining sum and a payment task, once', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Техническая экспертиза',
          CATEGORY_ID: sales.id,
          ASSIGNED_BY_ID: lab.ids.users.manager,
          OPPORTUNITY: 3000,
          UF_CRM_PAID_AMOUNT: 1000,
        },
      }),
    );
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { UF_CRM_RESULTS_SENT_DATE: '2026-11-27' } });
    const run = await runJob('sync', env);
    expect(run.actions.map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['remaining-amount-results-sent', 'comment', 'done'],
      ['remaining-amount-results-sent', 'task', 'done'],
    ]);
    const comments = (await lab.call('crm.timeline.comment.list', {
      filter: { ENTITY_ID: id, ENTITY_TYPE: 'deal' },
    })) as { COMMENT: string }[];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.COMMENT).toContain('Остаток к оплате: 2000');
    const tasks = await lab.tasks(`D_${id}`);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      title: 'Проконтролировать оплату остатка: Техническая экспертиза',
      responsibleId: String(lab.ids.users.manager),
    });
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });
});
