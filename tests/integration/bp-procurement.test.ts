import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { ShippedLab } from './bp-shipped-portal.js';
import { done, shippedJobs, shippedLab } from './bp-shipped-portal.js';

/**
 * Process 7 of the case study, «Госзакупки», run by the sync job from the SHIPPED config against a
 * portal provisioned from config/: the contract concluded, the head of «Отдел госзакупок» gets a task
 * to assign the responsible; the assignment (or the head completing the task) closes it, moves the
 * deal to «Назначен ответственный» and passes the responsible on to the contact and the company; the
 * contract fulfilled and paid in full closes the deal as won. A rerun changes nothing.
 */
describe('business process 7: public procurement', () => {
  let lab: ShippedLab;
  let jobs: ReturnType<typeof shippedJobs>;

  const responsibleOf = async (entityTypeId: number, id: number): Promise<number> =>
    Number(
      ((await lab.call('crm.item.get', { entityTypeId, id })) as { item: { assignedById: number } }).item
        .assignedById,
    );
  const tender = async (title: string, stage: string, fields: Record<string, unknown> = {}) => {
    const company = Number(
      await lab.call('crm.company.add', {
        fields: { TITLE: `Заказчик: ${title}`, ASSIGNED_BY_ID: lab.users.procurementHead },
      }),
    );
    const contact = Number(
      await lab.call('crm.contact.add', {
        fields: { NAME: 'Контрактный управляющий', ASSIGNED_BY_ID: lab.users.procurementHead },
      }),
    );
    const procurement = lab.pipelines.procurement!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: procurement.id,
          STAGE_ID: procurement.stage(stage),
          ASSIGNED_BY_ID: lab.users.procurementHead,
          COMPANY_ID: company,
          CONTACT_IDS: [contact],
          ...fields,
        },
      }),
    );
    return { id, company, contact };
  };
  const moveTo = async (id: number, stage: string): Promise<void> => {
    await lab.as('procurementHead', 'crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.pipelines.procurement!.stage(stage) },
    });
  };

  beforeAll(async () => {
    lab = await shippedLab();
    jobs = shippedJobs(lab);
    await jobs.sync();
  }, 60_000);
  afterAll(async () => {
    jobs?.close();
    await lab?.close();
  });

  it('contract concluded: the head of the direction assigns a responsible; task closed, stage moved, client passed on', async () => {
    const procurement = lab.pipelines.procurement!;
    const { id, company, contact } = await tender('Госконтракт 44-ФЗ №12', 'NEW', { OPPORTUNITY: 500000 });
    await jobs.sync();
    await moveTo(id, 'CONTRACT');
    const dry = await runJob('sync', jobs, { dryRun: true });
    expect(dry.actions).toEqual([
      expect.objectContaining({
        ruleId: 'procurement-contract-assign-task',
        kind: 'task',
        outcome: 'would-do',
        summary: expect.stringContaining(`(user ${lab.users.procurementHead})`),
      }),
    ]);
    expect(await lab.tasks(`D_${id}`)).toEqual([]);
    expect(done(await jobs.sync())).toEqual(['procurement-contract-assign-task task done']);
    const task = await lab.task(`D_${id}`, 'Назначить ответственного по госзакупке');
    expect(task).toMatchObject({
      title: 'Назначить ответственного по госзакупке: Госконтракт 44-ФЗ №12',
      status: '2',
    });
    expect(Number(task.responsibleId)).toBe(lab.users.procurementHead);

    // The head assigns the manager in the deal's card.
    await lab.as('procurementHead', 'crm.deal.update', {
      id,
      fields: { ASSIGNED_BY_ID: lab.users.procurementManager },
    });
    expect(done(await jobs.sync())).toEqual([
      'procurement-responsible-to-client update_linked done',
      'procurement-responsible-assigned complete_task done',
      'procurement-responsible-assigned update done',
      'procurement-responsible-assigned notify done',
    ]);
    expect((await lab.deal(id)).stageId).toBe(procurement.stage('ASSIGNED'));
    expect((await lab.task(`D_${id}`, 'Назначить ответственного')).status).toBe('5');
    expect(await responsibleOf(4, company)).toBe(lab.users.procurementManager);
    expect(await responsibleOf(3, contact)).toBe(lab.users.procurementManager);
    expect(await lab.notifications('procurementManager')).toEqual([
      expect.stringContaining('Вы назначены ответственным по госзакупке [URL=/crm/deal/details/'),
    ]);

    // The move to «Назначен ответственный» is seen; nothing repeats. A later reassignment only passes
    // the client on: the stage stays.
    expect(done(await jobs.sync())).toEqual([]);
    await moveTo(id, 'PRODUCTION');
    await jobs.sync();
    await jobs.sync();
    await lab.as('procurementHead', 'crm.deal.update', { id, fields: { ASSIGNED_BY_ID: lab.users.manager } });
    expect(done(await jobs.sync())).toEqual(['procurement-responsible-to-client update_linked done']);
    expect((await lab.deal(id)).stageId).toBe(procurement.stage('PRODUCTION'));
    expect(done(await jobs.sync())).toEqual([]);
  });

  it('the head completes the assignment task keeping himself: the deal moves on all the same', async () => {
    const { id } = await tender('Госконтракт 44-ФЗ №13', 'CONTRACT');
    await jobs.sync();
    const task = await lab.task(`D_${id}`, 'Назначить ответственного');
    await lab.as('procurementHead', 'tasks.task.complete', { taskId: task.id });
    expect(done(await jobs.sync())).toEqual(['procurement-assign-task-done update done']);
    expect((await lab.deal(id)).stageId).toBe(lab.pipelines.procurement!.stage('ASSIGNED'));
    expect(done(await jobs.sync())).toEqual([]);
  });

  it('fulfilled and paid in full: won, the payment task closed; paid before fulfilment: won on fulfilment', async () => {
    const procurement = lab.pipelines.procurement!;
    const { id } = await tender('Госконтракт 44-ФЗ №14', 'PRODUCTION', { OPPORTUNITY: 300000 });
    const early = await tender('Госконтракт 44-ФЗ №15', 'PRODUCTION', { OPPORTUNITY: 90000 });
    await jobs.sync(); // created in production: remaining amount, the hand-over (process 1)
    await jobs.sync(); // the laboratory's items (process 8)
    expect(Number((await lab.deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(300000);

    await moveTo(id, 'FULFILLED');
    expect(done(await jobs.sync())).toEqual(['procurement-fulfilled-payment-task task done']);
    const payment = await lab.task(`D_${id}`, 'Проконтролировать получение оплаты');
    expect(Number(payment.responsibleId)).toBe(lab.users.procurementHead);

    await lab.as('accountant', 'crm.deal.update', { id, fields: { UF_CRM_PAID_AMOUNT: 100000 } });
    expect(done(await jobs.sync())).toEqual(['procurement-remaining-amount-on-payment update done']);
    expect(done(await jobs.sync())).toEqual([]);
    expect((await lab.deal(id)).stageId).toBe(procurement.stage('FULFILLED'));
    await lab.as('accountant', 'crm.deal.update', { id, fields: { UF_CRM_PAID_AMOUNT: 300000 } });
    // Paid in full: the remaining amount and the win in the same sync.
    expect(done(await jobs.sync())).toEqual([
      'procurement-remaining-amount-on-payment update done',
      'procurement-paid-won complete_task done',
      'procurement-paid-won update done',
    ]);
    const won = await lab.deal(id);
    expect(won.stageId).toBe(procurement.stage('WON'));
    expect(Number(won.UF_CRM_REMAINING_AMOUNT)).toBe(0);
    expect((await lab.task(`D_${id}`, 'Проконтролировать получение оплаты')).status).toBe('5');

    // Paid while still in production: the fulfilment closes it.
    await lab.as('accountant', 'crm.deal.update', { id: early.id, fields: { UF_CRM_PAID_AMOUNT: 90000 } });
    await jobs.sync();
    await jobs.sync();
    expect((await lab.deal(early.id)).stageId).toBe(procurement.stage('PRODUCTION'));
    await moveTo(early.id, 'FULFILLED');
    expect(done(await jobs.sync())).toEqual([
      'procurement-fulfilled-payment-task task done',
      'procurement-fulfilled-paid-won complete_task done',
      'procurement-fulfilled-paid-won update done',
    ]);
    expect((await lab.deal(early.id)).stageId).toBe(procurement.stage('WON'));
    expect((await lab.task(`D_${early.id}`, 'Проконтролировать получение оплаты')).status).toBe('5');
    expect(done(await jobs.sync())).toEqual([]);
  });
});
