import { describe, expect, it } from 'vitest';
import { checkLabItemLink } from '../../src/repair/check-lab-item-link.js';
import { checkRemainingAmount, money } from '../../src/repair/check-remaining-amount.js';
import { deal, labItem, policy, view } from './repair-fixtures.js';

describe('lab-item-link', () => {
  it('finds items without a deal or with a deleted one, and production deals without an item', async () => {
    const findings = await checkLabItemLink(
      view({
        deals: [
          deal(1, { stageId: 'C1:PROD_GTI' }),
          deal(2, { stageId: 'C1:PROD_GTI' }),
          deal(3),
          deal(4, { stageId: 'C1:WON' }),
        ],
        labItems: [labItem(1, { parentDealId: 1 }), labItem(2), labItem(3, { parentDealId: 77 })],
      }),
      policy(),
    );
    expect(findings.map((f) => [f.entities[0]!.type, f.entities[0]!.id, f.fixable])).toEqual([
      ['item', 2, 'person'],
      ['item', 3, 'person'],
      ['deal', 2, 'person'],
    ]);
    expect(findings[1]!.summary).toContain('deal #77, which no longer exists');
    expect(findings[2]!.summary).toContain('«Производство: ГТИ»');
  });

  it('production stages come from the policy', async () => {
    const findings = await checkLabItemLink(
      view({ deals: [deal(1, { stageId: 'C1:PROD_GTI' })] }),
      policy({ productionStages: ['PRODUCTION'] }),
    );
    expect(findings).toEqual([]);
  });

  it('has nothing to say on a portal without the laboratory', async () => {
    const v = view({ labItems: [labItem(1)] });
    delete v.lab;
    expect(await checkLabItemLink(v, policy())).toEqual([]);
  });
});

describe('remaining-amount', () => {
  it('reads money as crm.item prints it', () => {
    expect(money('1500.50|RUB')).toBe(1500.5);
    expect(money(200)).toBe(200);
    expect(money('')).toBeUndefined();
    expect(money(null)).toBeUndefined();
  });

  it('flags remaining != amount - paid to the kopeck, and leaves never-invoiced deals alone', async () => {
    const f = (paid: unknown, remaining: unknown) => ({
      ufCrmPaidAmount: paid,
      ufCrmRemainingAmount: remaining,
    });
    const findings = await checkRemainingAmount(
      view({
        deals: [
          deal(1, { opportunity: 1000, fields: f(400, 600) }),
          deal(2, { opportunity: 1000, fields: f(400, 1000) }),
          deal(3, { opportunity: 1000, fields: f(null, null) }),
          deal(4, { opportunity: 1000.1, fields: f(0.2, null) }),
          deal(5, { opportunity: 0.3, fields: f(0.1, 0.2) }),
          deal(6, { opportunity: 500, fields: f(500, null) }),
          deal(7, { opportunity: 500, fields: f(200, '') }),
        ],
      }),
    );
    expect(findings.map((x) => x.fixes)).toEqual([
      [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 2, id: 2 },
          fields: { ufCrmRemainingAmount: 600 },
        },
      ],
      [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 2, id: 4 },
          fields: { ufCrmRemainingAmount: 999.9 },
        },
      ],
      // Deal 6 is paid in full: an empty remainder is 0. Deal 7 owes 300 and shows nothing.
      [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: 2, id: 7 },
          fields: { ufCrmRemainingAmount: 300 },
        },
      ],
    ]);
    expect(findings[0]!.summary).toBe(
      'The deal «Сделка 2» shows 1000 remaining, but amount 1000 minus paid 400 is 600',
    );
  });
});
