import { describe, expect, it } from 'vitest';
import { projectsReport } from '../../src/reports/projects-report.js';
import type { LabItemRow, StageChangeRow, StageDirectory } from '../../src/reports/rows.js';
import { JAN, NAMES, dec, feb, jan, stream } from './report-fixtures.js';

const directory: StageDirectory = {
  categories: [
    { id: 10, name: 'ГТИ' },
    { id: 11, name: 'Аналитическая группа' },
  ],
  stages: [
    { categoryId: 10, id: 'DT1036_10:NEW', name: 'Новая', semantic: 'P' },
    { categoryId: 10, id: 'DT1036_10:WORK', name: 'В работе', semantic: 'P' },
    { categoryId: 10, id: 'DT1036_10:SUCCESS', name: 'Готово', semantic: 'S' },
    { categoryId: 10, id: 'DT1036_10:FAIL', name: 'Отменено', semantic: 'F' },
    { categoryId: 11, id: 'DT1036_11:WORK', name: 'В работе', semantic: 'P' },
    { categoryId: 11, id: 'DT1036_11:SUCCESS', name: 'Готово', semantic: 'S' },
  ],
};

const item = (id: number, categoryId: number, stage: string, patch: Partial<LabItemRow>): LabItemRow => ({
  id,
  title: `Проект ${id}`,
  categoryId,
  stageId: `DT1036_${categoryId}:${stage}`,
  semantic: stage === 'SUCCESS' ? 'S' : stage === 'FAIL' ? 'F' : 'P',
  assignedById: 5,
  createdAt: jan(1),
  deadline: null,
  finishedAt: null,
  ...patch,
});

const items = [
  item(1, 10, 'WORK', { createdAt: jan(2), deadline: jan(21) - 1 }), // in work, overdue
  item(2, 10, 'SUCCESS', { createdAt: jan(1), finishedAt: jan(11), deadline: jan(16) - 1 }), // done in 10 d, on time
  item(3, 10, 'SUCCESS', { assignedById: 6, createdAt: jan(5), finishedAt: jan(25), deadline: jan(21) - 1 }), // done in 20 d, late
  item(4, 10, 'SUCCESS', { assignedById: 6, createdAt: dec(1), finishedAt: dec(20) }), // done before: out of scope
  item(5, 10, 'NEW', { assignedById: 6, createdAt: jan(28), deadline: feb(10) }), // in work, not due yet
  item(6, 11, 'WORK', { createdAt: dec(1) }), // in work, no deadline
  item(7, 11, 'SUCCESS', { assignedById: 7, createdAt: jan(10), finishedAt: jan(13) }), // done in 3 d, no deadline
  item(8, 10, 'FAIL', { assignedById: 7, createdAt: jan(3), finishedAt: jan(4) }), // cancelled: finished, not done
  item(9, 10, 'NEW', { createdAt: feb(2) }), // created after the end
];

const h = (ownerId: number, categoryId: number, stage: string, at: number): StageChangeRow => ({
  ownerId,
  categoryId,
  stageId: `DT1036_${categoryId}:${stage}`,
  semantic: stage === 'SUCCESS' ? 'S' : 'P',
  at,
});
const history = [
  h(6, 11, 'WORK', dec(1)),
  h(4, 10, 'NEW', dec(1)),
  h(4, 10, 'WORK', dec(5)), // a 4-day stay that ended before the period: not counted
  h(4, 10, 'SUCCESS', dec(20)),
  h(2, 10, 'NEW', jan(1)),
  h(1, 10, 'NEW', jan(2)),
  h(2, 10, 'WORK', jan(3)), // item 2: 2 days in NEW
  h(1, 10, 'WORK', jan(4)), // item 1: 2 days in NEW
  h(3, 10, 'NEW', jan(5)),
  h(3, 10, 'WORK', jan(6)), // item 3: 1 day in NEW
  h(7, 11, 'WORK', jan(10)),
  h(2, 10, 'SUCCESS', jan(11)), // item 2: 8 days in work
  h(7, 11, 'SUCCESS', jan(13)), // item 7: 3 days in work (Аналитическая группа)
  h(3, 10, 'SUCCESS', jan(25)), // item 3: 19 days in work
];

describe('projectsReport', () => {
  it('counts items, overdue, stays, lead time and deadlines per direction, stage and assistant', async () => {
    const report = await projectsReport({ items: stream(items), history: stream(history) }, JAN, directory, {
      names: NAMES,
    });
    expect(report.stages.map((s) => [s.direction, s.stage, s.items, s.overdue, s.averageDays])).toEqual([
      ['ГТИ', 'Новая', 1, 0, 5 / 3], // (2 + 2 + 1) / 3
      ['ГТИ', 'В работе', 1, 1, 13.5], // (8 + 19) / 2
      ['ГТИ', 'Готово', 2, 0, null],
      ['ГТИ', 'Отменено', 1, 0, null],
      ['Аналитическая группа', 'В работе', 1, 0, 3],
      ['Аналитическая группа', 'Готово', 1, 0, null],
    ]);
    expect(report.directions).toEqual([
      {
        categoryId: 10,
        direction: 'ГТИ',
        items: 5,
        inWork: 2,
        overdue: 1,
        done: 2,
        averageLeadDays: 15,
        onTimeShare: 0.5,
      },
      {
        categoryId: 11,
        direction: 'Аналитическая группа',
        items: 2,
        inWork: 1,
        overdue: 0,
        done: 1,
        averageLeadDays: 3,
        onTimeShare: null,
      },
    ]);
    expect(report.totals).toEqual({
      items: 7,
      inWork: 3,
      overdue: 1,
      done: 3,
      averageLeadDays: 11,
      onTimeShare: 0.5,
    });
    expect(report.assistants).toEqual([
      { userId: 5, name: 'Сидоров Пётр', inWork: 2, done: 1, overdue: 1 },
      { userId: 6, name: 'Кузнецова Анна', inWork: 1, done: 1, overdue: 0 },
      { userId: 7, name: 'Смирнов Олег', inWork: 0, done: 1, overdue: 0 },
    ]);
  });
});
