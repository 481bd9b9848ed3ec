import { describe, expect, it } from 'vitest';
import { checkResponsibleMismatch } from '../../src/repair/check-responsible-mismatch.js';
import { company, contact, deal, policy, view } from './repair-fixtures.js';

describe('responsible-mismatch', () => {
  it("gives a client to the one responsible of its open deals; closed deals don't count", async () => {
    const findings = await checkResponsibleMismatch(
      view({
        deals: [
          deal(1, { assignedById: 3, contactIds: [1], companyId: 1 }),
          deal(2, { assignedById: 2, contactIds: [2], stageId: 'C1:WON' }),
        ],
        contacts: [contact(1, { assignedById: 2 }), contact(2, { assignedById: 3 })],
        companies: [company(1, { assignedById: 3 })],
      }),
      policy(),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      check: 'responsible-mismatch',
      fixable: 'repair',
      entities: [{ type: 'contact', id: 1 }],
      fixes: [
        { kind: 'set-fields', target: { type: 'crm', entityTypeId: 3, id: 1 }, fields: { assignedById: 3 } },
      ],
    });
  });

  it('leaves a client whose open deals have several responsibles to a person', async () => {
    const [f] = await checkResponsibleMismatch(
      view({
        deals: [deal(1, { assignedById: 3, companyId: 1 }), deal(2, { assignedById: 2, companyId: 1 })],
        companies: [company(1, { assignedById: 1 })],
      }),
      policy(),
    );
    expect(f).toMatchObject({ fixable: 'person', entities: [{ type: 'company', id: 1 }] });
    expect(f!.fixes).toBeUndefined();
  });

  it('counts a dismissed deal responsible as their heir, so the rerun after repair is clean', async () => {
    const findings = await checkResponsibleMismatch(
      view({
        deals: [deal(1, { assignedById: 4, contactIds: [1] })],
        contacts: [contact(1, { assignedById: 2 })],
      }),
      policy(),
    );
    expect(findings).toEqual([]);
  });
});
