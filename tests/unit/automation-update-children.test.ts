import { describe, expect, it } from 'vitest';
import { checkItemTargets, namedSmartProcesses } from '../../src/automation/actions/item-targets.js';
import {
  holdsValue,
  planUpdateChildren,
  staleChildren,
} from '../../src/automation/actions/update-children.js';
import type { Catalog } from '../../src/automation/catalog.js';
import { resolveRules } from '../../src/automation/catalog.js';
import type { ChangeEvent } from '../../src/automation/detect-changes.js';
import { firingsForEvent } from '../../src/automation/evaluate-rules.js';
import { rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { catalog as base, deal, OFFSET, org, T0 } from './automation-fixtures.js';

const catalog: Catalog = {
  ...base,
  pipelines: { sales: { ...base.pipelines.sales!, fields: { PROJECT_END: 'UF_CRM_PROJECT_END' } } },
  smartProcesses: {
    lab: {
      ...base.smartProcesses.lab!,
      fields: { DEADLINE: 'UF_CRM_12_DEADLINE', DIRECTIONS: 'UF_CRM_12_DIRECTIONS' },
      enums: {
        UF_CRM_12_DIRECTIONS: [
          { id: 91, xmlId: 'GTI', value: 'ГТИ' },
          { id: 92, xmlId: 'ANALYTICS', value: 'Аналитическая группа' },
        ],
      },
    },
  },
};
const ctx = { now: T0, offsetMinutes: OFFSET, catalog, org };

const rule = (action: Record<string, unknown>) => ({
  id: 'deadline',
  entity: { pipeline: 'sales' },
  trigger: { type: 'field_changed', field: 'PROJECT_END' },
  conditions: [{ field: 'PROJECT_END', op: 'not_empty' }],
  actions: [{ type: 'update_children', smartProcess: 'lab', ...action }],
});
const changed: ChangeEvent = {
  kind: 'field_changed',
  field: 'UF_CRM_PROJECT_END',
  from: null,
  to: '2025-03-31T03:00:00+03:00',
  occurrence: 'field:UF_CRM_PROJECT_END@1',
  at: T0,
};

describe('update_children', () => {
  it('plans the write on the deal: codes as the smart process names, a date template as YYYY-MM-DD, list values as ids, open stages', () => {
    const { rules, problems } = resolveRules(
      rulesSectionSchema.parse([
        rule({
          fields: { DEADLINE: '{{PROJECT_END}}', DIRECTIONS: ['GTI'], UF_CRM_12_NOTE: 'сделка {{id}}' },
        }),
      ]),
      catalog,
    );
    expect(problems).toEqual([]);
    const d = deal({ fields: { UF_CRM_PROJECT_END: '2025-03-31T03:00:00+03:00' } });
    const [firing] = firingsForEvent(rules, d, changed, ctx);
    expect(firing!.actions).toHaveLength(1);
    expect(firing!.actions[0]).toMatchObject({
      kind: 'update_children',
      entityTypeId: 1036,
      parentField: 'parentId2',
      openStageIds: ['DT1036_7:NEW', 'DT1036_7:WORK', 'DT1036_9:NEW', 'DT1036_9:WORK'],
      fields: { UF_CRM_12_DEADLINE: '2025-03-31', UF_CRM_12_DIRECTIONS: [91], UF_CRM_12_NOTE: 'сделка 15' },
    });
    // Not filled: the condition holds the rule back.
    expect(firingsForEvent(rules, deal(), { ...changed, to: null }, ctx)).toEqual([]);
  });

  it('directions narrow the open stages; an unknown smart process is a skip', () => {
    const action = rulesSectionSchema.parse([rule({ directions: ['gti'], fields: { DEADLINE: '' } })])[0]!
      .actions[0]!;
    if (action.type !== 'update_children') throw new Error('parsed as another action');
    const planned = planUpdateChildren(action, deal(), catalog, (t) => t);
    expect(planned).toMatchObject({
      openStageIds: ['DT1036_7:NEW', 'DT1036_7:WORK'],
      fields: { UF_CRM_12_DEADLINE: '' },
    });
    expect(planUpdateChildren({ ...action, smartProcess: 'archive' }, deal(), catalog, (t) => t)).toBe(
      'unknown smart process archive',
    );
  });

  it('holdsValue: dates by day, numbers as numbers, lists as sets, empties alike', () => {
    expect(holdsValue('2025-03-31T03:00:00+03:00', '2025-03-31')).toBe(true);
    expect(holdsValue('2025-04-01T03:00:00+03:00', '2025-03-31')).toBe(false);
    expect(holdsValue('', '2025-03-31')).toBe(false);
    expect(holdsValue(null, '2025-03-31')).toBe(false);
    expect(holdsValue('45', 45)).toBe(true);
    expect(holdsValue([92, 91], [91, 92])).toBe(true);
    expect(holdsValue([91], [91, 92])).toBe(false);
    expect(holdsValue(null, '')).toBe(true);
    expect(holdsValue('0', '')).toBe(false);
    expect(holdsValue('Y', true)).toBe(true);
    expect(holdsValue('текст', 'текст')).toBe(true);
  });

  it('staleChildren: only open items whose values differ', () => {
    const items = [
      { id: 1, stageId: 'DT1036_7:WORK', UF_CRM_12_DEADLINE: '' },
      { id: 2, stageId: 'DT1036_7:SUCCESS', UF_CRM_12_DEADLINE: '' },
      { id: 3, stageId: 'DT1036_9:NEW', UF_CRM_12_DEADLINE: '2025-03-31T03:00:00+03:00' },
      { id: 4, stageId: 'DT1036_9:NEW', UF_CRM_12_DEADLINE: '2025-03-20T03:00:00+03:00' },
    ];
    const open = ['DT1036_7:NEW', 'DT1036_7:WORK', 'DT1036_9:NEW', 'DT1036_9:WORK'];
    expect(staleChildren(items, open, { UF_CRM_12_DEADLINE: '2025-03-31' })).toEqual([1, 4]);
    expect(staleChildren(items, ['DT1036_7:WORK'], { UF_CRM_12_DEADLINE: '2025-03-31' })).toEqual([1]);
    expect(staleChildren([], open, { UF_CRM_12_DEADLINE: '2025-03-31' })).toEqual([]);
  });

  it('unknown smart process and directions reported at their paths, in the catalog and the config check', () => {
    const { problems } = resolveRules(
      rulesSectionSchema.parse([
        { ...rule({ directions: ['gti', 'archive'], fields: { DEADLINE: '' } }), id: 'a' },
        { ...rule({ smartProcess: 'nope', fields: { DEADLINE: '' } }), id: 'b' },
      ]),
      catalog,
    );
    expect(problems.map((p) => [p.ruleId, p.path.join('.'), p.message])).toEqual([
      ['a', 'actions.0.directions.1', 'no direction "archive" in smart process "lab"; known: gti, analytics'],
      ['b', 'actions.0.smartProcess', 'unknown smart process "nope"'],
    ]);
    const [parsed] = rulesSectionSchema.parse([
      rule({ smartProcess: 'laboratory', directions: ['analytics'], fields: { DEADLINE: '' } }),
    ]);
    expect(namedSmartProcesses(parsed!)).toEqual(['laboratory']);
    const directions = [{ key: 'gti', stages: [{ code: 'NEW' }] }];
    expect(checkItemTargets(parsed!, undefined, () => directions, 'pipeline "sales"')).toEqual([
      {
        path: ['actions', 0, 'directions', 0],
        message: 'no direction "analytics" in smart process "laboratory"; known: gti',
      },
    ]);
    expect(checkItemTargets(parsed!, undefined, () => undefined, 'pipeline "sales"')).toEqual([
      { path: ['actions', 0, 'smartProcess'], message: 'unknown smart process "laboratory"' },
    ]);
  });

  it('the schema wants at least one field and non-empty directions', () => {
    expect(() => rulesSectionSchema.parse([rule({ fields: {} })])).toThrow();
    expect(() => rulesSectionSchema.parse([rule({ directions: [], fields: { DEADLINE: '' } })])).toThrow();
  });
});
