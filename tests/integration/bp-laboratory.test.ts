import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { ShippedLab } from './bp-shipped-portal.js';
import { done, shippedJobs, shippedLab } from './bp-shipped-portal.js';

/**
 * Process 8 of the case study, the «Лаборатория» flow, run by the sync job from the SHIPPED config
 * against a portal provisioned from config/: a new item gives the head of the laboratory a task to
 * distribute it; the responsible prepares the data (a task with the deal's information and its
 * documents folder); the head checks them («Недостаточно данных» sends the project back); the checked
 * project moves to the direction(s) of its service, copied when both work on it; every item of the
 * deal finished -> the manager's results task; its completion moves the deal on (Sales: results
 * sent, feedback task, «Обратная связь» filled -> won). A rerun changes nothing.
 */
describe('business process 8: the «Лаборатория» flow', () => {
  let lab: ShippedLab;
  let jobs: ReturnType<typeof shippedJobs>;

  const binding = (itemId: number): string => `T${lab.lab.entityTypeId.toString(16)}_${itemId}`;
  const dealIn = async (
    pipeline: string,
    title: string,
    stage: string,
    service?: string,
  ): Promise<number> => {
    const p = lab.pipelines[pipeline]!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: p.id,
          STAGE_ID: p.stage(stage),
          ASSIGNED_BY_ID: lab.users.manager,
          OPPORTUNITY: 80000,
          ...(service ? { UF_CRM_SERVICE: lab.enums.service[service] } : {}),
        },
      }),
    );
    // Observers are a field of the universal view only (crm.item), not of crm.deal.add.
    await lab.call('crm.item.update', { entityTypeId: 2, id, fields: { observers: [lab.users.agent] } });
    return id;
  };
  /** A deal handed over to production and its new item (process 1 made it, two runs). */
  const handedOver = async (
    title: string,
    service: string,
    stage: string,
  ): Promise<{ deal: number; item: number }> => {
    const deal = await dealIn('sales', title, stage, service);
    await jobs.sync();
    const [item] = await lab.items(deal);
    return { deal, item: item!.id };
  };
  const updateItem = async (person: 'labHead' | 'assistant', id: number, fields: Record<string, unknown>) => {
    await lab.as(person, 'crm.item.update', { entityTypeId: lab.lab.entityTypeId, id, fields });
  };
  const item = async (id: number) =>
    (
      (await lab.call('crm.item.get', {
        entityTypeId: lab.lab.entityTypeId,
        id,
        useOriginalUfNames: 'Y',
      })) as {
        item: Record<string, any>;
      }
    ).item;

  beforeAll(async () => {
    lab = await shippedLab();
    jobs = shippedJobs(lab);
    await jobs.sync();
  }, 60_000);
  afterAll(async () => {
    jobs?.close();
    await lab?.close();
  });

  it('distribute, prepare with the deal’s information, check, insufficient data and back, two directions in parallel', async () => {
    const newRequest = lab.lab.direction('new-request');
    const { deal, item: id } = await handedOver('Комплексная экспертиза', 'COMPLEX', 'PROD_COMPLEX');
    const folder = String((await lab.deal(deal)).UF_CRM_DOCS_FOLDER);
    expect(folder).toMatch(/./);
    expect((await item(id)).observers).toEqual([lab.users.agent]);

    // The head of the laboratory is asked to distribute the project.
    const dry = await runJob('sync', jobs, { dryRun: true });
    expect(done(dry)).toEqual(['lab-distribute-task task would-do']);
    expect(done(await jobs.sync())).toEqual(['lab-distribute-task task done']);
    const distribute = await lab.task(binding(id), 'Распределить проект');
    expect(Number(distribute.responsibleId)).toBe(lab.users.labHead);
    expect(distribute.description).toContain(
      `по сделке [URL=/crm/deal/details/${deal}/]Комплексная экспертиза[/URL]`,
    );
    expect(distribute.description).toContain('(Комплексное исследование (ГТИ и аналитика))');

    // He assigns the assistant: the task closes, the project goes to «Подготовка данных».
    await updateItem('labHead', id, { assignedById: lab.users.assistant });
    expect(done(await jobs.sync())).toEqual([
      'lab-distributed complete_task done',
      'lab-distributed update done',
    ]);
    expect((await lab.task(binding(id), 'Распределить проект')).status).toBe('5');
    expect((await item(id)).stageId).toBe(newRequest.stage('PREPARATION'));

    // The assistant gets the deal's information and the documents folder.
    expect(done(await jobs.sync())).toEqual([
      'lab-preparation-task update done',
      'lab-preparation-task task done',
    ]);
    const prepare = await lab.task(binding(id), 'Подготовить данные');
    expect(Number(prepare.responsibleId)).toBe(lab.users.assistant);
    expect(prepare.description).toContain(
      `Сделка [URL=/crm/deal/details/${deal}/]Комплексная экспертиза[/URL]`,
    );
    expect(prepare.description).toContain('услуга «Комплексное исследование (ГТИ и аналитика)», сумма 80000');
    expect(prepare.description).toContain(`Документы по сделке: ${folder}`);
    expect(Number((await item(id))[lab.lab.field('LAB_ASSISTANT')])).toBe(lab.users.assistant);

    // Prepared: the check, with a task for the head.
    await lab.as('assistant', 'tasks.task.complete', { taskId: prepare.id });
    expect(done(await jobs.sync())).toEqual(['lab-prepared update done']);
    expect((await item(id)).stageId).toBe(newRequest.stage('CHECK'));
    expect(done(await jobs.sync())).toEqual([
      'lab-check-task complete_task done',
      'lab-check-task task done',
    ]);
    const check = await lab.task(binding(id), 'Проверить данные проекта');
    expect(Number(check.responsibleId)).toBe(lab.users.labHead);

    // Not enough data: the responsible, the deal's manager (parent:responsible) and the project's
    // observers (the deal's) are told.
    await updateItem('labHead', id, { stageId: newRequest.stage('INSUFFICIENT') });
    expect(done(await jobs.sync())).toEqual([
      'lab-insufficient-data complete_task done',
      'lab-insufficient-data notify done',
      'lab-insufficient-data notify done',
      'lab-insufficient-data notify done',
    ]);
    expect((await lab.task(binding(id), 'Проверить данные проекта')).status).toBe('5');
    expect((await lab.deal(deal)).assignedById).toBe(lab.users.manager);
    expect((await item(id)).assignedById).not.toBe(lab.users.manager);
    for (const person of ['assistant', 'manager', 'agent'] as const) {
      expect(await lab.notifications(person)).toContainEqual(
        expect.stringContaining('недостаточно данных. Дополните данные'),
      );
    }

    // Back to preparation: a new task; then straight to the check: that task closes, a new check.
    await updateItem('assistant', id, { stageId: newRequest.stage('PREPARATION') });
    expect(done(await jobs.sync())).toEqual([
      'lab-preparation-task update done',
      'lab-preparation-task task done',
    ]);
    await updateItem('assistant', id, { stageId: newRequest.stage('CHECK') });
    expect(done(await jobs.sync())).toEqual([
      'lab-check-task complete_task done',
      'lab-check-task task done',
    ]);
    const tasks = await lab.tasks(binding(id));
    expect(tasks.map((t) => [t.title.split(':')[0], t.status])).toEqual([
      ['Распределить проект', '5'],
      ['Подготовить данные для начала проекта', '5'],
      ['Проверить данные проекта', '5'],
      ['Подготовить данные для начала проекта', '5'],
      ['Проверить данные проекта', '2'],
    ]);

    // Checked: «Передано в работу» -> copied into the analytics group, moved to ГТИ.
    await updateItem('labHead', id, { stageId: newRequest.stage('SUCCESS') });
    expect(done(await jobs.sync())).toEqual([
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-checked complete_task done',
      'lab-to-both-directions copy_item done',
      'lab-to-both-directions update done',
    ]);
    const gti = lab.lab.direction('gti');
    const analytics = lab.lab.direction('analytics');
    const both = await lab.items(deal);
    expect(both.map((i) => [i.id === id, i.categoryId, i.stageId, i.assignedById, i.parentId2])).toEqual([
      [true, gti.id, gti.stage('NEW'), lab.users.assistant, deal],
      [false, analytics.id, analytics.stage('NEW'), lab.users.assistant, deal],
    ]);
    expect(both[1]![lab.lab.field('DIRECTIONS')]).toEqual([
      lab.enums.directions.GTI,
      lab.enums.directions.ANALYTICS,
    ]);
    // The heads of the two groups learn of their new project.
    expect(done(await jobs.sync()).sort()).toEqual([
      'lab-analytics-new-project notify done',
      'lab-gti-new-project notify done',
    ]);
    expect(await lab.notifications('gtiHead')).toEqual([
      expect.stringContaining('Новый проект в работе ГТИ'),
    ]);
    expect(await lab.notifications('analyticsHead')).toEqual([
      expect.stringContaining('Новый проект в работе аналитической группы'),
    ]);
    expect(done(await jobs.sync())).toEqual([]);
    expect(await lab.items(deal)).toHaveLength(2);
  });

  it('the head completes the distribution task himself; one direction or none', async () => {
    const newRequest = lab.lab.direction('new-request');
    const gtiOnly = await handedOver('Только ГТИ', 'GTI', 'PROD_GTI');
    const analyticsOnly = await handedOver('Только аналитика', 'ANALYTICS', 'PROD_ANALYTICS');
    const none = await handedOver('Без направлений', 'GTI', 'PROD_GTI');
    await jobs.sync(); // the distribution tasks
    await updateItem('labHead', none.item, { [lab.lab.field('DIRECTIONS')]: [] });
    for (const { item: id } of [gtiOnly, analyticsOnly, none]) {
      const task = await lab.task(binding(id), 'Распределить проект');
      await lab.as('labHead', 'tasks.task.complete', { taskId: task.id });
    }
    expect(done(await jobs.sync())).toEqual([
      'lab-distribute-task-done update done',
      'lab-distribute-task-done update done',
      'lab-distribute-task-done update done',
    ]);
    expect((await item(gtiOnly.item)).stageId).toBe(newRequest.stage('PREPARATION'));
    await jobs.sync(); // the preparation tasks (for the head himself)
    expect(Number((await lab.task(binding(gtiOnly.item), 'Подготовить данные')).responsibleId)).toBe(
      lab.users.labHead,
    );
    for (const { item: id } of [gtiOnly, analyticsOnly, none]) {
      await updateItem('labHead', id, { stageId: newRequest.stage('SUCCESS') });
    }
    const run = done(await jobs.sync());
    expect(run.filter((a) => !a.startsWith('lab-checked'))).toEqual([
      'lab-to-gti update done',
      'lab-to-analytics update done',
      'lab-no-directions update done',
      'lab-no-directions notify done',
    ]);
    expect((await item(gtiOnly.item)).stageId).toBe(lab.lab.direction('gti').stage('NEW'));
    expect((await item(analyticsOnly.item)).stageId).toBe(lab.lab.direction('analytics').stage('NEW'));
    // No directions: back to the check (an item left at «Передано в работу» would count as finished
    // for its deal's results task), the head is told.
    expect((await item(none.item)).stageId).toBe(newRequest.stage('CHECK'));
    expect(await lab.notifications('labHead')).toContainEqual(
      expect.stringContaining('не указаны «Требуемые направления»'),
    );
    expect(await lab.tasks(`D_${none.deal}`)).toHaveLength(1); // the project's dates only
    await jobs.sync();
    expect(done(await jobs.sync())).toEqual([]);
  });

  it('all items of the deal finished: the results task; done -> results sent, feedback -> won', async () => {
    const sales = lab.pipelines.sales!;
    const gti = lab.lab.direction('gti');
    const analytics = lab.lab.direction('analytics');
    const deal = await dealIn('sales', 'Результаты по двум направлениям', 'PROD_COMPLEX', 'COMPLEX');
    await jobs.sync();
    const [original] = await lab.items(deal);
    // The laboratory's side in short: straight to «Передано в работу».
    await updateItem('labHead', original!.id, {
      assignedById: lab.users.assistant,
      stageId: lab.lab.direction('new-request').stage('SUCCESS'),
    });
    await jobs.sync();
    await jobs.sync();
    const [a, b] = await lab.items(deal);
    expect([a!.categoryId, b!.categoryId]).toEqual([gti.id, analytics.id]);
    // The head skipped distribution and preparation: the distribution task is closed all the same.
    expect((await lab.tasks(binding(original!.id))).map((t) => [t.title.split(':')[0], t.status])).toEqual([
      ['Распределить проект', '5'],
    ]);

    await updateItem('assistant', a!.id, { stageId: gti.stage('SUCCESS') });
    expect(done(await jobs.sync())).toEqual([]);
    expect(await lab.tasks(`D_${deal}`)).toHaveLength(1); // the project's dates only
    await updateItem('assistant', b!.id, { stageId: analytics.stage('SUCCESS') });
    expect(done(await jobs.sync())).toEqual(['sales-lab-finished-results-task task done']);
    const results = await lab.task(`D_${deal}`, 'Отправить результаты клиенту');
    expect(Number(results.responsibleId)).toBe(lab.users.manager);

    await lab.advance(1);
    await lab.as('manager', 'tasks.task.complete', { taskId: results.id });
    expect(done(await jobs.sync())).toEqual([
      'sales-results-sent update done',
      'sales-results-sent update done',
      'sales-results-sent task done',
    ]);
    const sent = await lab.deal(deal);
    expect(sent.stageId).toBe(sales.stage('RESULTS_SENT'));
    expect(String(sent.UF_CRM_RESULTS_SENT_DATE).slice(0, 10)).toBe(await lab.today());
    const feedback = await lab.task(`D_${deal}`, 'Получить обратную связь');
    expect(feedback.status).toBe('2');
    // Money is still owed (nothing was paid in this test): process 4 comments and sets a task.
    expect(done(await jobs.sync())).toEqual([
      'remaining-amount-results-sent comment done',
      'remaining-amount-results-sent task done',
    ]);

    await lab.as('manager', 'crm.deal.update', { id: deal, fields: { UF_CRM_FEEDBACK: 'Клиент доволен' } });
    expect(done(await jobs.sync())).toEqual([
      'sales-feedback-received complete_task done',
      'sales-feedback-received update done',
    ]);
    expect((await lab.task(`D_${deal}`, 'Получить обратную связь')).status).toBe('5');
    expect((await lab.deal(deal)).stageId).toBe(sales.stage('FEEDBACK'));
    expect(done(await jobs.sync())).toEqual(['sales-feedback-won update done']);
    expect((await lab.deal(deal)).stageId).toBe(sales.stage('WON'));
    expect(done(await jobs.sync())).toEqual([]);
  });
});
