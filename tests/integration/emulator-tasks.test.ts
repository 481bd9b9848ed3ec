import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/** 2025-03-10 10:00:00 Moscow: the portal clock stands still unless a test moves it. */
const T0 = Date.parse('2025-03-10T07:00:00Z');
const frozen: Clock = { now: () => T0, sleep: async () => {} };

let lab: LocalPortal;
let hook: string;
let employee: number;

const call = (
  method: string,
  params: Record<string, unknown> = {},
  encoding: Encoding = 'json',
): Promise<any> => callOk(hook, method, params, encoding);

beforeAll(async () => {
  lab = await portalForTest({ clock: frozen });
  hook = lab.webhookUrl;
  employee = await call('user.add', {
    EMAIL: 'lab.assistant@b24lab.local',
    NAME: 'Ирина',
    LAST_NAME: 'Лаборантова',
    WORK_POSITION: 'Лаборант',
    UF_DEPARTMENT: [1],
  });
});
afterAll(async () => {
  await lab.close();
});

describe.each(['json', 'form'] as const)('tasks.task.* over %s', (encoding) => {
  it('adds a task: camelCase string output, portal-clock dates, members', async () => {
    const now = (await call('b24lab.clock.get')).time;
    const { task } = await call(
      'tasks.task.add',
      {
        fields: {
          TITLE: 'Проверить оплату счёта',
          DESCRIPTION: 'Сверить платёж с выпиской',
          RESPONSIBLE_ID: employee,
          AUDITORS: [1],
          DEADLINE: '2025-03-20T18:00:00',
          UF_CRM_TASK: ['D_12', 'T80_3'],
          PRIORITY: 2,
        },
      },
      encoding,
    );
    expect(task).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      title: 'Проверить оплату счёта',
      description: 'Сверить платёж с выпиской',
      status: '2',
      subStatus: '2',
      priority: '2',
      createdBy: '1',
      responsibleId: String(employee),
      changedBy: '1',
      groupId: '0',
      parentId: null,
      auditors: ['1'],
      accomplices: [],
      createdDate: now,
      changedDate: now,
      closedDate: null,
      closedBy: null,
      deadline: '2025-03-20T18:00:00+03:00',
      responsible: {
        id: String(employee),
        name: 'Ирина Лаборантова',
        link: `/company/personal/user/${employee}/`,
        workPosition: 'Лаборант',
      },
      accomplicesData: [],
      auditorsData: { '1': { id: '1', name: 'Администратор Портала' } },
      action: { complete: true, start: true },
    });
    // UF fields are not returned unless selected.
    expect(task).not.toHaveProperty('ufCrmTask');
  });

  it('returns ufCrmTask and the two other system UF fields only when selected', async () => {
    const { task } = await call(
      'tasks.task.add',
      { fields: { TITLE: 'Привязка к сделке', RESPONSIBLE_ID: 1, UF_CRM_TASK: ['D_12', 'T80_3'] } },
      encoding,
    );
    const plain = await call('tasks.task.get', { taskId: task.id }, encoding);
    expect(plain.task).not.toHaveProperty('ufCrmTask');
    const selected = await call(
      'tasks.task.get',
      { taskId: task.id, select: ['ID', 'TITLE', 'UF_CRM_TASK'] },
      encoding,
    );
    expect(selected.task).toEqual({
      id: task.id,
      title: 'Привязка к сделке',
      ufCrmTask: ['D_12', 'T80_3'],
      ufTaskWebdavFiles: false,
      ufMailMessage: null,
      group: [],
    });
  });

  it('updates fields and keeps changedDate on the portal clock', async () => {
    const { task } = await call(
      'tasks.task.add',
      { fields: { TITLE: 'Черновик', RESPONSIBLE_ID: 1 } },
      encoding,
    );
    await call('b24lab.clock.advance', { hours: 2 });
    const updated = await call(
      'tasks.task.update',
      {
        taskId: task.id,
        fields: { TITLE: 'Чистовик', RESPONSIBLE_ID: employee, ACCOMPLICES: [1], DEADLINE: '' },
      },
      encoding,
    );
    expect(updated.task).toMatchObject({
      id: task.id,
      title: 'Чистовик',
      responsibleId: String(employee),
      accomplices: ['1'],
      deadline: null,
      createdDate: task.createdDate,
    });
    expect(Date.parse(updated.task.changedDate) - Date.parse(task.createdDate)).toBeGreaterThanOrEqual(
      2 * 3600_000,
    );
  });

  it('completes a task: status 5, closedDate and closedBy from the portal; again is not allowed', async () => {
    const { task } = await call(
      'tasks.task.add',
      { fields: { TITLE: 'Закрыть акт', RESPONSIBLE_ID: 1 } },
      encoding,
    );
    const clock = await call('b24lab.clock.advance', { minutes: 30 });
    const done = await call('tasks.task.complete', { taskId: task.id }, encoding);
    expect(done.task).toMatchObject({
      status: '5',
      closedBy: '1',
      closedDate: clock.time,
      statusChangedDate: clock.time,
      action: { complete: false, renew: true },
    });
    const again = await rawCall(hook, 'tasks.task.complete', { taskId: task.id }, encoding);
    expect(again).toEqual({
      status: 400,
      body: { error: 0, error_description: 'Action on the task is not allowed' },
    });
  });

  it('answers the documented errors of add and update', async () => {
    expect(await rawCall(hook, 'tasks.task.add', {}, encoding)).toEqual({
      status: 400,
      body: { error: 100, error_description: 'Could not find value for parameter {fields} (internal error)' },
    });
    expect(await rawCall(hook, 'tasks.task.add', { fields: { DESCRIPTION: 'x' } }, encoding)).toEqual({
      status: 400,
      body: {
        error: 'ERROR_CORE',
        error_description: 'Task title not specified<br>Assignee not specified<br>',
      },
    });
    expect(
      await rawCall(hook, 'tasks.task.add', { fields: { TITLE: 'x', RESPONSIBLE_ID: 999 } }, encoding),
    ).toEqual({
      status: 400,
      body: {
        error: 'ERROR_CORE',
        error_description: 'User specified in the "Assignee" field not found<br>',
      },
    });
    expect(
      await rawCall(
        hook,
        'tasks.task.add',
        { fields: { TITLE: 'x', RESPONSIBLE_ID: 1, STATUS: 9 } },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_CORE', error_description: 'Invalid status<br>' } });
    expect(await rawCall(hook, 'tasks.task.update', { fields: { TITLE: 'x' } }, encoding)).toMatchObject({
      status: 400,
      body: { error: 100 },
    });
    expect(
      await rawCall(hook, 'tasks.task.update', { taskId: 'abc', fields: { TITLE: 'x' } }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 0, error_description: 'wrong task id' },
    });
    expect(
      await rawCall(hook, 'tasks.task.update', { taskId: 987654, fields: { TITLE: 'x' } }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 0, error_description: 'Action on the task is not allowed (internal error)' },
    });
    const { task } = await call(
      'tasks.task.add',
      { fields: { TITLE: 'Без полей', RESPONSIBLE_ID: 1 } },
      encoding,
    );
    expect(await rawCall(hook, 'tasks.task.update', { taskId: task.id }, encoding)).toMatchObject({
      status: 400,
      body: { error: 100, error_description: 'Could not find value for parameter {fields} (internal error)' },
    });
    expect(
      await rawCall(hook, 'tasks.task.update', { taskId: task.id, fields: { PARENT_ID: task.id } }, encoding),
    ).toMatchObject({ status: 400, body: { error_description: 'Cannot bind the node to itself<br>' } });
  });

  it('answers tasks.task.get of a missing task with an empty result and 200', async () => {
    const answer = await rawCall(hook, 'tasks.task.get', { taskId: 987654 }, encoding);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual([]);
    expect(await rawCall(hook, 'tasks.task.get', {}, encoding)).toMatchObject({
      status: 400,
      body: { error: 100 },
    });
  });

  it('deletes a task', async () => {
    const { task } = await call(
      'tasks.task.add',
      { fields: { TITLE: 'Удалить', RESPONSIBLE_ID: 1 } },
      encoding,
    );
    expect(await call('tasks.task.delete', { taskId: task.id }, encoding)).toEqual({ task: true });
    expect(await call('tasks.task.get', { taskId: task.id }, encoding)).toEqual([]);
    expect(await rawCall(hook, 'tasks.task.delete', { taskId: task.id }, encoding)).toMatchObject({
      status: 400,
      body: { error: 1048582 },
    });
  });
});

