import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/provision/compute-plan.js';
import type { Operation, Plan } from '../../src/provision/plan.js';
import { hasChanges } from '../../src/provision/plan.js';
import type { SnapshotStage } from '../../src/provision/snapshot.js';
import { config, emptyPortal, fieldsOf, provisioned, shipped } from './provision-fixtures.js';

const changed = (plan: Plan): Operation[] => plan.operations.filter((op) => op.action !== 'noop');
const op = (plan: Plan, address: string): Operation | undefined =>
  plan.operations.find((o) => o.address === address);
const indexOf = (plan: Plan, address: string): number =>
  plan.operations.findIndex((o) => o.address === address);

const SMALL = `
departments:
  - { key: sales, name: Отдел продаж, head: sales.head@sfo-nal.example }
  - { key: lab, name: Лаборатория }
  - { key: gti, name: ГТИ, parent: lab }
pipelines:
  - key: sales
    name: Продажи
    stages:
      - { code: NEW, name: Новая заявка }
      - { code: QUALIFIED, name: Квалификация пройдена }
      - { code: INVOICE_SENT, name: Счет отправлен }
      - { code: WON, name: Сделка успешна, semantics: success }
      - { code: LOSE, name: Сделка провалена, semantics: failure }
dealFields:
  - code: SERVICE
    type: enumeration
    label: Услуга
    list: [{ key: GTI, value: ГТИ }, { key: ANALYTICS, value: Аналитика }]
  - { code: PAID_AMOUNT, type: double, label: Оплаченная сумма, settings: { PRECISION: 2 } }
`;

/**
 * Replays the stage operations of one pipeline against the portal's sort rule (in-progress < success <
 * failure at every step, crm-status-add.md), to prove the plan's order never trips it.
 */
function replayStages(
  plan: Plan,
  owner: string,
  start: SnapshotStage[],
): { code: string; sort: number; semantics: string }[] {
  const rows: { code: string; sort: number; semantics: string }[] = start.map((s) => ({
    code: s.code,
    sort: s.sort,
    semantics: s.semantics,
  }));
  const check = (): void => {
    for (const a of rows)
      for (const b of rows) {
        if (a.semantics === 'process' && b.semantics !== 'process')
          expect(a.sort, `${a.code} < ${b.code}`).toBeLessThan(b.sort);
        if (a.semantics === 'success' && b.semantics === 'failure')
          expect(a.sort, `${a.code} < ${b.code}`).toBeLessThan(b.sort);
      }
  };
  for (const o of plan.operations.filter((x) => x.owner === owner && x.entity === 'stage')) {
    const code = o.address.slice(o.address.lastIndexOf(':') + 1);
    const i = rows.findIndex((r) => r.code === code);
    if (o.action === 'delete') rows.splice(i, 1);
    if (o.action === 'update' && typeof o.set?.sort === 'number') rows[i]!.sort = o.set.sort;
    if (o.action === 'create')
      rows.push({ code, sort: o.set?.sort as number, semantics: o.set?.semantics as string });
    check();
  }
  return rows.sort((a, b) => a.sort - b.sort);
}

// ---- tests --------------------------------------------------------------------------------------

