import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { ShippedLab } from './bp-shipped-portal.js';
import { done, shippedJobs, shippedLab } from './bp-shipped-portal.js';

/**
 * Process 1 of the case study, «Передача в производство», run by the sync job from the SHIPPED
 * config/automation.yaml against a local portal provisioned from config/: the paid invoice moves a
 * Sales deal to «Счет оплачен» and on to the production stage of its service; entering production
 * (Sales, «Госзакупки», «Субподряды») makes the project's Drive folder with the deal's documents, a
 * «Лаборатория» item linked to the deal with the directions of the service, and the manager's task to
 * give the project's dates, closed when both dates are filled. A rerun changes nothing.
 */
describe('business process 1: transfer to production', () => {
  let lab: ShippedLab;
  let jobs: ReturnType<typeof shippedJobs>;
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

  const newDeal = async (
    pipeline: string,
    title: string,
    stage: string,
    fields: Record<string, unknown> = {},
  ): Promise<number> => {
    const p = lab.pipelines[pipeline]!;
    const owner = pipeline === 'sales' ? lab.users.manager : lab.users.procurementManager;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: p.id,
          STAGE_ID: p.stage(stage),
          ASSIGNED_BY_ID: owner,
          ...fields,
        },
      }),
    );
    // The signed contract, attached to the deal's timeline as the manager would.
    await lab.call('crm.timeline.comment.add', {
      fields: {
        ENTITY_TYPE: 'deal',
        ENTITY_ID: id,
        COMMENT: 'Подписанный договор',
        FILES: [[`Договор ${id}.pdf`, b64(`договор: ${title}`)]],
      },
    });
    return id;
  };
  const projectFolder = async (name: string): Promise<{ ID: string; DETAIL_URL: string } | undefined> => {
    const [common] = (await lab.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as {
      ROOT_OBJECT_ID: string;
    }[];
    const children = async (id: string) =>
      (await lab.call('disk.folder.getchildren', { id })) as {
        ID: string;
        NAME: string;
        DETAIL_URL: string;
      }[];
    const projects = (await children(common!.ROOT_OBJECT_ID)).find((o) => o.NAME === 'Проекты');
    return projects ? (await children(projects.ID)).find((o) => o.NAME === name) : undefined;
  };
  const folderFiles = async (id: string): Promise<string[]> =>
    ((await lab.call('disk.folder.getchildren', { id })) as { NAME: string }[]).map((o) => o.NAME);

  beforeAll(async () => {
    lab = await shippedLab();
    jobs = shippedJobs(lab);
    await jobs.sync(); // the baseline: the portal's existing records are not news
  }, 60_000);
  afterAll(async () => {
    jobs?.close();
    await lab?.close();
  });

  it('Sales: paid in full -> «Счет оплачен» -> production of the service -> folder, lab item, dates task; once', async () => {
    const sales = lab.pipelines.sales!;
    const id = await newDeal('sales', 'Экспертиза скважины', 'NEGOTIATION', {
      OPPORTUNITY: 120000,
      UF_CRM_SERVICE: lab.enums.service.GTI,
    });
    await jobs.sync(); // created: remaining amount 120000
    await lab.as('manager', 'crm.deal.update', { id, fields: { STAGE_ID: sales.stage('INVOICE_SENT') } });
    await jobs.sync(); // the payment task
    const payment = await lab.task(`D_${id}`, 'Отследить оплату счета');
    expect(Number(payment.responsibleId)).toBe(lab.users.manager);

    // Half paid: nothing moves.
    await lab.as('accountant', 'crm.deal.update', { id, fields: { UF_CRM_PAID_AMOUNT: 60000 } });
    expect(done(await jobs.sync())).toEqual(['remaining-amount-on-payment update done']);
    expect(done(await jobs.sync())).toEqual([]);
    expect((await lab.deal(id)).stageId).toBe(sales.stage('INVOICE_SENT'));

    // Paid in full: «Остаток к оплате» 0 and «Счет оплачен» in the same sync (paid >= amount), then
    // «Производство: ГТИ».
    await lab.as('accountant', 'crm.deal.update', { id, fields: { UF_CRM_PAID_AMOUNT: 120000 } });
    expect(done(await jobs.sync())).toEqual([
      'remaining-amount-on-payment update done',
      'sales-invoice-paid update done',
    ]);
    expect(Number((await lab.deal(id)).UF_CRM_REMAINING_AMOUNT)).toBe(0);
    expect((await lab.deal(id)).stageId).toBe(sales.stage('INVOICE_PAID'));
    expect(done(await jobs.sync())).toEqual([
      'sales-invoice-paid-close-task complete_task done',
      'sales-paid-to-production-gti update done',
    ]);
    expect((await lab.deal(id)).stageId).toBe(sales.stage('PROD_GTI'));
    expect((await lab.task(`D_${id}`, 'Отследить оплату счета')).status).toBe('5');

    // Production: a dry run shows it, the run does it.
    const dry = done(await runJob('sync', jobs, { dryRun: true }));
    expect(dry).toEqual([
      'sales-production-gti copy_documents would-do',
      'sales-production-gti create_item would-do',
      'sales-production-gti task would-do',
    ]);
    expect(await lab.items(id)).toEqual([]);
    const run = await jobs.sync();
    expect(done(run)).toEqual([
      'sales-production-gti copy_documents done',
      'sales-production-gti create_item done',
      'sales-production-gti task done',
    ]);
    const folder = await projectFolder(`Экспертиза скважины (сделка ${id})`);
    expect(folder).toBeDefined();
    expect(await folderFiles(folder!.ID)).toEqual([`Договор ${id}.pdf`]);
    expect((await lab.deal(id)).UF_CRM_DOCS_FOLDER).toBe(folder!.DETAIL_URL);
    const [item, ...more] = await lab.items(id);
    expect(more).toEqual([]);
    const newRequest = lab.lab.direction('new-request');
    expect(item).toMatchObject({
      title: 'Проект: Экспертиза скважины',
      categoryId: newRequest.id,
      stageId: newRequest.stage('DISTRIBUTION'),
      assignedById: lab.users.labHead,
      parentId2: id,
      [lab.lab.field('DIRECTIONS')]: [lab.enums.directions.GTI],
    });
    const dates = await lab.task(`D_${id}`, 'Указать даты ведения проекта');
    expect(dates).toMatchObject({ title: 'Указать даты ведения проекта: Экспертиза скважины', status: '2' });
    expect(Number(dates.responsibleId)).toBe(lab.users.manager);

    // The item's own rules (process 8) start with the next run; process 1 repeats nothing.
    const next = await jobs.sync();
    expect(done(next).filter((a) => !a.startsWith('lab-'))).toEqual([]);
    expect(await lab.items(id)).toHaveLength(1);

    // The manager fills the dates, one at a time: the task closes when both are there.
    await lab.as('manager', 'crm.deal.update', { id, fields: { UF_CRM_PROJECT_START: '2026-12-01' } });
    expect(done(await jobs.sync())).toEqual([]);
    expect((await lab.task(`D_${id}`, 'Указать даты')).status).toBe('2');
    await lab.as('manager', 'crm.deal.update', { id, fields: { UF_CRM_PROJECT_END: '2026-12-20' } });
    expect(done(await jobs.sync())).toEqual([
      'sales-project-dates-end complete_task done',
      'sales-project-deadline update_children done',
    ]);
    expect((await lab.task(`D_${id}`, 'Указать даты')).status).toBe('5');
    // The end date is the lab project's «Срок сдачи» (lab-project-overdue watches it).
    expect(String((await lab.items(id))[0]![lab.lab.field('DEADLINE')]).slice(0, 10)).toBe('2026-12-20');

    expect(done(await jobs.sync())).toEqual([]);
    expect(await lab.items(id)).toHaveLength(1);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(2);
  });

  it('Sales: analytics and complex services, and a paid deal without a service (the manager is told)', async () => {
    const sales = lab.pipelines.sales!;
    const analytics = await newDeal('sales', 'Анализ керна', 'INVOICE_PAID', {
      UF_CRM_SERVICE: lab.enums.service.ANALYTICS,
    });
    const complex = await newDeal('sales', 'Комплексное исследование', 'INVOICE_PAID', {
      UF_CRM_SERVICE: lab.enums.service.COMPLEX,
    });
    const none = await newDeal('sales', 'Без услуги', 'INVOICE_PAID');
    const moved = done(await jobs.sync());
    expect(moved).toEqual(
      expect.arrayContaining([
        'sales-paid-to-production-analytics update done',
        'sales-paid-to-production-complex update done',
        'sales-paid-no-service notify done',
      ]),
    );
    expect((await lab.deal(analytics)).stageId).toBe(sales.stage('PROD_ANALYTICS'));
    expect((await lab.deal(complex)).stageId).toBe(sales.stage('PROD_COMPLEX'));
    expect((await lab.deal(none)).stageId).toBe(sales.stage('INVOICE_PAID'));
    expect(await lab.notifications('manager')).toContainEqual(
      expect.stringContaining('оплачен, но не указана услуга'),
    );

    await jobs.sync();
    const directions = lab.lab.field('DIRECTIONS');
    expect((await lab.items(analytics)).map((i) => i[directions])).toEqual([
      [lab.enums.directions.ANALYTICS],
    ]);
    expect((await lab.items(complex)).map((i) => i[directions])).toEqual([
      [lab.enums.directions.GTI, lab.enums.directions.ANALYTICS],
    ]);
    expect(await lab.items(none)).toEqual([]);
    await jobs.sync();
    expect(done(await jobs.sync())).toEqual([]);
  });

  it('«Госзакупки» and «Субподряды»: entering «В производстве» hands over by the service, or without one', async () => {
    const procurement = await newDeal('procurement', 'Госконтракт 17', 'ASSIGNED', {
      UF_CRM_SERVICE: lab.enums.service.COMPLEX,
    });
    const subcontract = await newDeal('subcontracts', 'Субподряд 5', 'NEGOTIATION');
    await jobs.sync();
    await lab.as('procurementManager', 'crm.deal.update', {
      id: procurement,
      fields: { STAGE_ID: lab.pipelines.procurement!.stage('PRODUCTION') },
    });
    await lab.as('procurementManager', 'crm.deal.update', {
      id: subcontract,
      fields: { STAGE_ID: lab.pipelines.subcontracts!.stage('PRODUCTION') },
    });
    const run = done(await jobs.sync());
    expect(run.filter((a) => a.startsWith('procurement-'))).toEqual([
      'procurement-production-complex copy_documents done',
      'procurement-production-complex create_item done',
      'procurement-production-complex task done',
    ]);
    expect(run.filter((a) => a.startsWith('subcontracts-'))).toEqual([
      'subcontracts-production-no-service copy_documents done',
      'subcontracts-production-no-service create_item done',
      'subcontracts-production-no-service task done',
    ]);
    const directions = lab.lab.field('DIRECTIONS');
    expect((await lab.items(procurement)).map((i) => [i.title, i[directions]])).toEqual([
      ['Проект: Госконтракт 17', [lab.enums.directions.GTI, lab.enums.directions.ANALYTICS]],
    ]);
    const [sub] = await lab.items(subcontract);
    expect(sub).toMatchObject({ title: 'Проект: Субподряд 5', assignedById: lab.users.labHead });
    expect(sub![directions] ?? []).toEqual([]);
    for (const id of [procurement, subcontract]) {
      expect(String((await lab.deal(id)).UF_CRM_DOCS_FOLDER)).toMatch(/./);
      expect(Number((await lab.task(`D_${id}`, 'Указать даты ведения проекта')).responsibleId)).toBe(
        lab.users.procurementManager,
      );
    }
    // Both dates in one change: the task closes once.
    await lab.as('procurementManager', 'crm.deal.update', {
      id: procurement,
      fields: { UF_CRM_PROJECT_START: '2026-12-01', UF_CRM_PROJECT_END: '2027-02-01' },
    });
    const dates = done(await jobs.sync()).filter((a) => a.startsWith('procurement-'));
    expect(dates.sort()).toEqual([
      'procurement-project-dates-end complete_task done',
      'procurement-project-dates-start complete_task done',
      'procurement-project-deadline update_children done',
    ]);
    expect((await lab.task(`D_${procurement}`, 'Указать даты')).status).toBe('5');
    await jobs.sync();
    expect(done(await jobs.sync())).toEqual([]);
  });
});
