import type { Catalog } from '../../src/automation/catalog.js';
import type { Entity } from '../../src/automation/entity.js';
import type { OrgChart } from '../../src/automation/org-chart.js';
import { orgChart } from '../../src/automation/org-chart.js';

/** 2025-03-03T09:00:00+03:00, a Monday. */
export const T0 = Date.parse('2025-03-03T09:00:00+03:00');
export const DAY = 86_400_000;
export const OFFSET = 180;

const stages = (prefix: string, list: [string, string, 'P' | 'S' | 'F'][]) =>
  list.map(([code, name, semantics]) => ({ id: `${prefix}${code}`, code, name, semantics }));

export const catalog: Catalog = {
  pipelines: {
    sales: {
      key: 'sales',
      entityTypeId: 2,
      name: 'Продажи',
      categories: [
        {
          key: 'sales',
          id: 3,
          name: 'Продажи',
          stages: stages('C3:', [
            ['NEW', 'Новая заявка', 'P'],
            ['QUALIFIED', 'Квалификация пройдена', 'P'],
            ['NEGOTIATION', 'Переговоры', 'P'],
            ['INVOICE_SENT', 'Счет отправлен', 'P'],
            ['WON', 'Сделка успешна', 'S'],
            ['LOSE', 'Сделка провалена', 'F'],
          ]),
        },
      ],
    },
  },
  smartProcesses: {
    lab: {
      key: 'lab',
      entityTypeId: 1036,
      name: 'Лаборатория',
      categories: [
        {
          key: 'gti',
          id: 7,
          name: 'ГТИ',
          stages: stages('DT1036_7:', [
            ['NEW', 'Новый', 'P'],
            ['WORK', 'В работе', 'P'],
            ['SUCCESS', 'Завершен', 'S'],
          ]),
        },
        {
          key: 'analytics',
          id: 9,
          name: 'Аналитическая группа',
          stages: stages('DT1036_9:', [
            ['NEW', 'Новый', 'P'],
            ['WORK', 'В работе', 'P'],
            ['SUCCESS', 'Завершен', 'S'],
          ]),
        },
      ],
    },
  },
};

/**
 * 1 «Компания» (head 1) > 5 «Продажи» (head 7) > 6 «Менеджеры» (no head);
 * 1 > 8 «Лаборатория» (head 20). Users: 7 heads sales, 9 and 10 are managers in 6, 21 is in the lab,
 * 30 is an inactive former head of 11 «Архив» (under 1).
 */
export const org: OrgChart = orgChart(
  [
    { id: 1, name: 'Директор', active: true, departments: [1] },
    { id: 7, name: 'Руководитель продаж', active: true, departments: [5] },
    { id: 9, name: 'Менеджер Иванов', active: true, departments: [6] },
    { id: 10, name: 'Менеджер Петров', active: true, departments: [6] },
    { id: 20, name: 'Заведующий лабораторией', active: true, departments: [8] },
    { id: 21, name: 'Лаборант', active: true, departments: [8] },
    { id: 30, name: 'Бывший', active: false, departments: [11] },
    { id: 31, name: 'Архивариус', active: true, departments: [11] },
  ],
  [
    { id: 1, name: 'Компания', parent: null, head: 1 },
    { id: 5, name: 'Продажи', parent: 1, head: 7 },
    { id: 6, name: 'Менеджеры', parent: 5, head: null },
    { id: 8, name: 'Лаборатория', parent: 1, head: 20 },
    { id: 11, name: 'Архив', parent: 1, head: 30 },
  ],
);

export function deal(over: Partial<Entity> & { fields?: Record<string, unknown> } = {}): Entity {
  return {
    entityTypeId: 2,
    id: 15,
    title: 'Экспертиза почерка',
    categoryId: 3,
    stageId: 'C3:NEW',
    assignedById: 9,
    observers: [],
    createdTime: T0,
    updatedTime: T0,
    movedTime: T0,
    ...over,
    fields: { opportunity: 50000, ...(over.fields ?? {}) },
  };
}

export function labItem(over: Partial<Entity> & { fields?: Record<string, unknown> } = {}): Entity {
  return {
    entityTypeId: 1036,
    id: 4,
    title: 'Проект 4',
    categoryId: 7,
    stageId: 'DT1036_7:WORK',
    assignedById: 21,
    observers: [9, 10],
    createdTime: T0,
    updatedTime: T0,
    movedTime: T0,
    ...over,
    fields: { closedate: '2025-03-10T03:00:00+03:00', ...(over.fields ?? {}) },
  };
}
