import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShippedLab } from './bp-shipped-portal.js';
import { done, shippedJobs, shippedLab } from './bp-shipped-portal.js';

/**
 * End-to-end walks through the laboratory's processes with the SHIPPED config/ on a portal provisioned
 * from it: people act as themselves over REST (move stages, fill fields, complete tasks, assign), the
 * portal clock moves forward between the steps, and the `sync` and `control` jobs run in between as
 * cron would run them. After each step the portal's state is checked; at the end a rerun changes
 * nothing.
 */
describe('end-to-end walks of a deal through the business processes', () => {
  let lab: ShippedLab;
  let jobs: ReturnType<typeof shippedJobs>;

  const binding = (itemId: number): string => `T${lab.lab.entityTypeId.toString(16)}_${itemId}`;
  const stageOf = async (id: number): Promise<string> => String((await lab.deal(id)).stageId);
  const itemStage = async (id: number): Promise<string> =>
    String(
      (
        (await lab.call('crm.item.get', { entityTypeId: lab.lab.entityTypeId, id })) as {
          item: { stageId: string };
        }
      ).item.stageId,
    );
  const updateItem = async (
    person: Parameters<ShippedLab['as']>[0],
    id: number,
    fields: Record<string, unknown>,
  ): Promise<void> => {
    await lab.as(person, 'crm.item.update', { entityTypeId: lab.lab.entityTypeId, id, fields });
  };
  const completeTask = async (person: Parameters<ShippedLab['as']>[0], bound: string, title: string) => {
    const task = await lab.task(bound, title);
    expect(task.status).toBe('2');
    await lab.as(person, 'tasks.task.complete', { taskId: task.id });
  };
  /** The files of a project's folder on the common drive («Проекты/<name>»). */
  const projectFiles = async (name: string): Promise<string[]> => {
    const children = async (id: string) =>
      (await lab.call('disk.folder.getchildren', { id })) as { ID: string; NAME: string }[];
    const [common] = (await lab.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as {
      ROOT_OBJECT_ID: string;
    }[];
    const projects = (await children(common!.ROOT_OBJECT_ID)).find((o) => o.NAME === 'Проекты');
    const folder = (await children(projects!.ID)).find((o) => o.NAME === name);
    return (await children(folder!.ID)).map((o) => o.NAME);
  };
  /** Runs the sync until it has nothing more to do (each run acts on what the previous one changed). */
  const settle = async (): Promise<string[]> => {
    const all: string[] = [];
    for (let i = 0; i < 10; i++) {
      const run = done(await jobs.sync());
      if (run.length === 0) return all;
      all.push(...run);
    }
    throw new Error(`the sync did not settle: ${all.join('; ')}`);
  };
  const client = async (
    title: string,
    responsible: number,
  ): Promise<{ company: number; contact: number }> => ({
    company: Number(
      await lab.call('crm.company.add', { fields: { TITLE: `ООО «${title}»`, ASSIGNED_BY_ID: responsible } }),
    ),
    contact: Number(
      await lab.call('crm.contact.add', {
        fields: { NAME: 'Заказчик', LAST_NAME: title, ASSIGNED_BY_ID: responsible },
      }),
    ),
  });
  /** Part of the «Лаборатория» flow every walk shares: distribute, prepare, check -> its direction(s). */
  const laboratoryPrepares = async (deal: number): Promise<number> => {
    const newRequest = lab.lab.direction('new-request');
    const [item] = await lab.items(deal);
    expect(await lab.task(binding(item!.id), 'Распределить проект')).toMatchObject({
      responsibleId: String(lab.users.labHead),
      status: '2',
    });
    await updateItem('labHead', item!.id, { assignedById: lab.users.assistant });
    await settle();
    expect(await itemStage(item!.id)).toBe(newRequest.stage('PREPARATION'));
    const prepare = await lab.task(binding(item!.id), 'Подготовить данные');
    expect(prepare.responsibleId).toBe(String(lab.users.assistant));
    expect(prepare.description).toContain(
      `Документы по сделке: ${String((await lab.deal(deal)).UF_CRM_DOCS_FOLDER)}`,
    );
    await lab.advance(1);
    await completeTask('assistant', binding(item!.id), 'Подготовить данные');
    await settle();
    expect(await itemStage(item!.id)).toBe(newRequest.stage('CHECK'));
    await lab.advance(0.5);
    await updateItem('labHead', item!.id, { stageId: newRequest.stage('SUCCESS') });
    return item!.id;
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

  it('Sales: new request -> qualification -> invoice -> paid -> production -> two directions -> results -> feedback -> won', async () => {
    const sales = lab.pipelines.sales!;
    const { manager } = lab.users;
    const { company, contact } = await client('Нефтесервис', manager);

    // 1. A request comes in: the manager is told.
    const deal = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Исследование керна',
          CATEGORY_ID: sales.id,
          STAGE_ID: sales.stage('NEW'),
          ASSIGNED_BY_ID: manager,
          COMPANY_ID: company,
          CONTACT_IDS: [contact],
        },
      }),
    );
    await lab.call('crm.item.update', {
      entityTypeId: 2,
      id: deal,
      fields: { observers: [lab.users.agent] },
    });
    await lab.call('crm.timeline.comment.add', {
      fields: {
        ENTITY_TYPE: 'deal',
        ENTITY_ID: deal,
        COMMENT: 'Техническое задание клиента',
        FILES: [['ТЗ.docx', Buffer.from('техническое задание').toString('base64')]],
      },
    });
    expect(await settle()).toEqual(['sales-new-request-notify notify done']);
    expect(await lab.notifications('manager')).toEqual([
      expect.stringContaining('Новая заявка: [URL=/crm/deal/details/'),
    ]);

    // 2. Next day: qualified -> the call task. Then it is forgotten for 16 days: the head is told.
    await lab.advance(1);
    await lab.as('manager', 'crm.deal.update', { id: deal, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    expect(await settle()).toEqual(['sales-qualified-call-task task done']);
    expect(await lab.task(`D_${deal}`, 'Созвониться с клиентом')).toMatchObject({
      responsibleId: String(manager),
    });
    await lab.advance(16);
    expect(done(await jobs.control())).toEqual(['sales-qualified-control notify done']);
    expect(await lab.notifications('salesHead')).toEqual([expect.stringContaining('уже 16 дн.')]);

    // 3. Negotiations: the service and the amount are agreed.
    await completeTask('manager', `D_${deal}`, 'Созвониться с клиентом');
    await lab.as('manager', 'crm.deal.update', {
      id: deal,
      fields: {
        STAGE_ID: sales.stage('NEGOTIATION'),
        OPPORTUNITY: 150000,
        UF_CRM_SERVICE: lab.enums.service.COMPLEX,
      },
    });
    expect(await settle()).toEqual(['remaining-amount-on-amount update done']);
    expect(Number((await lab.deal(deal)).UF_CRM_REMAINING_AMOUNT)).toBe(150000);

    // 4. Invoice sent: the payment task.
    await lab.advance(2);
    await lab.as('manager', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: sales.stage('INVOICE_SENT') },
    });
    expect(await settle()).toEqual(['sales-invoice-payment-task task done']);

    // 5. Paid three days later: «Счет оплачен», production of the complex service, the hand-over.
    await lab.advance(3);
    await lab.as('accountant', 'crm.deal.update', { id: deal, fields: { UF_CRM_PAID_AMOUNT: 150000 } });
    expect(await settle()).toEqual([
      'remaining-amount-on-payment update done',
      'sales-invoice-paid update done',
      'sales-invoice-paid-close-task complete_task done',
      'sales-paid-to-production-complex update done',
      'sales-production-complex copy_documents done',
      'sales-production-complex create_item done',
      'sales-production-complex task done',
      'lab-distribute-task task done',
    ]);
    const paid = await lab.deal(deal);
    expect(paid.stageId).toBe(sales.stage('PROD_COMPLEX'));
    expect(await projectFiles(`Исследование керна (сделка ${deal})`)).toEqual(['ТЗ.docx']);
    expect(paid.UF_CRM_DOCS_FOLDER).toMatch(/./);
    expect((await lab.task(`D_${deal}`, 'Отследить оплату счета')).status).toBe('5');
    expect(await lab.task(`D_${deal}`, 'Указать даты ведения проекта')).toMatchObject({
      responsibleId: String(manager),
      status: '2',
    });
    // The manager gives the project's dates: his task closes.
    await lab.as('manager', 'crm.deal.update', {
      id: deal,
      fields: { UF_CRM_PROJECT_START: '2026-12-28', UF_CRM_PROJECT_END: '2027-01-30' },
    });
    expect((await settle()).sort()).toEqual([
      'sales-project-dates-end complete_task done',
      'sales-project-dates-start complete_task done',
      'sales-project-deadline update_children done',
    ]);
    expect((await lab.task(`D_${deal}`, 'Указать даты ведения проекта')).status).toBe('5');

    // 6. The laboratory: distributed, prepared, checked -> both directions (copied).
    const original = await laboratoryPrepares(deal);
    expect(await settle()).toEqual([
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-to-both-directions copy_item done',
      'lab-to-both-directions update done',
      'lab-gti-new-project notify done',
      'lab-analytics-new-project notify done',
    ]);
    const gti = lab.lab.direction('gti');
    const analytics = lab.lab.direction('analytics');
    const [inGti, inAnalytics] = await lab.items(deal);
    expect([inGti!.id, inGti!.stageId, inAnalytics!.stageId]).toEqual([
      original,
      gti.stage('NEW'),
      analytics.stage('NEW'),
    ]);
    expect(inAnalytics!.parentId2).toBe(deal);

    // 7. The groups work; the analytics copy goes to the analyst with a deadline, and is late.
    const deadline = new Date(Date.parse(await lab.today()) + 3 * 86_400_000).toISOString().slice(0, 10);
    const shown = deadline.split('-').reverse().join('.');
    await updateItem('labHead', inAnalytics!.id, {
      assignedById: lab.users.analyst,
      [lab.lab.field('DEADLINE')]: deadline,
    });
    await updateItem('assistant', inGti!.id, { stageId: gti.stage('IN_WORK') });
    await updateItem('analyst', inAnalytics!.id, { stageId: analytics.stage('IN_WORK') });
    expect(await settle()).toEqual([]);
    expect(done(await jobs.control())).toEqual([]);
    await lab.advance(5); // past «Срок сдачи»
    expect(done(await jobs.control())).toEqual([
      'lab-project-overdue notify done',
      'lab-project-overdue notify done',
    ]);
    expect(await lab.notifications('analyticsHead')).toContainEqual(
      expect.stringContaining(`не сдан в срок ${shown}`),
    );
    expect(await lab.notifications('agent')).toContainEqual(
      expect.stringContaining(`не сдан в срок ${shown}`),
    );
    expect(done(await jobs.control())).toEqual([]);

    // 8. ГТИ finishes first: nothing for the manager yet; then the analytics group.
    await updateItem('assistant', inGti!.id, { stageId: gti.stage('SUCCESS') });
    expect(await settle()).toEqual([]);
    await lab.advance(2);
    await updateItem('analyst', inAnalytics!.id, { stageId: analytics.stage('SUCCESS') });
    expect(await settle()).toEqual(['sales-lab-finished-results-task task done']);
    expect(await lab.task(`D_${deal}`, 'Отправить результаты клиенту')).toMatchObject({
      responsibleId: String(manager),
      status: '2',
    });

    // 9. The manager sends the results: «Результаты отправлены» with the date, a feedback task.
    await lab.advance(1);
    await completeTask('manager', `D_${deal}`, 'Отправить результаты клиенту');
    expect(await settle()).toEqual([
      'sales-results-sent update done',
      'sales-results-sent update done',
      'sales-results-sent task done',
    ]);
    const sent = await lab.deal(deal);
    expect(sent.stageId).toBe(sales.stage('RESULTS_SENT'));
    expect(String(sent.UF_CRM_RESULTS_SENT_DATE).slice(0, 10)).toBe(await lab.today());
    // Paid in full: no remaining-amount comment (process 4), only the client's own.
    expect(await lab.comments('deal', deal)).toEqual(['Техническое задание клиента']);

    // 10. The client answers: feedback filled -> «Обратная связь получена» -> won.
    await lab.advance(3);
    await lab.as('manager', 'crm.deal.update', {
      id: deal,
      fields: { UF_CRM_FEEDBACK: 'Результаты приняты, спасибо' },
    });
    expect(await settle()).toEqual([
      'sales-feedback-received complete_task done',
      'sales-feedback-received update done',
      'sales-feedback-won update done',
    ]);
    expect(await stageOf(deal)).toBe(sales.stage('WON'));
    expect((await lab.tasks(`D_${deal}`)).map((t) => [t.title.split(':')[0], t.status])).toEqual([
      ['Созвониться с клиентом и начать переговоры', '5'],
      ['Отследить оплату счета', '5'],
      ['Указать даты ведения проекта', '5'],
      ['Отправить результаты клиенту', '5'],
      ['Получить обратную связь от клиента', '5'],
    ]);
    expect(done(await jobs.sync())).toEqual([]);
    expect(done(await jobs.control())).toEqual([]);
    expect(await lab.items(deal)).toHaveLength(2);
  });

  it('«Госзакупки»: contract -> the head assigns -> production -> ГТИ -> results -> fulfilled -> paid -> won', async () => {
    const procurement = lab.pipelines.procurement!;
    const { procurementHead, procurementManager } = lab.users;
    const { company, contact } = await client('Росгеология', procurementHead);
    const deal = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Госконтракт 0317',
          CATEGORY_ID: procurement.id,
          STAGE_ID: procurement.stage('NEW'),
          ASSIGNED_BY_ID: procurementHead,
          COMPANY_ID: company,
          CONTACT_IDS: [contact],
          OPPORTUNITY: 400000,
          UF_CRM_SERVICE: lab.enums.service.GTI,
        },
      }),
    );
    expect(await settle()).toEqual(['procurement-remaining-amount-on-create update done']);

    // The contract is concluded: the head of the direction is to assign a responsible.
    await lab.advance(1);
    await lab.as('procurementHead', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: procurement.stage('CONTRACT') },
    });
    expect(await settle()).toEqual(['procurement-contract-assign-task task done']);
    await lab.advance(0.5);
    await lab.as('procurementHead', 'crm.deal.update', {
      id: deal,
      fields: { ASSIGNED_BY_ID: procurementManager },
    });
    expect(await settle()).toEqual([
      'procurement-responsible-to-client update_linked done',
      'procurement-responsible-assigned complete_task done',
      'procurement-responsible-assigned update done',
      'procurement-responsible-assigned notify done',
    ]);
    expect(await stageOf(deal)).toBe(procurement.stage('ASSIGNED'));
    expect((await lab.call('crm.company.get', { id: company })).ASSIGNED_BY_ID).toBe(
      String(procurementManager),
    );
    expect((await lab.task(`D_${deal}`, 'Назначить ответственного')).status).toBe('5');

    // Production: the hand-over to the laboratory.
    await lab.advance(2);
    await lab.as('procurementManager', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: procurement.stage('PRODUCTION') },
    });
    expect(await settle()).toEqual([
      'procurement-production-gti copy_documents done',
      'procurement-production-gti create_item done',
      'procurement-production-gti task done',
      'lab-distribute-task task done',
    ]);
    const item = await laboratoryPrepares(deal);
    expect(await settle()).toEqual([
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-to-gti update done',
      'lab-gti-new-project notify done',
    ]);
    const gti = lab.lab.direction('gti');
    expect(await itemStage(item)).toBe(gti.stage('NEW'));
    await lab.advance(10);
    await updateItem('assistant', item, { stageId: gti.stage('SUCCESS') });
    expect(await settle()).toEqual(['procurement-lab-finished-results-task task done']);

    // Results handed over: the contract is fulfilled, the payment is controlled, then received.
    await completeTask('procurementManager', `D_${deal}`, 'Передать результаты заказчику');
    expect(await settle()).toEqual([
      'procurement-results-sent update done',
      'procurement-results-sent update done',
      'procurement-fulfilled-payment-task task done',
    ]);
    expect(await stageOf(deal)).toBe(procurement.stage('FULFILLED'));
    expect(await lab.task(`D_${deal}`, 'Проконтролировать получение оплаты')).toMatchObject({
      responsibleId: String(procurementManager),
      status: '2',
    });
    await lab.advance(14);
    await lab.as('accountant', 'crm.deal.update', { id: deal, fields: { UF_CRM_PAID_AMOUNT: 400000 } });
    expect(await settle()).toEqual([
      'procurement-remaining-amount-on-payment update done',
      'procurement-paid-won complete_task done',
      'procurement-paid-won update done',
    ]);
    expect(await stageOf(deal)).toBe(procurement.stage('WON'));
    expect((await lab.task(`D_${deal}`, 'Проконтролировать получение оплаты')).status).toBe('5');
    expect(done(await jobs.sync())).toEqual([]);
    expect(done(await jobs.control())).toEqual([]);
  });

  it('«Субподряды»: negotiation -> production -> analytics -> results sent -> closed by the manager', async () => {
    const subcontracts = lab.pipelines.subcontracts!;
    const deal = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Субподряд: анализ проб',
          CATEGORY_ID: subcontracts.id,
          STAGE_ID: subcontracts.stage('NEW'),
          ASSIGNED_BY_ID: lab.users.subcontractsManager,
          UF_CRM_SERVICE: lab.enums.service.ANALYTICS,
        },
      }),
    );
    expect(await settle()).toEqual([]);
    await lab.advance(1);
    await lab.as('subcontractsManager', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: subcontracts.stage('NEGOTIATION') },
    });
    expect(await settle()).toEqual([]);
    await lab.advance(3);
    await lab.as('subcontractsManager', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: subcontracts.stage('PRODUCTION') },
    });
    expect(await settle()).toEqual([
      'subcontracts-production-analytics copy_documents done',
      'subcontracts-production-analytics create_item done',
      'subcontracts-production-analytics task done',
      'lab-distribute-task task done',
    ]);
    await lab.as('subcontractsManager', 'crm.deal.update', {
      id: deal,
      fields: { UF_CRM_PROJECT_END: '2027-03-01', UF_CRM_PROJECT_START: '2027-02-01' },
    });
    expect((await settle()).sort()).toEqual([
      'subcontracts-project-dates-end complete_task done',
      'subcontracts-project-dates-start complete_task done',
      'subcontracts-project-deadline update_children done',
    ]);
    expect((await lab.task(`D_${deal}`, 'Указать даты')).status).toBe('5');

    const item = await laboratoryPrepares(deal);
    expect(await settle()).toEqual([
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-to-analytics update done',
      'lab-analytics-new-project notify done',
    ]);
    const analytics = lab.lab.direction('analytics');
    await lab.advance(7);
    await updateItem('assistant', item, { stageId: analytics.stage('SUCCESS') });
    expect(await settle()).toEqual(['subcontracts-lab-finished-results-task task done']);
    await completeTask('subcontractsManager', `D_${deal}`, 'Отправить результаты клиенту');
    expect(await settle()).toEqual([
      'subcontracts-results-sent update done',
      'subcontracts-results-sent update done',
    ]);
    expect(await stageOf(deal)).toBe(subcontracts.stage('RESULTS_SENT'));
    expect(String((await lab.deal(deal)).UF_CRM_RESULTS_SENT_DATE).slice(0, 10)).toBe(await lab.today());

    // The manager closes the deal himself; nothing follows.
    await lab.advance(1);
    await lab.as('subcontractsManager', 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: subcontracts.stage('WON') },
    });
    expect(await settle()).toEqual([]);
    expect(await stageOf(deal)).toBe(subcontracts.stage('WON'));
    expect(done(await jobs.control())).toEqual([]);
  });
});
