import { describe, expect, it } from 'vitest';
import { userByDepartment } from '../../src/automation/department-map.js';
import { orgChart } from '../../src/automation/org-chart.js';

const org = orgChart(
  [
    { id: 1, name: 'Директор', active: true, departments: [1] },
    { id: 7, name: 'Менеджер', active: true, departments: [3] },
    { id: 9, name: 'Лаборант', active: true, departments: [4, 3] },
  ],
  [
    { id: 1, name: 'Компания', parent: null, head: 1 },
    { id: 2, name: 'Отдел продаж', parent: 1, head: null },
    { id: 3, name: 'Менеджеры', parent: 2, head: null },
    { id: 4, name: 'ГТИ', parent: 1, head: null },
  ],
);

describe('department -> employee mapping (process 6: agents)', () => {
  it('finds the nearest mapped department up the tree', () => {
    expect(userByDepartment(org, 7, { 'Отдел продаж': 12 })).toBe(12);
    expect(userByDepartment(org, 7, { 'Отдел продаж': 12, Менеджеры: 13 })).toBe(13);
    expect(userByDepartment(org, 7, { Компания: 5, 'Отдел продаж': 12 })).toBe(12);
  });

  it('looks at all own departments before any parent', () => {
    expect(userByDepartment(org, 9, { Компания: 5, Менеджеры: 13 })).toBe(13);
    expect(userByDepartment(org, 9, { ГТИ: 14, Менеджеры: 13 })).toBe(14);
  });

  it('is undefined for unknown users and unmapped departments', () => {
    expect(userByDepartment(org, 1, { 'Отдел продаж': 12 })).toBeUndefined();
    expect(userByDepartment(org, 99, { Компания: 5 })).toBeUndefined();
  });
});
