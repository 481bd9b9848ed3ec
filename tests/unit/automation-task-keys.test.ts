import { describe, expect, it } from 'vitest';
import type { ResolvedRule } from '../../src/automation/catalog.js';
import { resolveRules } from '../../src/automation/catalog.js';
import type { ChangeEvent } from '../../src/automation/detect-changes.js';
import { firingsForEvent, planFiring, resolveRecipients } from '../../src/automation/evaluate-rules.js';
import type { RuleContext } from '../../src/automation/evaluate-rules.js';
import { checkHeadOf } from '../../src/automation/check-head-of.js';
import { checkTaskNames } from '../../src/automation/check-task-names.js';
import { headOfDepartment } from '../../src/automation/org-chart.js';
import { isEventTrigger, rulesSectionSchema, ruleSchema } from '../../src/automation/rule-schema.js';
import { taskCompletedEvent, taskEventVars, taskOccurrence } from '../../src/automation/task-completion.js';
import { catalog, deal, OFFSET, org, T0 } from './automation-fixtures.js';

function rules(raw: unknown[]): ResolvedRule[] {
  const { rules: resolved, problems } = resolveRules(rulesSectionSchema.parse(raw), catalog);
  expect(problems).toEqual([]);
  return resolved;
}

/** 2025-03-04 01:30 in the portal's +03:00, still 2025-03-03 in UTC: the portal's date is the 4th. */
const LATE = Date.parse('2025-03-04T01:30:00+03:00');
const ctx: RuleContext = { now: LATE, offsetMinutes: OFFSET, catalog, org };

/** Task 812 «project-dates» of deal 15, completed by manager 9 at LATE. */
const completed: ChangeEvent = {
  kind: 'task_completed',
  occurrence: taskOccurrence('project-dates', 812),
  at: LATE,
  task: 'project-dates',
  taskId: 812,
  closedBy: 9,
};

const onCompleted = rules([
  {
    id: 'dates-given',
    entity: { pipeline: 'sales' },
    trigger: { type: 'task_completed', task: 'project-dates' },
    actions: [
      {
        type: 'set_fields',
        fields: {
          UF_CRM_APPROVER: '{{taskClosedBy}}',
          UF_CRM_NOTE: '{{taskClosedByName}}, {{taskClosedDate}}',
          UF_CRM_DONE: '{{today}}',
        },
      },
      { type: 'notify', to: ['head_of:Лаборатория'], message: 'Сроки {{title}} указаны' },
    ],
  },
]);

describe('the rule language of named tasks', () => {
  it('accepts key:, task_completed, complete_task and head_of:', () => {
    const rule = ruleSchema.parse({
      id: 'r',
      entity: { pipeline: 'sales' },
      trigger: { type: 'task_completed', task: 'contract-approval' },
      actions: [
        { type: 'task', title: 'Согласовать', key: 'next_step', responsible: 'head_of:Отдел продаж' },
        { type: 'complete_task', task: 'contract-approval' },
      ],
    });
    expect(rule.actions[0]).toMatchObject({ key: 'next_step', responsible: 'head_of:Отдел продаж' });
    expect(isEventTrigger(rule.trigger)).toBe(true);
  });

  it('refuses an empty department, a bad key and a complete_task without a name', () => {
    const bad = (action: unknown) =>
      ruleSchema.safeParse({
        id: 'r',
        entity: { pipeline: 'sales' },
        trigger: { type: 'created' },
        actions: [action],
      }).success;
    expect(bad({ type: 'notify', to: ['head_of:'], message: 'x' })).toBe(false);
    expect(bad({ type: 'notify', to: ['head_of: '], message: 'x' })).toBe(false);
    expect(bad({ type: 'task', title: 'x', key: 'два слова' })).toBe(false);
    expect(bad({ type: 'complete_task' })).toBe(false);
    expect(bad({ type: 'complete_task', task: 'ok-name' })).toBe(true);
  });
});

describe('head_of: the head of a department by name', () => {
  it('is the head of that department, whoever the responsible is', () => {
    expect(headOfDepartment(org, 'Лаборатория')).toBe(20);
    expect(headOfDepartment(org, '  лаборатория ')).toBe(20);
    expect(resolveRecipients(['head_of:Лаборатория', 'responsible'], deal(), org)).toEqual([20, 9]);
  });

  it('climbs past an empty post or an inactive head; an unknown name is nobody', () => {
    expect(headOfDepartment(org, 'Менеджеры')).toBe(7);
    expect(headOfDepartment(org, 'Архив')).toBe(1);
    expect(headOfDepartment(org, 'Бухгалтерия')).toBeUndefined();
    expect(resolveRecipients(['head_of:Бухгалтерия'], deal(), org)).toEqual([]);
  });
});