describe('tasks.task.list', () => {
  let lab2: LocalPortal;
  let hook2: string;
  const ids: Record<string, number> = {};
  let someone: number;

  const add = async (key: string, fields: Record<string, unknown>): Promise<void> => {
    const { task } = await callOk(hook2, 'tasks.task.add', { fields: { RESPONSIBLE_ID: 1, ...fields } });
    ids[key] = Number(task.id);
  };

  beforeAll(async () => {
    lab2 = await portalForTest({ clock: frozen });
    hook2 = lab2.webhookUrl;
    someone = await callOk(hook2, 'user.add', { EMAIL: 'someone@b24lab.local', UF_DEPARTMENT: [1] });
    await add('deal', { TITLE: 'Счёт по сделке', UF_CRM_TASK: ['D_12'], AUDITORS: [someone] });
    await add('spa', { TITLE: 'Акт по смарт-процессу', UF_CRM_TASK: ['T80_3'], RESPONSIBLE_ID: someone });
    await add('overdue', { TITLE: 'Просроченная', DEADLINE: '2025-03-11T10:00:00' });
    await add('soon', { TITLE: 'Почти просроченная', DEADLINE: '2025-03-13T12:00:00' });
    await add('done', { TITLE: 'Готовая' });
    await callOk(hook2, 'tasks.task.complete', { taskId: ids.done });
    // Two days later: 'overdue' is past its deadline, 'soon' is within a day of it.
    await callOk(hook2, 'b24lab.clock.advance', { days: 2, hours: 4 });
    await add('later', { TITLE: 'Созданная позже', ACCOMPLICES: [someone] });
  });
  afterAll(async () => {
    await lab2.close();
  });

  const listIds = async (params: Record<string, unknown>, encoding: Encoding = 'json'): Promise<number[]> => {
    const result = (await callOk(hook2, 'tasks.task.list', { select: ['ID'], ...params }, encoding)) as {
      tasks: { id: string }[];
    };
    return result.tasks.map((t) => Number(t.id));
  };

  it.each(['json', 'form'] as const)('%s: filters on the documented keys with prefixes', async (encoding) => {
    expect(await listIds({ filter: { UF_CRM_TASK: 'D_12' } }, encoding)).toEqual([ids.deal]);
    expect(
      await listIds({ filter: { UF_CRM_TASK: ['T80_3', 'D_12'] }, order: { ID: 'asc' } }, encoding),
    ).toEqual([ids.deal, ids.spa]);
    expect(await listIds({ filter: { RESPONSIBLE_ID: someone } }, encoding)).toEqual([ids.spa]);
    expect(await listIds({ filter: { AUDITOR: someone } }, encoding)).toEqual([ids.deal]);
    expect(await listIds({ filter: { ACCOMPLICE: someone } }, encoding)).toEqual([ids.later]);
    expect(await listIds({ filter: { REAL_STATUS: 5 } }, encoding)).toEqual([ids.done]);
    expect(
      await listIds({ filter: { '!REAL_STATUS': 5, '>=CREATED_DATE': '2025-03-12' } }, encoding),
    ).toEqual([ids.later]);
    expect(await listIds({ filter: { '<ID': ids.spa } }, encoding)).toEqual([ids.deal]);
    expect(await listIds({ filter: { TITLE: '%просроч%' }, order: { ID: 'asc' } }, encoding)).toEqual([
      ids.overdue,
      ids.soon,
    ]);
  });

  it('filters meta statuses: -1 overdue, -3 almost overdue', async () => {
    expect(await listIds({ filter: { STATUS: -1 } })).toEqual([ids.overdue]);
    expect(await listIds({ filter: { STATUS: -3 } })).toEqual([ids.soon]);
    const result = await callOk(hook2, 'tasks.task.list', {
      filter: { ID: ids.overdue },
      select: ['ID', 'STATUS', 'DEADLINE'],
    });
    expect(result.tasks).toEqual([
      {
        id: String(ids.overdue),
        status: '2',
        subStatus: '-1',
        deadline: '2025-03-11T10:00:00+03:00',
        group: [],
      },
    ]);
  });

  it('orders by ID desc by default and by the given keys; an unknown key is error 0', async () => {
    const all = await listIds({});
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(await listIds({ order: { DEADLINE: 'desc' }, filter: { '>DEADLINE': '2025-01-01' } })).toEqual([
      ids.soon,
      ids.overdue,
    ]);
    expect(await rawCall(hook2, 'tasks.task.list', { order: { NO_SUCH: 'asc' } })).toEqual({
      status: 400,
      body: { error: 0, error_description: 'Invalid sorting key (internal error)' },
    });
  });

  it('wraps rows in {tasks}, with total, and selects camelCase fields', async () => {
    const answer = await rawCall(hook2, 'tasks.task.list', {
      filter: { ID: ids.deal },
      select: ['ID', 'TITLE', 'CREATED_BY', 'AUDITORS', 'UF_CRM_TASK'],
    });
    expect(answer.body.total).toBe(1);
    expect(answer.body.result.tasks).toEqual([
      {
        id: String(ids.deal),
        title: 'Счёт по сделке',
        createdBy: '1',
        auditors: [String(someone)],
        ufCrmTask: ['D_12'],
        ufTaskWebdavFiles: false,
        ufMailMessage: null,
        group: [],
        creator: expect.objectContaining({ id: '1' }),
        auditorsData: { [String(someone)]: expect.objectContaining({ id: String(someone) }) },
      },
    ]);
  });

  it('pages by 50 with next and total', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 50; i++)
      cmd[`t${i}`] = `tasks.task.add?fields[TITLE]=Пачка ${i}&fields[RESPONSIBLE_ID]=1`;
    await callOk(hook2, 'batch', { halt: 1, cmd });
    const first = await rawCall(hook2, 'tasks.task.list', { select: ['ID'] });
    expect(first.body).toMatchObject({ total: 56, next: 50 });
    expect(first.body.result.tasks).toHaveLength(50);
    const second = await rawCall(hook2, 'tasks.task.list', { select: ['ID'], start: 50 });
    expect(second.body.result.tasks).toHaveLength(6);
    expect(second.body).not.toHaveProperty('next');
  });

  it('lists the getFields description', async () => {
    const result = await callOk(hook2, 'tasks.task.getFields');
    expect(result.fields.UF_CRM_TASK).toEqual({ title: 'CRM entities', type: 'crm' });
    expect(result.fields.TITLE).toMatchObject({ type: 'string', required: true });
  });
});