describe('computePlan: an empty portal', () => {
  it('creates everything of the shipped config, nothing destructive, containers before their content', () => {
    const plan = computePlan(shipped(), emptyPortal());
    expect(plan.summary).toMatchObject({ noop: 0, destructive: 0, drift: 0 });
    expect(plan.summary.create).toBeGreaterThan(40);
    // The root is the portal's top department: renamed, not created.
    expect(op(plan, 'department:company')).toMatchObject({ action: 'update', portalId: 1, key: 'company' });
    expect(op(plan, 'smartProcess:laboratory/category:gti/stage:IN_WORK')).toMatchObject({
      entity: 'stage',
      key: 'IN_WORK',
    });
    expect(indexOf(plan, 'department:laboratory')).toBeLessThan(indexOf(plan, 'department:lab-gti'));
    expect(op(plan, 'department:lab-gti')?.set).toMatchObject({
      parent: { ref: 'department:laboratory' },
      head: 7,
    });
    for (const key of ['sales', 'procurement', 'subcontracts']) {
      const first = plan.operations.findIndex((o) => o.owner === `pipeline:${key}`);
      expect(indexOf(plan, `pipeline:${key}`)).toBeLessThan(first);
      expect(op(plan, `pipeline:${key}`)).toMatchObject({ action: 'create', set: { key } });
    }
    expect(indexOf(plan, 'smartProcess:laboratory')).toBeLessThan(
      indexOf(plan, 'smartProcess:laboratory/category:gti'),
    );
    expect(indexOf(plan, 'smartProcess:laboratory/category:gti')).toBeLessThan(
      indexOf(plan, 'smartProcess:laboratory/category:gti/stage:IN_WORK'),
    );
    expect(op(plan, 'smartProcess:laboratory')?.set).toEqual({
      title: 'Лаборатория',
      key: 'laboratory',
      flags: expect.objectContaining({ isObserversEnabled: true, isCategoriesEnabled: true }),
      relations: { parents: [{ entityTypeId: 2, childrenList: true }] },
    });
    expect(plan.operations.filter((o) => o.entity === 'field' && o.action === 'create')).toHaveLength(16);
  });

  it("reconciles the portal's default stages of a new pipeline without calling it destructive", () => {
    const plan = computePlan(config(SMALL), emptyPortal());
    const stages = plan.operations.filter((o) => o.owner === 'pipeline:sales');
    expect(stages.filter((o) => o.action === 'delete').map((o) => o.address)).toEqual([
      'pipeline:sales/stage:PREPARATION',
      'pipeline:sales/stage:PREPAYMENT_INVOICE',
      'pipeline:sales/stage:EXECUTING',
      'pipeline:sales/stage:FINAL_INVOICE',
      'pipeline:sales/stage:APOLOGY',
    ]);
    expect(stages.every((o) => !o.destructive)).toBe(true);
    expect(op(plan, 'pipeline:sales/stage:WON')).toMatchObject({
      action: 'update',
      predicted: true,
      set: { name: 'Сделка успешна' },
    });
    const start = [
      'NEW',
      'PREPARATION',
      'PREPAYMENT_INVOICE',
      'EXECUTING',
      'FINAL_INVOICE',
      'WON',
      'LOSE',
      'APOLOGY',
    ].map((code, i): SnapshotStage => ({
      id: 0,
      statusId: code,
      code,
      name: code,
      sort: (i + 1) * 10,
      color: '',
      system: false,
      semantics: code === 'WON' ? 'success' : code === 'LOSE' || code === 'APOLOGY' ? 'failure' : 'process',
    }));
    expect(replayStages(plan, 'pipeline:sales', start).map((r) => r.code)).toEqual([
      'NEW',
      'QUALIFIED',
      'INVOICE_SENT',
      'WON',
      'LOSE',
    ]);
  });

  it('takes over the default direction of a new smart process with the default one of the config', () => {
    const plan = computePlan(shipped(), emptyPortal());
    expect(op(plan, 'smartProcess:laboratory/category:new-request')).toMatchObject({
      action: 'update',
      predicted: true,
      set: { name: 'Новая заявка', key: 'new-request' },
    });
    expect(op(plan, 'smartProcess:laboratory/category:gti')).toMatchObject({
      action: 'create',
      owner: 'smartProcess:laboratory',
    });
  });
});