describe('task_completed', () => {
  it('fires the rules of its name with who and when, keyed by the task', () => {
    const [firing, ...rest] = firingsForEvent(onCompleted, deal(), completed, ctx);
    expect(rest).toEqual([]);
    expect(firing?.occurrence).toBe('task:project-dates#812');
    expect(firing?.actions).toEqual([
      expect.objectContaining({
        kind: 'update',
        key: 'dates-given|2:15|task:project-dates#812|0',
        fields: {
          UF_CRM_APPROVER: '9',
          UF_CRM_NOTE: 'Менеджер Иванов, 2025-03-04',
          UF_CRM_DONE: '2025-03-04',
        },
      }),
      expect.objectContaining({ kind: 'notify', userId: 20 }),
    ]);
  });

  it('ignores tasks of another name and other events', () => {
    expect(firingsForEvent(onCompleted, deal(), { ...completed, task: 'distribute' }, ctx)).toEqual([]);
    const created: ChangeEvent = { kind: 'created', occurrence: 'created', at: T0 };
    expect(firingsForEvent(onCompleted, deal(), created, ctx)).toEqual([]);
    expect(taskEventVars(created, org, OFFSET)).toEqual({});
  });

  it('builds its event from the portal: closedDate, else the run time; no closedBy -> empty', () => {
    const task = {
      taskId: 5,
      name: 'results',
      entityTypeId: 2,
      entityId: 15,
      ledgerKey: 'k',
      state: 'open' as const,
      createdAt: 0,
      finishedAt: null,
    };
    const closed = {
      id: 5,
      status: 5,
      closedBy: 21,
      closedAt: LATE,
      closedDate: '2025-03-04T01:30:00+03:00',
    };
    expect(taskCompletedEvent(task, closed, T0)).toEqual({
      kind: 'task_completed',
      occurrence: 'task:results#5',
      at: LATE,
      task: 'results',
      taskId: 5,
      closedBy: 21,
    });
    const bare = taskCompletedEvent(task, { ...closed, closedBy: undefined, closedAt: undefined }, T0);
    expect(bare.at).toBe(T0);
    expect(taskEventVars(bare, org, OFFSET)).toEqual({
      taskId: 5,
      taskClosedBy: '',
      taskClosedByName: '',
      taskClosedDate: '2025-03-03',
    });
  });
});

describe('named task and complete_task actions', () => {
  const [rule] = rules([
    {
      id: 'dates',
      entity: { pipeline: 'sales' },
      trigger: { type: 'stage_entered', stage: 'QUALIFIED' },
      actions: [
        { type: 'task', title: 'Сроки', key: 'project-dates' },
        { type: 'task', title: 'Без имени' },
        { type: 'complete_task', task: 'distribute' },
        { type: 'set_fields', fields: { UF_CRM_DAY: 'с {{today}}' } },
      ],
    },
  ]);

  it('carries the name with the task, and plans complete_task for the record', () => {
    const firing = planFiring(rule!, deal(), 'stage:C3:QUALIFIED@1', LATE, ctx, {});
    const [named, plain, close, set] = firing.actions;
    expect(named).toMatchObject({ kind: 'task', name: 'project-dates' });
    expect(plain).toMatchObject({ kind: 'task' });
    expect(plain).not.toHaveProperty('name');
    expect(close).toMatchObject({
      kind: 'complete_task',
      name: 'distribute',
      entity: { entityTypeId: 2, id: 15 },
      summary: 'complete the open tasks «distribute»',
    });
    expect(set).toMatchObject({ kind: 'update', fields: { UF_CRM_DAY: 'с 2025-03-04' } });
  });
});

describe('the config check of task names', () => {
  it('reports a task_completed or complete_task naming a key no task action gives', () => {
    const parsed = rulesSectionSchema.parse([
      {
        id: 'make',
        enabled: false,
        entity: { pipeline: 'sales' },
        trigger: { type: 'created' },
        actions: [{ type: 'task', title: 'Итоги', key: 'results' }],
      },
      {
        id: 'react',
        entity: { pipeline: 'sales' },
        trigger: { type: 'task_completed', task: 'resutls' },
        actions: [
          { type: 'complete_task', task: 'results' },
          { type: 'complete_task', task: 'distribute' },
        ],
      },
    ]);
    expect(checkTaskNames(parsed)).toEqual([
      { path: ['rules', 1, 'trigger', 'task'], message: 'No task action has `key: resutls`; known: results' },
      {
        path: ['rules', 1, 'actions', 1, 'task'],
        message: 'No task action has `key: distribute`; known: results',
      },
    ]);
  });
});

describe('the config check of head_of: departments', () => {
  it('reports a department the company structure does not have, in any recipient field', () => {
    const parsed = rulesSectionSchema.parse([
      {
        id: 'r',
        entity: { pipeline: 'sales' },
        trigger: { type: 'created' },
        actions: [
          {
            type: 'task',
            title: 'Распределить',
            responsible: 'head_of:лаборатория ',
            auditors: ['head_of:ГТЙ'],
          },
          { type: 'notify', to: ['responsible', 'head_of:Лабаратория'], message: 'x' },
        ],
      },
    ]);
    const departments = [{ name: 'Лаборатория' }, { name: 'ГТИ' }];
    expect(checkHeadOf(parsed, departments)).toEqual([
      {
        path: ['rules', 0, 'actions', 0, 'auditors', 0],
        message: 'No department "ГТЙ" in departments:; known: ГТИ, Лаборатория',
      },
      {
        path: ['rules', 0, 'actions', 1, 'to', 1],
        message: 'No department "Лабаратория" in departments:; known: ГТИ, Лаборатория',
      },
    ]);
  });
});
