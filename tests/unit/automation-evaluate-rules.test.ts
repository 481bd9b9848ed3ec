import { describe, expect, it } from 'vitest';
import type { ResolvedRule } from '../../src/automation/catalog.js';
import { resolveRules } from '../../src/automation/catalog.js';
import { detectChanges, snapshotOf } from '../../src/automation/detect-changes.js';
import type { Entity } from '../../src/automation/entity.js';
import {
  currentPeriod,
  firingsForEvent,
  firingsOverTime,
  type RuleContext,
} from '../../src/automation/evaluate-rules.js';
import type { IntendedAction } from '../../src/automation/intended-action.js';
import { markerOf } from '../../src/automation/intended-action.js';
import { rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { catalog, DAY, deal, labItem, OFFSET, org, T0 } from './automation-fixtures.js';

function rules(raw: unknown[]): ResolvedRule[] {
  const { rules: resolved, problems } = resolveRules(rulesSectionSchema.parse(raw), catalog);
  expect(problems).toEqual([]);
  return resolved;
}

/** The fake clock of these tests: a context at a given moment. */
const at = (now: number): RuleContext => ({ now, offsetMinutes: OFFSET, catalog, org });

const keysOf = (actions: IntendedAction[]) => actions.map((a) => a.key);

const control = rules([
  {
    id: 'sales-qualified-control',
    entity: { pipeline: 'sales' },
    trigger: { type: 'stayed_in_stage', stage: 'QUALIFIED', days: [15, 30] },
    actions: [{ type: 'escalate', message: 'Сделка {{link}} на стадии «{{stage}}» {{daysInStage}} дн.' }],
  },
]);

describe('a deal left at «Квалификация пройдена»', () => {
  const qualified = deal({ stageId: 'C3:QUALIFIED', movedTime: T0 });

  it('gets nothing at 14 days', () => {
    expect(firingsOverTime(control, qualified, at(T0 + 14 * DAY))).toEqual([]);
  });

  it('goes to the head at 16 days, under the same key on every evaluation', () => {
    const first = firingsOverTime(control, qualified, at(T0 + 16 * DAY));
    expect(first).toHaveLength(1);
    const [firing] = first;
    expect(firing).toMatchObject({
      ruleId: 'sales-qualified-control',
      occurrence: `stayed:C3:QUALIFIED@${T0}#15d`,
      at: T0 + 15 * DAY,
    });
    expect(firing!.actions).toEqual([
      expect.objectContaining({
        kind: 'notify',
        userId: 7,
        message:
          'Сделка [URL=/crm/deal/details/15/]Экспертиза почерка[/URL] на стадии «Квалификация пройдена» 16 дн.',
      }),
    ]);
    // An hour later (a rerun): the same key, so the ledger keeps it to one notification.
    const again = firingsOverTime(control, qualified, at(T0 + 16 * DAY + 3_600_000));
    expect(keysOf(again[0]!.actions)).toEqual(keysOf(firing!.actions));
    expect(firing!.actions[0]!.marker).toBe(markerOf(firing!.actions[0]!.key));
  });

  it('at 31 days has the second escalation due as a separate firing', () => {
    const due = firingsOverTime(control, qualified, at(T0 + 31 * DAY));
    expect(due.map((f) => f.occurrence)).toEqual([
      `stayed:C3:QUALIFIED@${T0}#15d`,
      `stayed:C3:QUALIFIED@${T0}#30d`,
    ]);
    expect(new Set(due.flatMap((f) => keysOf(f.actions))).size).toBe(2);
  });

  it('restarts its clock when moved on and back', () => {
    const back = deal({ stageId: 'C3:QUALIFIED', movedTime: T0 + 20 * DAY });
    expect(firingsOverTime(control, back, at(T0 + 31 * DAY))).toEqual([]);
    const later = firingsOverTime(control, back, at(T0 + 36 * DAY));
    expect(later.map((f) => f.occurrence)).toEqual([`stayed:C3:QUALIFIED@${T0 + 20 * DAY}#15d`]);
  });

  it('uses the stage history when the portal gives no movedTime', () => {
    const noMoved = deal({ stageId: 'C3:QUALIFIED', movedTime: null });
    expect(firingsOverTime(control, noMoved, at(T0 + 16 * DAY))).toEqual([]);
    expect(firingsOverTime(control, noMoved, at(T0 + 16 * DAY), T0)).toHaveLength(1);
  });

  it('is not counted in another stage or pipeline', () => {
    expect(firingsOverTime(control, deal({ stageId: 'C3:NEGOTIATION' }), at(T0 + 40 * DAY))).toEqual([]);
    expect(
      firingsOverTime(control, deal({ stageId: 'C5:QUALIFIED', categoryId: 5 }), at(T0 + 40 * DAY)),
    ).toEqual([]);
  });

  it('is skipped (recorded once) when no one is above the responsible', () => {
    const top = deal({ stageId: 'C3:QUALIFIED', assignedById: 1 });
    const [firing] = firingsOverTime(control, top, at(T0 + 16 * DAY));
    expect(firing!.actions).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'no one to notify (no head above user 1)' }),
    ]);
  });
});