describe('computePlan: a provisioned portal', () => {
  it('is all noop when the portal matches the config', () => {
    const cfg = shipped();
    const plan = computePlan(cfg, provisioned(cfg));
    expect(changed(plan)).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
    expect(plan.warnings).toEqual([]);
    expect(plan.summary.noop).toBe(plan.operations.length);
    // apply can address every entity.
    expect(plan.known['smartProcess:laboratory/category:gti']?.id).toBeGreaterThan(0);
    expect(plan.known['pipeline:sales']?.entityTypeId).toBe(2);
  });

  it('ignores the default pipeline and absent sections', () => {
    const plan = computePlan(
      { pipelines: [] },
      { ...emptyPortal(), dealFields: fieldsOf(config(SMALL).dealFields!, 'UF_CRM_') },
    );
    expect(plan.operations).toEqual([]);
  });

  it('a rename in config is an update of the same entity, not a delete and a create', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    const renamed = config(
      SMALL.replace('Счет отправлен', 'Счёт и договор отправлены')
        .replace('name: Продажи', 'name: Продажи услуг')
        .replace(
          '{ key: lab, name: Лаборатория }',
          '{ key: lab, name: Лаборатория СЭУ, formerNames: [Лаборатория] }',
        )
        .replace('value: Аналитика', 'value: Аналитические исследования'),
    );
    const plan = computePlan(renamed, portal);
    expect(changed(plan).map((o) => `${o.action} ${o.address}`)).toEqual([
      'update department:lab',
      'update pipeline:sales',
      'update pipeline:sales/stage:INVOICE_SENT',
      'update dealField:SERVICE',
    ]);
    expect(op(plan, 'pipeline:sales/stage:INVOICE_SENT')).toMatchObject({
      changes: [{ field: 'name', from: 'Счет отправлен', to: 'Счёт и договор отправлены', drift: false }],
      set: { name: 'Счёт и договор отправлены' },
      destructive: false,
    });
    expect(op(plan, 'department:lab')?.reason).toBe('found by its former name «Лаборатория»');
    expect(op(plan, 'dealField:SERVICE')?.changes).toEqual([
      { field: 'list.ANALYTICS.value', from: 'Аналитика', to: 'Аналитические исследования', drift: false },
    ]);
  });

  it('a stage removed from config is a destructive delete, blocked while it holds deals', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    const without = config(SMALL.replace('      - { code: QUALIFIED, name: Квалификация пройдена }\n', ''));
    const plan = computePlan(without, portal);
    expect(changed(plan)).toEqual([
      expect.objectContaining({
        action: 'delete',
        address: 'pipeline:sales/stage:QUALIFIED',
        destructive: true,
        reason: 'not in config',
      }),
    ]);
    expect(plan.summary).toMatchObject({ delete: 1, destructive: 1 });
    portal.pipelines[1]!.stages[1]!.itemCount = 3;
    expect(op(computePlan(without, portal), 'pipeline:sales/stage:QUALIFIED')?.blocked).toMatch(
      /holds 3 deals; Bitrix24 refuses/,
    );
  });

  it('a stage whose semantics changed is re-created (destructive): the portal cannot update SEMANTICS', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    // «Счет отправлен» becomes a failure stage, so it moves after the success stage.
    const changedSemantics = config(
      SMALL.replace('      - { code: INVOICE_SENT, name: Счет отправлен }\n', '').replace(
        'semantics: failure }',
        'semantics: failure }\n      - { code: INVOICE_SENT, name: Счет отправлен, semantics: failure }',
      ),
    );
    const plan = computePlan(changedSemantics, portal);
    const ops = plan.operations.filter((o) => o.address === 'pipeline:sales/stage:INVOICE_SENT');
    expect(ops.map((o) => [o.action, o.destructive])).toEqual([
      ['delete', true],
      ['create', false],
    ]);
    expect(ops[0]?.reason).toContain('semantics process -> failure');
    const rows = replayStages(plan, 'pipeline:sales', portal.pipelines[1]!.stages);
    expect(rows.map((r) => r.code)).toEqual(['NEW', 'QUALIFIED', 'WON', 'LOSE', 'INVOICE_SENT']);
  });

  it('reorders stages with moves that keep the sort rule at every step', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    // Qualification after the invoice, plus two new stages and a second failure stage.
    const reordered = config(
      SMALL.replace(
        / {6}- \{ code: QUALIFIED[^\n]*\n {6}- \{ code: INVOICE_SENT[^\n]*\n/,
        '      - { code: INVOICE_SENT, name: Счет отправлен }\n      - { code: QUALIFIED, name: Квалификация пройдена }\n      - { code: PAID, name: Оплачено }\n',
      ).replace(
        'semantics: failure }',
        'semantics: failure }\n      - { code: APOLOGY, name: Анализ причин, semantics: failure }',
      ),
    );
    const plan = computePlan(reordered, portal);
    const rows = replayStages(plan, 'pipeline:sales', portal.pipelines[1]!.stages);
    expect(rows.map((r) => r.code)).toEqual([
      'NEW',
      'INVOICE_SENT',
      'QUALIFIED',
      'PAID',
      'WON',
      'LOSE',
      'APOLOGY',
    ]);
    expect(
      plan.operations
        .filter((o) => o.owner === 'pipeline:sales' && o.action !== 'noop')
        .every((o) => !o.destructive),
    ).toBe(true);
  });

  it('a new stage between two existing ones fits in the gap without touching the others', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    const plan = computePlan(
      config(
        SMALL.replace('      - { code: WON', '      - { code: PAID, name: Оплачено }\n      - { code: WON'),
      ),
      portal,
    );
    expect(changed(plan)).toEqual([
      expect.objectContaining({
        action: 'create',
        address: 'pipeline:sales/stage:PAID',
        set: expect.objectContaining({ sort: 35 }),
      }),
    ]);
  });

  it('moves a department that changed parent, and deletes departments that left the config, deepest first', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    portal.departments.push(
      { id: 90, name: 'Склад', parentId: 1, sort: 500, headId: null },
      { id: 91, name: 'Кладовая', parentId: 90, sort: 500, headId: null },
    );
    const moved = config(
      SMALL.replace('{ key: gti, name: ГТИ, parent: lab }', '{ key: gti, name: ГТИ, parent: sales }'),
    );
    const plan = computePlan(moved, portal);
    expect(op(plan, 'department:gti')).toMatchObject({
      action: 'update',
      changes: [{ field: 'parent', from: 'Лаборатория', to: 'Отдел продаж', drift: false }],
      set: { parent: { ref: 'department:sales' } },
    });
    expect(plan.operations.filter((o) => o.action === 'delete').map((o) => o.name)).toEqual([
      'Кладовая',
      'Склад',
    ]);
  });

  it('an unknown head e-mail is a warning, not a change that never converges', () => {
    const cfg = config(SMALL.replace('sales.head@sfo-nal.example', 'nobody@sfo-nal.example'));
    const plan = computePlan(cfg, provisioned(config(SMALL)));
    expect(plan.warnings).toEqual([
      expect.stringContaining('nobody@sfo-nal.example) is not a user of the portal'),
    ]);
    expect(changed(plan)).toEqual([]);
  });

  it('adopts a pipeline and a smart process that have no key yet, by name', () => {
    const cfg = shipped();
    const portal = provisioned(cfg);
    portal.pipelines[1]!.key = '';
    portal.smartProcesses[0]!.key = '';
    portal.smartProcesses[0]!.categories[1]!.key = '';
    const plan = computePlan(cfg, portal);
    expect(
      changed(plan).map((o) => [
        o.address,
        o.changes.map((c) => `${c.field}: ${String(c.from)} -> ${String(c.to)}`),
      ]),
    ).toEqual([
      ['pipeline:sales', ['key:  -> sales']],
      ['smartProcess:laboratory', ['key:  -> laboratory']],
      ['smartProcess:laboratory/category:gti', ['key:  -> gti']],
    ]);
    expect(op(plan, 'pipeline:sales')?.reason).toContain('found by name');
  });

  it('fields: a type change re-creates the field, a removed list value is destructive', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    const plan = computePlan(
      config(
        SMALL.replace('type: double', 'type: money').replace(', { key: ANALYTICS, value: Аналитика }', ''),
      ),
      portal,
    );
    expect(changed(plan).map((o) => [o.action, o.address, o.destructive])).toEqual([
      ['delete', 'dealField:PAID_AMOUNT', true],
      ['update', 'dealField:SERVICE', true],
      ['create', 'dealField:PAID_AMOUNT', false],
    ]);
    expect(op(plan, 'dealField:SERVICE')?.set?.list).toEqual([
      { id: portal.dealFields[0]!.list[0]!.id, key: 'GTI', value: 'ГТИ', sort: 10, default: false },
      { id: portal.dealFields[0]!.list[1]!.id, delete: true },
    ]);
  });

  it('settings compare loosely (the portal prints numbers as strings) and only the keys given', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    portal.dealFields[1]!.settings = { PRECISION: '2', DEFAULT_VALUE: '' };
    expect(changed(computePlan(cfg, portal))).toEqual([]);
    portal.dealFields[1]!.settings.PRECISION = '4';
    expect(op(computePlan(cfg, portal), 'dealField:PAID_AMOUNT')).toMatchObject({
      action: 'update',
      set: { settings: { PRECISION: 2, DEFAULT_VALUE: '' } },
    });
  });
});

