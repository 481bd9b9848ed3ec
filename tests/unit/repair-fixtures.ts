/** A hand-built laboratory portal for the repair checks' unit tests: no IO, every value visible. */
import type {
  CrmRecord,
  DepartmentInfo,
  EnumField,
  PortalView,
  StageInfo,
  TaskRow,
  UserInfo,
  WorkflowRow,
} from '../../src/repair/portal-view.js';
import { stagesKey } from '../../src/repair/portal-view.js';
import type { RepairPolicy } from '../../src/repair/repair-section.js';
import { repairPolicySchema } from '../../src/repair/repair-section.js';

export const PORTAL = 'https://lab.example.ru';
export const NOW = Date.parse('2026-11-20T10:00:00Z');
export const LAB = 1036;

export const policy = (overrides: Partial<RepairPolicy> = {}): RepairPolicy => ({
  ...repairPolicySchema.parse({}),
  ...overrides,
});

/**
 * Departments: 1 company (head 1, director), 2 sales under 1 (head 2), 3 laboratory under 1 (head 5).
 * Users: 1 director, 2 sales head, 3 manager (active), 4 manager (dismissed, sales), 5 lab head,
 * 6 lab assistant (dismissed, laboratory), 7 dismissed, in no department.
 */
export function users(): Map<number, UserInfo> {
  const list: UserInfo[] = [
    { id: 1, active: true, name: 'Директор', email: 'director@lab.ru', departments: [1] },
    { id: 2, active: true, name: 'Руководитель продаж', email: 'sales.head@lab.ru', departments: [2] },
    { id: 3, active: true, name: 'Менеджер Анна', email: 'anna@lab.ru', departments: [2] },
    { id: 4, active: false, name: 'Менеджер Борис', email: 'boris@lab.ru', departments: [2] },
    { id: 5, active: true, name: 'Заведующий лабораторией', email: 'lab.head@lab.ru', departments: [3] },
    { id: 6, active: false, name: 'Лаборант Вера', email: 'vera@lab.ru', departments: [3] },
    { id: 7, active: false, name: 'Бывший', email: 'gone@lab.ru', departments: [] },
  ];
  return new Map(list.map((u) => [u.id, u]));
}

export function departments(): Map<number, DepartmentInfo> {
  const list: DepartmentInfo[] = [
    { id: 1, name: 'Компания', parentId: null, headId: 1 },
    { id: 2, name: 'Отдел продаж', parentId: 1, headId: 2 },
    { id: 3, name: 'Лаборатория', parentId: 1, headId: 5 },
  ];
  return new Map(list.map((d) => [d.id, d]));
}

const stage = (
  categoryId: number,
  prefix: string,
  code: string,
  name: string,
  sort: number,
  semantics: StageInfo['semantics'] = 'P',
): StageInfo => ({
  statusId: `${prefix}${code}`,
  code,
  name,
  categoryId,
  semantics,
  sort,
});

/** Deal pipeline 1 «Продажи» (C1:), pipeline 2 «Госзакупки» (C2:); lab direction 5 (DT1036_5:). */
export function stages(): Map<string, StageInfo[]> {
  return new Map([
    [
      stagesKey(2, 1),
      [
        stage(1, 'C1:', 'NEW', 'Новая заявка', 10),
        stage(1, 'C1:', 'PROD_GTI', 'Производство: ГТИ', 20),
        stage(1, 'C1:', 'WON', 'Сделка успешна', 30, 'S'),
        stage(1, 'C1:', 'LOSE', 'Сделка провалена', 40, 'F'),
      ],
    ],
    [
      stagesKey(2, 2),
      [
        stage(2, 'C2:', 'NEW', 'Новая заявка', 10),
        stage(2, 'C2:', 'CONTRACT', 'Контракт заключен', 20),
        stage(2, 'C2:', 'WON', 'Оплата получена', 30, 'S'),
      ],
    ],
    [
      stagesKey(LAB, 5),
      [
        stage(5, 'DT1036_5:', 'NEW', 'Новый проект', 10),
        stage(5, 'DT1036_5:', 'SUCCESS', 'Выполнено', 20, 'S'),
      ],
    ],
  ]);
}

export const deal = (id: number, over: Partial<CrmRecord> = {}): CrmRecord => ({
  entityTypeId: 2,
  id,
  title: `Сделка ${id}`,
  assignedById: 3,
  categoryId: 1,
  stageId: 'C1:NEW',
  opportunity: 0,
  contactIds: [],
  fields: {},
  ...over,
});
export const contact = (id: number, over: Partial<CrmRecord> = {}): CrmRecord => ({
  entityTypeId: 3,
  id,
  title: `Контакт ${id}`,
  assignedById: 3,
  fields: {},
  phones: [],
  emails: [],
  ...over,
});
export const company = (id: number, over: Partial<CrmRecord> = {}): CrmRecord => ({
  entityTypeId: 4,
  id,
  title: `Компания ${id}`,
  assignedById: 3,
  fields: {},
  phones: [],
  emails: [],
  ...over,
});
export const labItem = (id: number, over: Partial<CrmRecord> = {}): CrmRecord => ({
  entityTypeId: LAB,
  id,
  title: `Проект ${id}`,
  assignedById: 5,
  categoryId: 5,
  stageId: 'DT1036_5:NEW',
  parentDealId: 0,
  fields: {},
  ...over,
});

export interface Data {
  deals?: CrmRecord[];
  contacts?: CrmRecord[];
  companies?: CrmRecord[];
  labItems?: CrmRecord[];
  tasks?: TaskRow[];
  workflows?: WorkflowRow[];
  enumFields?: Map<number, EnumField[]>;
}

/** A view over arrays; the streams are async like the real ones. */
export function view(data: Data = {}, over: Partial<PortalView> = {}): PortalView {
  async function* stream<T>(rows: T[] = []): AsyncGenerator<T> {
    for (const row of rows) yield await Promise.resolve(row);
  }
  return {
    portal: PORTAL,
    now: NOW,
    deals: () => stream(data.deals),
    contacts: () => stream(data.contacts),
    companies: () => stream(data.companies),
    labItems: () => stream(data.labItems),
    openTasks: () => stream(data.tasks),
    workflows: () => stream(data.workflows),
    users: users(),
    departments: departments(),
    stages: stages(),
    enumFields: data.enumFields ?? new Map(),
    lab: { entityTypeId: LAB, title: 'Лаборатория' },
    amountFields: { paid: 'ufCrmPaidAmount', remaining: 'ufCrmRemainingAmount' },
    ...over,
  };
}
