import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/** The sync job: changes since the checkpoint -> events -> the event rules, each action once. */
describe('sync job', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const deal = async (fields: Record<string, unknown>): Promise<number> =>
    Number(await lab.call('crm.deal.add', { fields }));

  beforeAll(async () => {
    lab = await labPortal();
    env = jobEnvironment(lab);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('remembers existing deals on its first run without acting on them', async () => {
    const sales = lab.ids.pipelines.sales!;
    await deal({
      TITLE: 'Старая заявка',
      CATEGORY_ID: sales.id,
      STAGE_ID: sales.stage('NEW'),
      ASSIGNED_BY_ID: lab.ids.users.manager,
    });
    const result = await runJob('sync', env);
    expect(result).toMatchObject({ status: 'completed', scanned: 1, events: 0, firings: 0, actions: [] });
    expect(env.state.lastSeen.count(2)).toBe(1);
    expect(env.state.checkpoints.getTime('sync:2')).toBeGreaterThan(0);
    expect(await lab.notifications(lab.ids.users.manager)).toEqual([]);
  });

  it('notifies the responsible manager of a new request, once', async () => {
    const sales = lab.ids.pipelines.sales!;
    await lab.advance(0.01);
    const id = await deal({
      TITLE: 'Почерковедческая экспертиза',
      CATEGORY_ID: sales.id,
      ASSIGNED_BY_ID: lab.ids.users.manager,
    });
    const result = await runJob('sync', env);
    expect(result.events).toBe(2); // created + entered «Новая заявка»
    expect(result.actions).toEqual([
      expect.objectContaining({
        ruleId: 'sales-new-request-notify',
        entity: `2:${id}`,
        kind: 'notify',
        outcome: 'done',
      }),
    ]);
    const [note, ...more] = await lab.notifications(lab.ids.users.manager);
    expect(more).toEqual([]);
    expect(note!.message).toBe(
      `Новая заявка: [URL=/crm/deal/details/${id}/]Почерковедческая экспертиза[/URL]. Свяжитесь с клиентом.`,
    );
    expect(note!.tag).toMatch(/^b24lab#[0-9a-f]{16}$/);
    // Within the overlap window the deal is listed again: same events, nothing new.
    const again = await runJob('sync', env);
    expect(again.scanned).toBeGreaterThanOrEqual(1);
    expect(again.actions).toEqual([]);
    expect(await lab.notifications(lab.ids.users.manager)).toHaveLength(1);
  });

  it('on «Квалификация пройдена» gives the manager a task bound to the deal', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = await deal({
      TITLE: 'Экспертиза документов',
      CATEGORY_ID: sales.id,
      ASSIGNED_BY_ID: lab.ids.users.manager,
    });
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    const result = await runJob('sync', env);
    expect(result.actions).toEqual([
      expect.objectContaining({ ruleId: 'sales-qualified-call-task', kind: 'task', outcome: 'done' }),
    ]);
    const tasks = await lab.tasks(`D_${id}`);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      title: 'Созвониться с клиентом и начать переговоры: Экспертиза документов',
      responsibleId: String(lab.ids.users.manager),
    });
    expect(tasks[0]!.description).toContain(`[URL=/crm/deal/details/${id}/]Экспертиза документов[/URL]`);
    expect(tasks[0]!.description).toMatch(/\[b24lab#[0-9a-f]{16}\]$/);
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });

  it('at «Счет отправлен» sets a payment task; in «Госзакупки» a fulfilled contract does too', async () => {
    const sales = lab.ids.pipelines.sales!;
    const proc = lab.ids.pipelines.procurement!;
    const a = await deal({
      TITLE: 'Счет',
      CATEGORY_ID: sales.id,
      ASSIGNED_BY_ID: lab.ids.users.manager,
      OPPORTUNITY: 120000,
    });
    const b = await deal({ TITLE: 'Контракт', CATEGORY_ID: proc.id, ASSIGNED_BY_ID: lab.ids.users.manager });
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id: a, fields: { STAGE_ID: sales.stage('INVOICE_SENT') } });
    await lab.call('crm.deal.update', { id: b, fields: { STAGE_ID: proc.stage('FULFILLED') } });
    const result = await runJob('sync', env);
    expect(result.actions.map((x) => [x.ruleId, x.entity, x.outcome]).sort()).toEqual([
      ['procurement-fulfilled-payment-task', `2:${b}`, 'done'],
      ['sales-invoice-payment-task', `2:${a}`, 'done'],
    ]);
    const [invoiceTask] = await lab.tasks(`D_${a}`);
    expect(invoiceTask!.title).toBe('Отследить оплату счета: Счет');
    expect(invoiceTask!.description).toContain('на сумму 120000');
    expect((await lab.tasks(`D_${b}`))[0]!.title).toBe('Проконтролировать получение оплаты: Контракт');
  });

  it('moving a deal away and back between two runs is entering the stage again', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = await deal({
      TITLE: 'Туда-обратно',
      CATEGORY_ID: sales.id,
      STAGE_ID: sales.stage('QUALIFIED'),
      ASSIGNED_BY_ID: lab.ids.users.manager,
    });
    await runJob('sync', env);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('NEGOTIATION') } });
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    const result = await runJob('sync', env);
    expect(result.actions.map((x) => x.ruleId)).toEqual(['sales-qualified-call-task']);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(2);
  });

  it('--dry-run lists what it would do and writes nothing', async () => {
    const sales = lab.ids.pipelines.sales!;
    const id = await deal({ TITLE: 'Пробный', CATEGORY_ID: sales.id, ASSIGNED_BY_ID: lab.ids.users.manager });
    const checkpoint = env.state.checkpoints.getTime('sync:2');
    const told = (await lab.notifications(lab.ids.users.manager)).length;
    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toEqual([expect.objectContaining({ entity: `2:${id}`, outcome: 'would-do' })]);
    expect(env.state.checkpoints.getTime('sync:2')).toBe(checkpoint);
    expect(env.state.lastSeen.get({ entityTypeId: 2, id })).toBeUndefined();
    expect(await lab.notifications(lab.ids.users.manager)).toHaveLength(told);
    const real = await runJob('sync', env);
    expect(real.actions).toEqual([expect.objectContaining({ entity: `2:${id}`, outcome: 'done' })]);
  });
});