/**
 * What b24lab's named tasks rely on (task_completed, complete_task): tasks asked for by an ID array,
 * closedBy/closedDate of the user who completed the task, and the date filters on completion.
 */
describe('tasks.task.list by ids, completion by the responsible', () => {
  let lab3: LocalPortal;
  let hook3: string;
  let worker: number;
  const ids: number[] = [];

  beforeAll(async () => {
    lab3 = await portalForTest({ clock: frozen });
    hook3 = lab3.webhookUrl;
    worker = await callOk(hook3, 'user.add', { EMAIL: 'worker@b24lab.local', UF_DEPARTMENT: [1] });
    for (const title of ['Первая', 'Вторая', 'Третья', 'Четвёртая']) {
      const { task } = await callOk(hook3, 'tasks.task.add', {
        fields: { TITLE: title, RESPONSIBLE_ID: worker, UF_CRM_TASK: ['D_5'] },
      });
      ids.push(Number(task.id));
    }
    await callOk(hook3, 'b24lab.clock.advance', { hours: 3 });
    // The responsible completes the second task himself (his own OAuth token, as in the browser).
    const token = await callOk(hook3, 'b24lab.oauth.issue', { userId: worker });
    const answer = await rawCall(`${lab3.url}/rest/`, 'tasks.task.complete', {
      taskId: ids[1],
      auth: token.access_token,
    });
    expect(answer.status).toBe(200);
    await callOk(hook3, 'tasks.task.delete', { taskId: ids[3] });
  });
  afterAll(async () => {
    await lab3.close();
  });

  it.each(['json', 'form'] as const)(
    '%s: an ID array matches any of its ids; deleted ones are left out',
    async (encoding) => {
      const result = await callOk(
        hook3,
        'tasks.task.list',
        {
          filter: { ID: [ids[3], ids[1], ids[0], 999_999] },
          select: ['ID', 'STATUS', 'CLOSED_BY', 'CLOSED_DATE'],
          order: { ID: 'asc' },
        },
        encoding,
      );
      expect(result.tasks).toEqual([
        expect.objectContaining({ id: String(ids[0]), status: '2', closedBy: null, closedDate: null }),
        expect.objectContaining({
          id: String(ids[1]),
          status: '5',
          closedBy: String(worker),
          closedDate: '2025-03-10T13:00:00+03:00',
        }),
      ]);
      // With `>ID`, as the REST client pages a list.
      const paged = await callOk(
        hook3,
        'tasks.task.list',
        { filter: { ID: [ids[0], ids[1], ids[2]], '>ID': ids[0] }, select: ['ID'], order: { ID: 'asc' } },
        encoding,
      );
      expect(paged.tasks.map((t: { id: string }) => Number(t.id))).toEqual([ids[1], ids[2]]);
    },
  );

  it.each(['json', 'form'] as const)(
    '%s: filters completions by CLOSED_DATE, CLOSED_BY and CHANGED_DATE',
    async (encoding) => {
      const list = async (filter: Record<string, unknown>): Promise<number[]> => {
        const result = (await callOk(hook3, 'tasks.task.list', { filter, select: ['ID'] }, encoding)) as {
          tasks: { id: string }[];
        };
        return result.tasks.map((t) => Number(t.id));
      };
      expect(await list({ '>=CLOSED_DATE': '2025-03-10T12:00:00' })).toEqual([ids[1]]);
      expect(await list({ CLOSED_BY: worker })).toEqual([ids[1]]);
      expect(await list({ '>=CHANGED_DATE': '2025-03-10T12:00:00', REAL_STATUS: 5 })).toEqual([ids[1]]);
      expect(await list({ '<CHANGED_DATE': '2025-03-10T12:00:00', UF_CRM_TASK: 'D_5' })).toEqual([
        ids[2],
        ids[0],
      ]);
    },
  );
});
