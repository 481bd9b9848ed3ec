import { describe, expect, it } from 'vitest';
import { checkInactiveResponsible } from '../../src/repair/check-inactive-responsible.js';
import { findHeir } from '../../src/repair/find-heir.js';
import { company, contact, deal, departments, labItem, policy, users, view } from './repair-fixtures.js';

const org = { users: users(), departments: departments() };

describe('findHeir', () => {
  it('gives a dismissed employee to the head of their department', () => {
    expect(findHeir(4, org, policy())).toBe(2);
    expect(findHeir(6, org, policy())).toBe(5);
  });

  it('walks up when the head is the employee or inactive', () => {
    const d = departments();
    d.set(2, { ...d.get(2)!, headId: 4 });
    expect(findHeir(4, { users: users(), departments: d }, policy())).toBe(1);
  });

  it('falls back to the configured user (by e-mail or ID), never to an inactive one', () => {
    expect(findHeir(7, org, policy())).toBeUndefined();
    expect(findHeir(7, org, policy({ fallbackUser: 'Director@lab.ru' }))).toBe(1);
    expect(findHeir(4, org, policy({ inheritor: 'fallback-user', fallbackUser: 3 }))).toBe(3);
    expect(findHeir(7, org, policy({ fallbackUser: 6 }))).toBeUndefined();
  });
});

describe('inactive-responsible', () => {
  it('groups records by former employee and kind; only open deals and items, all clients, open tasks', async () => {
    const findings = await checkInactiveResponsible(
      view({
        deals: [
          deal(1, { assignedById: 4 }),
          deal(2, { assignedById: 4 }),
          deal(3, { assignedById: 4, stageId: 'C1:WON' }),
          deal(4),
        ],
        contacts: [contact(1, { assignedById: 4 })],
        companies: [company(1, { assignedById: 99 })],
        labItems: [labItem(1, { assignedById: 6 })],
        tasks: [{ id: 10, title: 'Проверить оплату', responsibleId: 4, status: 2 }],
      }),
      policy(),
    );
    expect(findings.map((f) => [f.summary, f.fixable])).toEqual([
      ['2 deals are assigned to Менеджер Борис (#4), who is dismissed', 'repair'],
      ['1 contact is assigned to Менеджер Борис (#4), who is dismissed', 'repair'],
      ['1 company is assigned to user #99, who no longer exists', 'person'],
      ['1 Лаборатория item is assigned to Лаборант Вера (#6), who is dismissed', 'repair'],
      ['1 task is assigned to Менеджер Борис (#4), who is dismissed', 'repair'],
    ]);
    expect(findings[0]!.fixes).toEqual([
      { kind: 'set-fields', target: { type: 'crm', entityTypeId: 2, id: 1 }, fields: { assignedById: 2 } },
      { kind: 'set-fields', target: { type: 'crm', entityTypeId: 2, id: 2 }, fields: { assignedById: 2 } },
    ]);
    expect(findings[3]!.fixes).toEqual([
      {
        kind: 'set-fields',
        target: { type: 'crm', entityTypeId: 1036, id: 1 },
        fields: { categoryId: 5, assignedById: 5 },
      },
    ]);
    expect(findings[4]).toMatchObject({
      entities: [
        { type: 'task', id: 10, link: 'https://lab.example.ru/company/personal/user/4/tasks/task/view/10/' },
      ],
      fixes: [{ kind: 'set-fields', target: { type: 'task', id: 10 }, fields: { RESPONSIBLE_ID: 2 } }],
    });
    expect(findings[2]!.hint).toContain('repair.fallbackUser');
  });

  it('a missing user is fixable once a fallback user is configured', async () => {
    const [f] = await checkInactiveResponsible(
      view({ companies: [company(1, { assignedById: 99 })] }),
      policy({ fallbackUser: 1 }),
    );
    expect(f).toMatchObject({ fixable: 'repair', fixes: [{ fields: { assignedById: 1 } }] });
  });
});
