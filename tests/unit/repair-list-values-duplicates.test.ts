import { describe, expect, it } from 'vitest';
import { checkDuplicates, normaliseEmail, normalisePhone } from '../../src/repair/check-duplicates.js';
import { checkStaleListValues, listIds } from '../../src/repair/check-stale-list-values.js';
import type { EnumField } from '../../src/repair/portal-view.js';
import { company, contact, deal, labItem, policy, view } from './repair-fixtures.js';

const service: EnumField = {
  name: 'ufCrmService',
  label: 'Услуга',
  multiple: false,
  values: new Set([1, 2]),
};
const directions: EnumField = {
  name: 'ufCrm5Directions',
  label: 'Требуемые направления',
  multiple: true,
  values: new Set([7, 8]),
};
const enumFields = new Map([
  [2, [service]],
  [1036, [directions]],
]);

describe('stale-list-values', () => {
  it('reads list values in every shape', () => {
    expect(listIds('5')).toEqual([5]);
    expect(listIds([5, '7', '', null])).toEqual([5, 7]);
    expect(listIds(false)).toEqual([]);
  });

  it('clears a dead single value and keeps the live ones of a multiple field', async () => {
    const findings = await checkStaleListValues(
      view({
        deals: [deal(1, { fields: { ufCrmService: 1 } }), deal(2, { fields: { ufCrmService: '3' } })],
        labItems: [labItem(1, { fields: { ufCrm5Directions: [7, 9] } })],
        enumFields,
      }),
      policy(),
    );
    expect(findings.map((f) => f.fixes)).toEqual([
      [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 2, id: 2 },
          fields: { ufCrmService: '' },
        },
      ],
      [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 1036, id: 1 },
          fields: { categoryId: 5, ufCrm5Directions: [7] },
        },
      ],
    ]);
    expect(findings[0]!.summary).toBe(
      'The deal «Сделка 2» has value 3 in «Услуга», which the list no longer has',
    );
  });

  it('policy report leaves them to a person', async () => {
    const [f] = await checkStaleListValues(
      view({ deals: [deal(2, { fields: { ufCrmService: 3 } })], enumFields }),
      policy({ listValues: 'report' }),
    );
    expect(f).toMatchObject({ fixable: 'person' });
    expect(f!.fixes).toBeUndefined();
  });
});

describe('duplicates', () => {
  it('normalises phones and e-mails the ways people type them', () => {
    expect(normalisePhone('+7 (913) 555-12-34')).toBe('79135551234');
    expect(normalisePhone('8 913 555 12 34')).toBe('79135551234');
    expect(normalisePhone('913-555-12-34')).toBe('79135551234');
    expect(normalisePhone('55-12')).toBeUndefined();
    expect(normaliseEmail(' Ivan.Petrov@Mail.RU ')).toBe('ivan.petrov@mail.ru');
    expect(normaliseEmail('нет')).toBeUndefined();
  });

  it('groups clients sharing a phone or an e-mail, transitively; merge only on request', async () => {
    const findings = await checkDuplicates(
      view({
        contacts: [
          contact(1, { phones: ['+7 913 555-12-34'] }),
          contact(2, { phones: ['8 (913) 555 12 34'], emails: ['a@b.ru'] }),
          contact(3, { emails: ['A@B.ru'] }),
          contact(4, { phones: ['+7 913 000-00-00'] }),
        ],
        companies: [
          company(1, { emails: ['info@x.ru'] }),
          company(2, { emails: ['info@y.ru'] }),
          company(3, { emails: ['Info@X.ru'] }),
        ],
      }),
    );
    expect(findings).toHaveLength(2);
    expect(findings[1]!.summary).toBe(
      '2 companies look like one client (same e-mail info@x.ru): «Компания 1» #1, «Компания 3» #3',
    );
    expect(findings[0]).toMatchObject({
      check: 'duplicates',
      fixable: 'merge',
      fixes: [{ kind: 'merge', entityTypeId: 3, ids: [1, 2, 3] }],
    });
    expect(findings[0]!.entities.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(findings[0]!.summary).toContain('phone 79135551234');
  });
});
