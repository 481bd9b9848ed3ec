import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/config/config-sections.js';
import { ruleSchema } from '../../src/automation/rule-schema.js';
import { runJob } from '../../src/jobs/run-job.js';
import { rawCall } from '../helpers/local-portal.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Named tasks (issue #6): a task action with `key:`, the `task_completed` trigger, the `complete_task`
 * action, the `head_of:` recipient and `{{today}}`, run by the sync job against the local portal.
 */
describe('named tasks: task_completed and complete_task', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const dirs: string[] = [];
  const envs: TestEnvironment[] = [];

  const rules = [
    {
      id: 'qualified-tasks',
      entity: { pipeline: 'sales' },
      trigger: { type: 'stage_entered', stage: 'QUALIFIED' },
      actions: [
        { type: 'task', title: 'Указать сроки проекта «{{title}}»', key: 'project-dates' },
        { type: 'task', title: 'Распределить заявку', key: 'distribute', responsible: 'head_of:Лаборатория' },
        { type: 'task', title: 'Созвониться с клиентом' },
      ],
    },
    {
      id: 'dates-given',
      entity: { pipeline: 'sales' },
      trigger: { type: 'task_completed', task: 'project-dates' },
      actions: [
        { type: 'move_stage', stage: 'NEGOTIATION' },
        {
          type: 'set_fields',
          fields: {
            UF_CRM_CLOSER: '{{taskClosedBy}}',
            UF_CRM_CLOSER_NOTE: '{{taskClosedByName}} {{taskClosedDate}}',
            UF_CRM_DONE_DATE: '{{today}}',
          },
        },
      ],
    },
    {
      id: 'reassigned-close-dates',
      entity: { pipeline: 'sales' },
      trigger: { type: 'responsible_changed' },
      actions: [{ type: 'complete_task', task: 'project-dates' }],
    },
  ].map((r) => ruleSchema.parse(r));

  const deal = async (id: number): Promise<Record<string, unknown>> =>
    (
      (await lab.call('crm.item.get', { entityTypeId: 2, id, useOriginalUfNames: 'Y' })) as {
        item: Record<string, unknown>;
      }
    ).item;
  interface TaskRow {
    id: string;
    title: string;
    status: string;
    responsibleId: string;
    closedBy: string | null;
  }
  const tasksOf = async (id: number): Promise<TaskRow[]> => {
    const answer = (await lab.call('tasks.task.list', {
      filter: { UF_CRM_TASK: `D_${id}` },
      select: ['ID', 'TITLE', 'STATUS', 'RESPONSIBLE_ID', 'CLOSED_BY'],
      order: { ID: 'asc' },
    })) as { tasks: TaskRow[] };
    return answer.tasks;
  };
  const taskTitled = async (id: number, prefix: string) => {
    const task = (await tasksOf(id)).find((t) => t.title.startsWith(prefix));
    if (!task) throw new Error(`no task «${prefix}» on deal ${id}`);
    return task;
  };
  /** tasks.task.complete as that user (an OAuth token of his), as he would in the browser. */
  const completeAs = async (userId: number, taskId: string | number): Promise<void> => {
    const token = await lab.call('b24lab.oauth.issue', { userId });
    const answer = await rawCall(`${lab.local.url}/rest/`, 'tasks.task.complete', {
      taskId,
      auth: token.access_token,
    });
    expect(answer.status).toBe(200);
  };
  const qualifiedDeal = async (title: string): Promise<number> => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: sales.id,
          STAGE_ID: sales.stage('QUALIFIED'),
          ASSIGNED_BY_ID: lab.ids.users.manager,
        },
      }),
    );
    return id;
  };
  const envWith = (options: Parameters<typeof jobEnvironment>[1] = {}): TestEnvironment => {
    const e: TestEnvironment = { ...jobEnvironment(lab, options), config };
    envs.push(e);
    if (!options.dir) dirs.push(e.dir);
    return e;
  };
  let config: LabConfig;

  beforeAll(async () => {
    lab = await labPortal();
    await lab.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'CLOSER', USER_TYPE_ID: 'employee' } });
    await lab.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'CLOSER_NOTE', USER_TYPE_ID: 'string' },
    });
    await lab.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'DONE_DATE', USER_TYPE_ID: 'date' } });
    config = { ...lab.config, automation: { ...lab.config.automation!, rules } };
    env = envWith();
    await runJob('sync', env);
    await lab.advance(0.01);
  });
  afterAll(async () => {
    for (const e of envs) e.close();
    for (const d of dirs) removeDir(d);
    await lab?.close();
  });

  it('makes named tasks (head_of: the head of «Лаборатория») and remembers them', async () => {
    const id = await qualifiedDeal('Именованные задачи');
    const run = await runJob('sync', env);
    expect(run.actions.filter((a) => a.kind === 'task').map((a) => a.outcome)).toEqual([
      'done',
      'done',
      'done',
    ]);
    const tasks = await tasksOf(id);
    expect(tasks.map((t) => [t.title, Number(t.responsibleId)])).toEqual([
      ['Указать сроки проекта «Именованные задачи»', lab.ids.users.manager],
      ['Распределить заявку', lab.ids.users.labHead],
      ['Созвониться с клиентом', lab.ids.users.manager],
    ]);
    const named = [
      ...env.state.keyedTasks.ofRecord({ entityTypeId: 2, id }, 'project-dates'),
      ...env.state.keyedTasks.ofRecord({ entityTypeId: 2, id }, 'distribute'),
    ];
    expect(named.map((t) => [t.taskId, t.state])).toEqual([
      [Number(tasks[0]!.id), 'open'],
      [Number(tasks[1]!.id), 'open'],
    ]);
    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('fires task_completed once, on the record of the task, when the responsible completes it', async () => {
    const { manager, labHead } = lab.ids.users;
    const a = await qualifiedDeal('Сделка А');
    const b = await qualifiedDeal('Сделка Б');
    await runJob('sync', env);
    await lab.advance(0.5);

    // A task of another name, and nothing completed on the other deal: nothing fires.
    await completeAs(labHead, (await taskTitled(a, 'Распределить')).id);
    const other = await runJob('sync', env);
    expect(other.actions).toEqual([]);
    expect(other.events).toBe(1);

    const dates = await taskTitled(a, 'Указать сроки');
    await completeAs(manager, dates.id);
    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions.map((r) => [r.ruleId, r.outcome])).toEqual([
      ['dates-given', 'would-do'],
      ['dates-given', 'would-do'],
    ]);
    const run = await runJob('sync', env);
    expect(run.actions).toEqual([
      expect.objectContaining({
        ruleId: 'dates-given',
        entity: `2:${a}`,
        occurrence: `task:project-dates#${dates.id}`,
        outcome: 'done',
        summary: 'move to «Переговоры» (C' + lab.ids.pipelines.sales!.id + ':NEGOTIATION)',
      }),
      expect.objectContaining({ ruleId: 'dates-given', entity: `2:${a}`, outcome: 'done' }),
    ]);
    const clock = (await lab.call('b24lab.clock.get')) as { time: string };
    const today = clock.time.slice(0, 10);
    const item = await deal(a);
    expect(item.stageId).toBe(lab.ids.pipelines.sales!.stage('NEGOTIATION'));
    expect(Number(item.UF_CRM_CLOSER)).toBe(manager);
    expect(item.UF_CRM_CLOSER_NOTE).toBe(`Manager ${today}`);
    expect(String(item.UF_CRM_DONE_DATE).slice(0, 10)).toBe(today);
    expect((await deal(b)).stageId).toBe(lab.ids.pipelines.sales!.stage('QUALIFIED'));
    expect(env.state.keyedTasks.get(Number(dates.id))?.state).toBe('completed');

    // The move to «Переговоры» is a change the next sync sees; no rule watches it, nothing repeats.
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('a deleted task, or one never completed, fires nothing', async () => {
    const id = await qualifiedDeal('Удалённая задача');
    await runJob('sync', env);
    const dates = await taskTitled(id, 'Указать сроки');
    await lab.call('tasks.task.delete', { taskId: dates.id });
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect(env.state.keyedTasks.get(Number(dates.id))?.state).toBe('gone');
    expect(env.state.keyedTasks.ofRecord({ entityTypeId: 2, id }, 'distribute')[0]?.state).toBe('open');
  });

  it('complete_task closes exactly the open named tasks of the record, once, and that fires nothing', async () => {
    const { salesHead, observerA } = lab.ids.users;
    const a = await qualifiedDeal('Закрыть сроки');
    const b = await qualifiedDeal('Соседняя сделка');
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id: a, fields: { ASSIGNED_BY_ID: salesHead } });

    const run = await runJob('sync', env);
    const dates = await taskTitled(a, 'Указать сроки');
    expect(run.actions).toEqual([
      expect.objectContaining({
        ruleId: 'reassigned-close-dates',
        kind: 'complete_task',
        outcome: 'done',
        result: { completed: [Number(dates.id)] },
      }),
    ]);
    const statuses = (await tasksOf(a)).map((t) => [t.title.slice(0, 12), t.status]);
    expect(statuses).toEqual([
      ['Указать срок', '5'],
      ['Распределить', '2'],
      ['Созвониться ', '2'],
    ]);
    expect((await tasksOf(b)).map((t) => t.status)).toEqual(['2', '2', '2']);
    expect(env.state.keyedTasks.get(Number(dates.id))?.state).toBe('closed');
    // Closed by b24lab, not by people: dates-given does not fire, now or later.
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect((await deal(a)).stageId).toBe(lab.ids.pipelines.sales!.stage('QUALIFIED'));

    // Reassigned again: nothing is open any more; settled with nothing done.
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id: a, fields: { ASSIGNED_BY_ID: observerA } });
    const again = await runJob('sync', env);
    expect(again.actions).toEqual([
      expect.objectContaining({ kind: 'complete_task', outcome: 'done', result: { completed: [] } }),
    ]);
    expect((await runJob('sync', env)).actions).toEqual([]);
  });

  it('leaves a task people completed first to task_completed', async () => {
    const { manager, salesHead } = lab.ids.users;
    const id = await qualifiedDeal('Сначала люди');
    await runJob('sync', env);
    await lab.advance(0.01);
    const dates = await taskTitled(id, 'Указать сроки');
    await completeAs(manager, dates.id);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: salesHead } });
    const run = await runJob('sync', env);
    // The sync asks about tasks before it runs the rules: the completion is news, the close is moot.
    expect(run.actions.map((r) => [r.ruleId, r.outcome, r.result])).toEqual([
      ['reassigned-close-dates', 'done', { completed: [] }],
      ['dates-given', 'done', { itemId: id }],
      ['dates-given', 'done', { itemId: id }],
    ]);
    expect(Number((await deal(id)).UF_CRM_CLOSER)).toBe(manager);
  });

  it('a named task made by a run killed before its ledger write is found and remembered on rerun', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-task-crash-'));
    dirs.push(dir);
    const crashing = envWith({
      dir,
      afterCall: (action) => {
        if (action.kind === 'task' && action.name === 'project-dates') throw new Error('killed');
      },
    });
    await runJob('sync', crashing);
    await lab.advance(0.01);
    const id = await qualifiedDeal('Сбой при создании');
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    const dates = await taskTitled(id, 'Указать сроки');
    // Killed before anything was recorded: neither the ledger nor the named tasks know it yet.
    expect(crashing.state.keyedTasks.get(Number(dates.id))).toBeUndefined();

    const rerun = await runJob('sync', envWith({ dir }));
    expect(rerun.actions.map((r) => [r.kind, r.outcome])).toEqual([
      ['task', 'found'],
      ['task', 'done'],
      ['task', 'done'],
    ]);
    expect(await tasksOf(id)).toHaveLength(3);
    expect(
      crashing.state.keyedTasks.ofRecord({ entityTypeId: 2, id }, 'project-dates').map((t) => t.taskId),
    ).toEqual([Number(dates.id)]);
    await completeAs(lab.ids.users.manager, dates.id);
    const fired = await runJob('sync', envWith({ dir }));
    expect(fired.actions.map((r) => [r.ruleId, r.outcome])).toEqual([
      ['dates-given', 'done'],
      ['dates-given', 'done'],
    ]);
  });

  it('a {{today}} date written by a run killed before its ledger write is found on rerun', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-date-crash-'));
    dirs.push(dir);
    const crashing = envWith({
      dir,
      afterCall: (action) => {
        if (action.kind === 'update' && 'UF_CRM_DONE_DATE' in action.fields) throw new Error('killed');
      },
    });
    await runJob('sync', crashing);
    await lab.advance(0.01);
    const id = await qualifiedDeal('Сбой при записи даты');
    await runJob('sync', crashing);
    await completeAs(lab.ids.users.manager, (await taskTitled(id, 'Указать сроки')).id);
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    const rerun = await runJob('sync', envWith({ dir }));
    // The date reads back as the day's midnight with the offset: it counts as written.
    expect(rerun.actions).toEqual([
      expect.objectContaining({
        ruleId: 'dates-given',
        kind: 'update',
        outcome: 'found',
        result: { itemId: id },
      }),
    ]);
  });

  it('complete_task killed after its call and before the ledger write is found on rerun', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-complete-crash-'));
    dirs.push(dir);
    const crashing = envWith({
      dir,
      afterCall: (action) => {
        if (action.kind === 'complete_task') throw new Error('killed');
      },
    });
    await runJob('sync', crashing);
    await lab.advance(0.01);
    const id = await qualifiedDeal('Сбой при закрытии');
    await runJob('sync', crashing);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { ASSIGNED_BY_ID: lab.ids.users.salesHead } });
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    const dates = await taskTitled(id, 'Указать сроки');
    expect(dates.status).toBe('5');
    const [entry] = crashing.state.ledger
      .all()
      .filter((e) => e.entity === `2:${id}` && e.action === 'complete_task');
    expect(entry).toMatchObject({ state: 'planned', attempts: 1 });

    const rerun = await runJob('sync', envWith({ dir }));
    expect(rerun.actions).toEqual([
      expect.objectContaining({ kind: 'complete_task', outcome: 'found', result: { completed: [] } }),
    ]);
    expect(crashing.state.ledger.get(entry!.key)).toMatchObject({ state: 'done' });
    expect(crashing.state.keyedTasks.get(Number(dates.id))?.state).toBe('closed');
    expect((await tasksOf(id)).map((t) => t.status)).toEqual(['5', '2', '2']);
    expect((await runJob('sync', envWith({ dir }))).actions).toEqual([]);
  });
});