describe('an overdue «Лаборатория» project', () => {
  const overdue = rules([
    {
      id: 'lab-overdue',
      entity: { smartProcess: 'lab' },
      trigger: { type: 'date_passed', field: 'closedate' },
      actions: [
        {
          type: 'notify',
          to: ['observers', 'head'],
          message: 'Проект {{title}} просрочен: срок {{closedate}}',
        },
      ],
    },
  ]);
  // closedate 2025-03-10 (a date field: midnight of the portal).
  const deadlineDay = Date.parse('2025-03-10T00:00:00+03:00');

  it('is not overdue during its last day', () => {
    expect(firingsOverTime(overdue, labItem(), at(deadlineDay + DAY - 1))).toEqual([]);
  });

  it('notifies every observer and the head once it has passed', () => {
    const [firing] = firingsOverTime(overdue, labItem(), at(deadlineDay + DAY));
    expect(firing!.occurrence).toBe('date:closedate=2025-03-10');
    expect(firing!.actions.map((a) => (a.kind === 'notify' ? a.userId : a.kind))).toEqual([9, 10, 20]);
    expect(firing!.actions[0]).toMatchObject({ message: 'Проект Проект 4 просрочен: срок 10.03.2025' });
    expect(new Set(keysOf(firing!.actions)).size).toBe(3);
  });

  it('is quiet once finished, and fires anew for a moved deadline', () => {
    expect(
      firingsOverTime(overdue, labItem({ stageId: 'DT1036_7:SUCCESS' }), at(deadlineDay + 5 * DAY)),
    ).toEqual([]);
    const moved = labItem({ fields: { closedate: '2025-03-20T03:00:00+03:00' } });
    expect(firingsOverTime(overdue, moved, at(deadlineDay + 5 * DAY))).toEqual([]);
    expect(firingsOverTime(overdue, moved, at(deadlineDay + 11 * DAY))[0]!.occurrence).toBe(
      'date:closedate=2025-03-20',
    );
  });

  it('can work to the minute and with grace days', () => {
    const exact = rules([
      {
        id: 'exact',
        entity: { smartProcess: 'lab', directions: ['gti'] },
        trigger: { type: 'date_passed', field: 'UF_CRM_5_DUE', precision: 'time', graceDays: 1 },
        actions: [{ type: 'notify', to: ['responsible'], message: 'x' }],
      },
    ]);
    const item = labItem({ fields: { UF_CRM_5_DUE: '2025-03-10T15:00:00+03:00' } });
    const due = Date.parse('2025-03-11T15:00:00+03:00');
    expect(firingsOverTime(exact, item, at(due - 1))).toEqual([]);
    expect(firingsOverTime(exact, item, at(due))).toHaveLength(1);
    // Not watched in the other direction.
    expect(
      firingsOverTime(
        exact,
        labItem({
          categoryId: 9,
          stageId: 'DT1036_9:WORK',
          fields: { UF_CRM_5_DUE: '2025-03-10T15:00:00+03:00' },
        }),
        at(due),
      ),
    ).toEqual([]);
  });
});

