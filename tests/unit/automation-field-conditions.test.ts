import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/automation/catalog.js';
import { resolveRules } from '../../src/automation/catalog.js';
import type { ChangeEvent } from '../../src/automation/detect-changes.js';
import { firingsForEvent } from '../../src/automation/evaluate-rules.js';
import { matchesCondition } from '../../src/automation/match-conditions.js';
import { ruleUsesParent } from '../../src/automation/parent-record.js';
import type { Condition } from '../../src/automation/rule-schema.js';
import { conditionSchema, rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { parseConfigFiles } from '../../src/config/load-config.js';
import { catalog, deal, labItem, OFFSET, org, T0 } from './automation-fixtures.js';

const paidInFull: Condition = { field: 'PAID_AMOUNT', op: '>=', valueField: 'opportunity' };
const withPaid = (paid: unknown, opportunity: unknown = 120000) =>
  deal({ fields: { opportunity, PAID_AMOUNT: paid } });

describe('{ valueField }: a field compared with another field of the record', () => {
  it.each([
    ['paid the whole amount', withPaid(120000), true],
    ['paid more than the amount', withPaid(130000.5), true],
    ['paid part of it', withPaid(60000), false],
    ['numbers as numbers, not text ("9" < "10")', withPaid('10', '9'), true],
    ['decimal text and money "N|RUB"', withPaid('120000.00|RUB', '120000.00'), true],
    ['money short of the amount', withPaid('119999.99|RUB', 120000), false],
    ['nothing paid (empty) never compares', withPaid(null), false],
    ['no amount (empty) never compares', withPaid(5, ''), false],
  ] as const)('%s', (_name, entity, expected) => {
    expect(matchesCondition(entity, paidInFull)).toBe(expected);
  });

  it('every op: = != > >= < <=', () => {
    const d = withPaid(60000);
    const by = (op: Condition['op']) =>
      matchesCondition(d, { field: 'PAID_AMOUNT', op, valueField: 'opportunity' });
    expect(['=', '!=', '>', '>=', '<', '<='].map((op) => [op, by(op as Condition['op'])])).toEqual([
      ['=', false],
      ['!=', true],
      ['>', false],
      ['>=', false],
      ['<', true],
      ['<=', true],
    ]);
    const even = withPaid('60000.00', 60000);
    expect(matchesCondition(even, { field: 'PAID_AMOUNT', op: '=', valueField: 'opportunity' })).toBe(true);
    expect(matchesCondition(even, { field: 'PAID_AMOUNT', op: '!=', valueField: 'opportunity' })).toBe(false);
  });

  it('dates compare as times, whatever offset they are written in', () => {
    const d = deal({
      fields: { closedate: '2025-03-10T03:00:00+03:00', UF_CRM_END: '2025-03-10T00:30:00Z' },
    });
    const end = (op: Condition['op']) =>
      matchesCondition(d, { field: 'UF_CRM_END', op, valueField: 'closedate' });
    expect([end('>'), end('<'), end('=')]).toEqual([true, false, false]);
  });

  it('text: = and != compare, an order of texts does not hold', () => {
    const d = deal({ fields: { sourceId: 'WEB', UF_CRM_SOURCE: 'WEB', UF_CRM_OTHER: 'CALL' } });
    expect(matchesCondition(d, { field: 'sourceId', op: '=', valueField: 'UF_CRM_SOURCE' })).toBe(true);
    expect(matchesCondition(d, { field: 'sourceId', op: '!=', valueField: 'UF_CRM_OTHER' })).toBe(true);
    expect(matchesCondition(d, { field: 'sourceId', op: '>', valueField: 'UF_CRM_OTHER' })).toBe(false);
  });

  it('parent.<field> on either side reads the parent deal; without a parent it does not hold', () => {
    const item = labItem({ fields: { UF_CRM_12_COST: 70000 } });
    const parent = { entity: deal({ fields: { opportunity: 50000 } }) };
    const over: Condition = { field: 'UF_CRM_12_COST', op: '>', valueField: 'parent.opportunity' };
    const under: Condition = { field: 'parent.opportunity', op: '<', valueField: 'UF_CRM_12_COST' };
    expect(matchesCondition(item, over, { parent })).toBe(true);
    expect(matchesCondition(item, under, { parent })).toBe(true);
    expect(matchesCondition(item, over, {})).toBe(false);
    expect(ruleUsesParent(rulesSectionSchema.parse([rule([under])])[0]!)).toBe(true);
    expect(
      ruleUsesParent(rulesSectionSchema.parse([rule([{ ...over, valueField: 'opportunity' }])])[0]!),
    ).toBe(false);
  });
});

describe('the schema of valueField', () => {
  const issues = (raw: unknown) => {
    const r = conditionSchema.safeParse(raw);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };

  it('takes a field (or parent.<field>) with = != > >= < <=', () => {
    expect(conditionSchema.parse({ field: 'PAID_AMOUNT', op: '>=', valueField: 'opportunity' })).toEqual(
      paidInFull,
    );
    for (const op of ['=', '!=', '>', '>=', '<', '<='])
      expect(issues({ field: 'PAID_AMOUNT', op, valueField: 'parent.opportunity' }), op).toEqual([]);
    expect(issues({ field: 'stage', valueField: 'parent.stage' })).toEqual([]);
  });

  it('refuses value and valueField together, other ops, and a non-field', () => {
    expect(issues({ field: 'PAID_AMOUNT', op: '>=', value: 0, valueField: 'opportunity' })).toEqual([
      ['valueField', 'give either value or valueField'],
    ]);
    for (const op of ['in', 'not_in', 'contains', 'empty', 'not_empty'])
      expect(issues({ field: 'PAID_AMOUNT', op, valueField: 'opportunity' }), op).toEqual([
        ['op', 'compare with a field by =, !=, >, >=, < or <='],
      ]);
    expect(issues({ field: 'PAID_AMOUNT', op: '>=', valueField: 'opportunity - 1' })).toEqual([
      ['valueField', 'not a field name'],
    ]);
  });
});

const rule = (conditions: unknown[], entity: unknown = { pipeline: 'sales' }) => ({
  id: 'paid',
  entity,
  trigger: { type: 'field_changed', field: 'PAID_AMOUNT' },
  conditions,
  actions: [{ type: 'move_stage', stage: 'WON' }],
});

describe('valueField in rules', () => {
  // The laboratory's deal fields by code: the rule names PAID_AMOUNT, the portal UF_CRM_PAID_AMOUNT.
  const named: Catalog = {
    ...catalog,
    pipelines: {
      sales: {
        ...catalog.pipelines.sales!,
        fields: { PAID_AMOUNT: 'UF_CRM_PAID_AMOUNT', COST: 'UF_CRM_COST' },
      },
    },
  };
  const paid = (to: number): ChangeEvent => ({
    kind: 'field_changed',
    field: 'UF_CRM_PAID_AMOUNT',
    from: 0,
    to,
    occurrence: `field:UF_CRM_PAID_AMOUNT@${to}`,
    at: T0,
  });
  const ctx = { now: T0, offsetMinutes: OFFSET, catalog: named, org };

  it('field codes on both sides become portal names; the payment that completes the amount fires', () => {
    const { rules, problems } = resolveRules(
      rulesSectionSchema.parse([rule([{ field: 'PAID_AMOUNT', op: '>=', valueField: 'COST' }])]),
      named,
    );
    expect(problems).toEqual([]);
    expect(rules[0]!.rule.conditions).toEqual([
      { field: 'UF_CRM_PAID_AMOUNT', op: '>=', valueField: 'UF_CRM_COST' },
    ]);
    const at = (amount: number) =>
      deal({ fields: { UF_CRM_PAID_AMOUNT: amount, UF_CRM_COST: 1000, opportunity: 99999 } });
    expect(firingsForEvent(rules, at(400), paid(400), ctx)).toEqual([]);
    expect(firingsForEvent(rules, at(1000), paid(1000), ctx)).toHaveLength(1);
  });
});

describe('config check of valueField on list rules', () => {
  it('a valueField that is no field of the list is reported with its path', () => {
    const loaded = parseConfigFiles([
      {
        name: 'lists.yaml',
        text: `lists:
  - key: contracts
    name: Реестр договоров
    fields:
      - { code: AMOUNT, label: Сумма, type: number }
      - { code: PAID, label: Оплачено, type: number }
`,
      },
      {
        name: 'automation.yaml',
        text: `automation:
  rules:
    - id: a
      entity: { list: contracts }
      trigger: { type: created }
      conditions:
        - { field: PAID, op: '>=', valueField: AMOUNT }
        - { field: PAID, op: '>=', valueField: TOTAL }
      actions: [{ type: comment, text: x }]
`,
      },
    ]);
    if (loaded.ok) throw new Error('expected issues');
    expect(loaded.issues.map((i) => [i.path, i.message])).toEqual([
      [
        'automation.rules[0].conditions[1].valueField',
        'No field "TOTAL" in list "contracts"; its fields: AMOUNT, PAID, NAME',
      ],
    ]);
  });
});