describe('computePlan: drift', () => {
  it('marks what was changed on the portal by hand, given the state of the last apply', () => {
    const cfg = config(SMALL);
    const applied = computePlan(cfg, emptyPortal()).state;
    const portal = provisioned(cfg);
    portal.pipelines[1]!.stages[1]!.name = 'Квалификация (вручную)';
    portal.pipelines[1]!.stages.splice(2, 1); // INVOICE_SENT deleted by hand
    const plan = computePlan(cfg, portal, applied);
    expect(op(plan, 'pipeline:sales/stage:QUALIFIED')).toMatchObject({
      action: 'update',
      drift: true,
      changes: [{ field: 'name', from: 'Квалификация (вручную)', to: 'Квалификация пройдена', drift: true }],
    });
    expect(op(plan, 'pipeline:sales/stage:INVOICE_SENT')).toMatchObject({ action: 'create', drift: true });
    expect(plan.summary.drift).toBe(2);
  });

  it('a change made in config is not drift; an entity added on the portal by hand is', () => {
    const cfg = config(SMALL);
    const applied = computePlan(cfg, emptyPortal()).state;
    const portal = provisioned(cfg);
    portal.departments.push({ id: 95, name: 'Новый отдел', parentId: 1, sort: 500, headId: null });
    const edited = config(SMALL.replace('Квалификация пройдена', 'Квалификация'));
    const plan = computePlan(edited, portal, applied);
    expect(op(plan, 'pipeline:sales/stage:QUALIFIED')).toMatchObject({ action: 'update', drift: false });
    expect(op(plan, 'department:#95')).toMatchObject({ action: 'delete', drift: true, destructive: true });
  });

  it('without a recorded apply nothing is called drift', () => {
    const cfg = config(SMALL);
    const portal = provisioned(cfg);
    portal.pipelines[1]!.stages[1]!.name = 'Вручную';
    expect(computePlan(cfg, portal).summary.drift).toBe(0);
  });
});