describe('schedules', () => {
  it('fires once per period after its time of day', () => {
    const daily = rules([
      {
        id: 'daily',
        entity: { pipeline: 'sales' },
        trigger: { type: 'schedule', every: 'day', at: '10:00' },
        actions: [{ type: 'notify', to: ['responsible'], message: 'x' }],
      },
    ]);
    expect(firingsOverTime(daily, deal(), at(T0))).toEqual([]); // 09:00
    const [f] = firingsOverTime(daily, deal(), at(T0 + 2 * 3_600_000));
    expect(f!.occurrence).toBe('schedule:2025-03-03');
    expect(firingsOverTime(daily, deal({ stageId: 'C3:WON' }), at(T0 + 2 * 3_600_000))).toEqual([]);
  });

  it('knows weeks and months in the portal time zone', () => {
    const wed = Date.parse('2025-03-05T12:00:00+03:00');
    expect(currentPeriod('week', '09:00', wed, OFFSET)).toEqual({
      key: 'week-of-2025-03-03',
      start: Date.parse('2025-03-03T09:00:00+03:00'),
    });
    expect(currentPeriod('month', '00:00', wed, OFFSET)).toEqual({
      key: '2025-03',
      start: Date.parse('2025-03-01T00:00:00+03:00'),
    });
    // 23:30 UTC on the 31st is already April 1st in Moscow.
    expect(currentPeriod('month', '00:00', Date.parse('2025-03-31T23:30:00Z'), OFFSET)?.key).toBe('2025-04');
  });
});

describe('event rules', () => {
  const sales = rules([
    {
      id: 'sales-new-notify',
      entity: { pipeline: 'sales' },
      trigger: { type: 'created' },
      actions: [
        { type: 'notify', to: ['responsible'], message: 'Новая заявка: {{link}} ({{opportunity}} руб.)' },
      ],
    },
    {
      id: 'sales-qualified-task',
      entity: { pipeline: 'sales' },
      trigger: { type: 'stage_entered', stage: 'QUALIFIED' },
      conditions: [{ field: 'opportunity', op: '>', value: 0 }],
      actions: [
        {
          type: 'task',
          title: 'Созвониться с клиентом: {{title}}',
          description: 'Сделка {{link}}, ответственный {{responsible}}',
          auditors: ['head', 'responsible'],
          deadline: { days: 1, hours: 2 },
        },
        { type: 'comment', text: 'Поставлена задача на звонок' },
        { type: 'set_fields', fields: { UF_CRM_CALL_PLANNED: 'Y', UF_CRM_NOTE: 'от {{responsible}}' } },
      ],
    },
    {
      id: 'responsible-changed',
      entity: { pipeline: 'sales' },
      trigger: { type: 'responsible_changed' },
      actions: [{ type: 'move_stage', stage: 'NEGOTIATION' }],
    },
  ]);
  const fields = ['assignedById'];

  function eventsOf(before: Entity | undefined, now: Entity) {
    return detectChanges(before && snapshotOf(before, fields), now, { fields, createdSince: T0 - DAY });
  }

  it('notifies the responsible of a new request', () => {
    const d = deal();
    const firings = eventsOf(undefined, d).flatMap((e) => firingsForEvent(sales, d, e, at(T0)));
    expect(firings).toHaveLength(1);
    expect(firings[0]!.actions).toEqual([
      expect.objectContaining({
        kind: 'notify',
        userId: 9,
        key: 'sales-new-notify|2:15|created|0|u9',
        message: 'Новая заявка: [URL=/crm/deal/details/15/]Экспертиза почерка[/URL] (50000 руб.)',
      }),
    ]);
  });

  it('on «Квалификация пройдена» sets a bound task, a comment and fields', () => {
    const before = deal();
    const now = deal({ stageId: 'C3:QUALIFIED', movedTime: T0 + DAY, updatedTime: T0 + DAY });
    const [firing, ...rest] = eventsOf(before, now).flatMap((e) =>
      firingsForEvent(sales, now, e, at(T0 + DAY)),
    );
    expect(rest).toEqual([]);
    const [task, comment, update] = firing!.actions;
    expect(task).toMatchObject({
      kind: 'task',
      task: {
        TITLE: 'Созвониться с клиентом: Экспертиза почерка',
        RESPONSIBLE_ID: 9,
        AUDITORS: [7],
        UF_CRM_TASK: ['D_15'],
        DEADLINE: '2025-03-05T11:00:00+03:00',
      },
    });
    if (task?.kind !== 'task') throw new Error('expected a task');
    expect(task.task.DESCRIPTION).toBe(
      `Сделка [URL=/crm/deal/details/15/]Экспертиза почерка[/URL], ответственный Менеджер Иванов\n\n[${task.marker}]`,
    );
    expect(comment).toMatchObject({ kind: 'comment', entityType: 'deal' });
    if (comment?.kind !== 'comment') throw new Error('expected a comment');
    expect(comment.text).toBe(`Поставлена задача на звонок\n\n[${comment.marker}]`);
    expect(update).toMatchObject({
      kind: 'update',
      fields: { UF_CRM_CALL_PLANNED: 'Y', UF_CRM_NOTE: 'от Менеджер Иванов' },
    });
  });

  it('does nothing when a condition fails', () => {
    const now = deal({ stageId: 'C3:QUALIFIED', movedTime: T0 + DAY, fields: { opportunity: 0 } });
    expect(eventsOf(deal(), now).flatMap((e) => firingsForEvent(sales, now, e, at(T0 + DAY)))).toEqual([]);
  });

  it('reacts to a changed responsible by moving the deal within its pipeline', () => {
    const now = deal({ assignedById: 10, updatedTime: T0 + 5 });
    const [firing] = eventsOf(deal(), now).flatMap((e) => firingsForEvent(sales, now, e, at(T0 + 5)));
    expect(firing!.actions).toEqual([
      expect.objectContaining({ kind: 'update', fields: { stageId: 'C3:NEGOTIATION' } }),
    ]);
  });

  it('binds a smart-process task with the T<hex> prefix and comments on dynamic_<type>', () => {
    const lab = rules([
      {
        id: 'lab-new',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'stage_entered', stage: 'NEW' },
        actions: [
          { type: 'task', title: 'Распределить {{title}}', responsible: 'head', auditors: ['observers'] },
          { type: 'comment', text: 'x' },
        ],
      },
    ]);
    const item = labItem({ stageId: 'DT1036_9:NEW', categoryId: 9 });
    const events = detectChanges(undefined, item, { fields, createdSince: T0 });
    const [firing] = events.flatMap((e) => firingsForEvent(lab, item, e, at(T0)));
    expect(firing!.actions[0]).toMatchObject({
      kind: 'task',
      task: { RESPONSIBLE_ID: 20, AUDITORS: [9, 10], UF_CRM_TASK: ['T40c_4'] },
    });
    expect(firing!.actions[0]).not.toHaveProperty('task.DEADLINE');
    expect(firing!.actions[1]).toMatchObject({ kind: 'comment', entityType: 'dynamic_1036' });
  });
});

describe('smart-process fields by their config code', () => {
  it('reads DEADLINE as UF_CRM_<type id>_DEADLINE in triggers, conditions, texts and recipients', () => {
    const withFields = {
      ...catalog,
      smartProcesses: {
        lab: {
          ...catalog.smartProcesses.lab!,
          fields: { DEADLINE: 'UF_CRM_12_DEADLINE', ASSISTANT: 'UF_CRM_12_ASSISTANT' },
        },
      },
    };
    const { rules: resolved, problems } = resolveRules(
      rulesSectionSchema.parse([
        {
          id: 'lab-deadline',
          entity: { smartProcess: 'lab' },
          trigger: { type: 'date_passed', field: 'DEADLINE' },
          conditions: [{ field: 'DEADLINE', op: 'not_empty' }],
          actions: [
            { type: 'notify', to: ['field:ASSISTANT'], message: 'Срок {{DEADLINE}} прошел' },
            { type: 'set_fields', fields: { DEADLINE: null } },
          ],
        },
      ]),
      withFields,
    );
    expect(problems).toEqual([]);
    expect(resolved[0]!.rule.trigger).toMatchObject({ field: 'UF_CRM_12_DEADLINE' });
    const item = labItem({
      fields: { UF_CRM_12_DEADLINE: '2025-03-10T03:00:00+03:00', UF_CRM_12_ASSISTANT: 21 },
    });
    const [firing] = firingsOverTime(resolved, item, {
      ...at(Date.parse('2025-03-11T00:00:00+03:00')),
      catalog: withFields,
    });
    expect(firing!.occurrence).toBe('date:UF_CRM_12_DEADLINE=2025-03-10');
    expect(firing!.actions).toEqual([
      expect.objectContaining({ kind: 'notify', userId: 21, message: 'Срок 10.03.2025 прошел' }),
      expect.objectContaining({ kind: 'update', fields: { UF_CRM_12_DEADLINE: null } }),
    ]);
  });
});
