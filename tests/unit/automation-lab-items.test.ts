import { describe, expect, it } from 'vitest';
import { copyFields } from '../../src/automation/actions/copy-item.js';
import {
  childrenFinished,
  childrenOccurrence,
  finishedChildren,
} from '../../src/automation/actions/children-finished.js';
import { checkItemTargets } from '../../src/automation/actions/item-targets.js';
import type { Catalog } from '../../src/automation/catalog.js';
import { resolveRules } from '../../src/automation/catalog.js';
import type { Entity } from '../../src/automation/entity.js';
import type { EnumItem } from '../../src/automation/enum-values.js';
import {
  enumIdOf,
  enumLabels,
  enumWriteValue,
  sameEnumItem,
  unknownEnumValues,
} from '../../src/automation/enum-values.js';
import { firingsForEvent } from '../../src/automation/evaluate-rules.js';
import { matchesCondition } from '../../src/automation/match-conditions.js';
import { parentVars, ruleUsesParent } from '../../src/automation/parent-record.js';
import type { Condition } from '../../src/automation/rule-schema.js';
import { readParents } from '../../src/automation/read-parents.js';
import { rulesSectionSchema } from '../../src/automation/rule-schema.js';
import type { B24Client } from '../../src/rest/client.js';
import { catalog as base, deal, labItem, OFFSET, org, T0 } from './automation-fixtures.js';

const SERVICE: EnumItem[] = [
  { id: 45, xmlId: 'GTI', value: 'ГТИ' },
  { id: 46, xmlId: 'ANALYTICS', value: 'Аналитические исследования' },
  { id: 47, xmlId: 'COMPLEX', value: 'Комплексное исследование' },
];
const DIRECTIONS: EnumItem[] = [
  { id: 91, xmlId: 'GTI', value: 'ГТИ' },
  { id: 92, xmlId: 'ANALYTICS', value: 'Аналитическая группа' },
];

/** The fixture catalog with list fields, a new-request direction and deal fields for `parent.`. */
const catalog: Catalog = {
  ...base,
  pipelines: {
    sales: {
      ...base.pipelines.sales!,
      fields: { SERVICE: 'UF_CRM_SERVICE' },
      enums: { UF_CRM_SERVICE: SERVICE },
    },
  },
  smartProcesses: {
    lab: {
      ...base.smartProcesses.lab!,
      categories: [
        {
          key: 'new-request',
          id: 5,
          name: 'Новая заявка',
          stages: [
            { id: 'DT1036_5:DISTRIBUTION', code: 'DISTRIBUTION', name: 'Распределение', semantics: 'P' },
            { id: 'DT1036_5:SUCCESS', code: 'SUCCESS', name: 'Передано в работу', semantics: 'S' },
          ],
        },
        ...base.smartProcesses.lab!.categories,
      ],
      fields: { DIRECTIONS: 'UF_CRM_12_DIRECTIONS', SERVICE: 'UF_CRM_12_SERVICE' },
      enums: {
        UF_CRM_12_DIRECTIONS: DIRECTIONS,
        UF_CRM_12_SERVICE: [{ id: 81, xmlId: 'COMPLEX', value: 'Комплекс' }],
      },
    },
  },
  deal: { fields: { SERVICE: 'UF_CRM_SERVICE' }, enums: { UF_CRM_SERVICE: SERVICE } },
};
const ctx = { now: T0, offsetMinutes: OFFSET, catalog, org };

function resolve(raw: unknown[]) {
  return resolveRules(rulesSectionSchema.parse(raw), catalog);
}

describe('list values by id, XML_ID or label', () => {
  it.each([
    ['GTI', 45],
    ['gti', 45],
    ['Аналитические исследования', 46],
    [' комплексное исследование ', 47],
    ['46', 46],
    [47, 47],
    ['OTHER', undefined],
    ['', undefined],
  ])('%j -> %j', (value, id) => {
    expect(enumIdOf(SERVICE, value)).toBe(id);
  });

  it('writes names as ids, a list as a list, unknown names as given', () => {
    expect(enumWriteValue(DIRECTIONS, ['GTI', 'Аналитическая группа'])).toEqual([91, 92]);
    expect(enumWriteValue(DIRECTIONS, 'GTI, ANALYTICS')).toEqual([91, 92]);
    expect(enumWriteValue(SERVICE, 'COMPLEX')).toBe(47);
    expect(enumWriteValue(SERVICE, 'NOPE')).toBe('NOPE');
    expect(enumWriteValue(SERVICE, null)).toBeNull();
    expect(unknownEnumValues(SERVICE, ['GTI', 'NOPE', 'Ггг'])).toEqual(['NOPE', 'Ггг']);
  });

  it('reads ids as labels and maps an item to the same item of another field by XML_ID', () => {
    expect(enumLabels(DIRECTIONS, ['91', 92])).toBe('ГТИ, Аналитическая группа');
    expect(enumLabels(SERVICE, null)).toBe('');
    expect(sameEnumItem(SERVICE, DIRECTIONS, '46')).toBe(92);
    expect(sameEnumItem(SERVICE, DIRECTIONS, 47)).toBeUndefined();
  });
});

describe('conditions on list fields and on the parent deal', () => {
  const enums = { UF_CRM_12_DIRECTIONS: DIRECTIONS };
  const item = labItem({ fields: { UF_CRM_12_DIRECTIONS: [91, 92] } });
  const onlyGti = labItem({ fields: { UF_CRM_12_DIRECTIONS: ['91'] } });
  const parent = {
    entity: deal({ fields: { UF_CRM_SERVICE: '47', opportunity: 90000 } }),
    enums: catalog.deal!.enums,
  };

  it.each([
    [item, { field: 'UF_CRM_12_DIRECTIONS', op: 'contains', value: 'ANALYTICS' }, true],
    [onlyGti, { field: 'UF_CRM_12_DIRECTIONS', op: 'contains', value: 'ANALYTICS' }, false],
    [onlyGti, { field: 'UF_CRM_12_DIRECTIONS', op: 'contains', value: 'Гти' }, true],
    [onlyGti, { field: 'UF_CRM_12_DIRECTIONS', op: 'not_in', value: ['ANALYTICS'] }, true],
    [item, { field: 'UF_CRM_12_DIRECTIONS', op: 'in', value: ['ANALYTICS', 'NOPE'] }, true],
    [item, { field: 'UF_CRM_12_DIRECTIONS', op: '=', value: 'NOPE' }, false],
    [item, { field: 'parent.UF_CRM_SERVICE', op: '=', value: 'COMPLEX' }, true],
    [item, { field: 'parent.UF_CRM_SERVICE', op: '!=', value: 'GTI' }, true],
    [item, { field: 'parent.opportunity', op: '>=', value: 90000 }, true],
  ] as [Entity, Condition, boolean][])('%#', (entity, condition, expected) => {
    expect(matchesCondition(entity, condition, { enums, parent })).toBe(expected);
  });

  it('a parent condition without a parent does not hold', () => {
    expect(matchesCondition(item, { field: 'parent.opportunity', op: 'not_empty' }, { enums })).toBe(false);
    expect(matchesCondition(item, { field: 'parent.opportunity', op: 'empty' }, {})).toBe(true);
  });
});

describe('the rules: codes, problems, planning', () => {
  it('reports list values that name no item and item targets that do not exist', () => {
    const { problems } = resolve([
      {
        id: 'a',
        entity: { pipeline: 'sales' },
        trigger: { type: 'created' },
        conditions: [{ field: 'SERVICE', value: 'GTX' }],
        actions: [{ type: 'set_fields', fields: { SERVICE: ['GTI', '{{title}}', 'ZZZ'] } }],
      },
      {
        id: 'b',
        entity: { pipeline: 'sales' },
        trigger: { type: 'children_finished', smartProcess: 'nope' },
        actions: [
          { type: 'create_item', smartProcess: 'lab', direction: 'new-request', stage: 'NOPE' },
          { type: 'move_stage', direction: 'gti' },
          { type: 'copy_item', direction: 'gti' },
        ],
      },
      {
        id: 'c',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'children_finished', smartProcess: 'lab' },
        actions: [{ type: 'move_stage', direction: 'archive' }],
      },
    ]);
    expect(problems.map((p) => [p.ruleId, p.path.join('.'), p.message])).toEqual([
      [
        'a',
        'conditions.0.value',
        expect.stringContaining('"GTX" is not an item of UF_CRM_SERVICE') as unknown,
      ],
      ['a', 'actions.0.fields.UF_CRM_SERVICE', expect.stringContaining('"ZZZ"') as unknown],
      ['b', 'trigger.smartProcess', 'unknown smart process "nope"'],
      ['b', 'actions.0.stage', 'no stage "NOPE" in direction "new-request" of smart process "lab"'],
      ['b', 'actions.1.direction', 'a direction is for smart-process rules'],
      ['b', 'actions.2.type', 'copy_item copies smart-process items'],
      ['c', 'trigger.type', 'children_finished is a trigger of deal rules'],
      ['c', 'actions.0.direction', expect.stringContaining('no direction "archive"') as unknown],
    ]);
  });

  it('the config check finds the same targets in the configured directions', () => {
    const [rule] = rulesSectionSchema.parse([
      {
        id: 'x',
        entity: { smartProcess: 'laboratory' },
        trigger: { type: 'created' },
        actions: [{ type: 'copy_item', direction: 'gti', stage: 'DONE' }],
      },
    ]);
    const directions = [{ key: 'gti', stages: [{ code: 'NEW' }] }];
    expect(checkItemTargets(rule!, directions, () => directions, 'smart process "laboratory"')).toEqual([
      {
        path: ['actions', 0, 'stage'],
        message: 'no stage "DONE" in direction "gti" of smart process "laboratory"',
      },
    ]);
  });

  it('children_finished directions: unknown keys reported at their path, in the catalog and the config check', () => {
    const { problems } = resolve([
      {
        id: 'd',
        entity: { pipeline: 'sales' },
        trigger: { type: 'children_finished', smartProcess: 'lab', directions: ['gti', 'archive'] },
        actions: [{ type: 'comment', text: 'готово' }],
      },
    ]);
    expect(problems.map((p) => [p.ruleId, p.path.join('.'), p.message])).toEqual([
      [
        'd',
        'trigger.directions.1',
        'no direction "archive" in smart process "lab"; known: new-request, gti, analytics',
      ],
    ]);
    const [rule] = rulesSectionSchema.parse([
      {
        id: 'y',
        entity: { pipeline: 'sales' },
        trigger: { type: 'children_finished', smartProcess: 'laboratory', directions: ['gti', 'analytics'] },
        actions: [{ type: 'comment', text: 'готово' }],
      },
    ]);
    const directions = [{ key: 'gti', stages: [{ code: 'NEW' }] }];
    expect(checkItemTargets(rule!, undefined, () => directions, 'pipeline "sales"')).toEqual([
      {
        path: ['trigger', 'directions', 1],
        message: 'no direction "analytics" in smart process "laboratory"; known: gti',
      },
    ]);
    expect(() =>
      rulesSectionSchema.parse([
        {
          id: 'z',
          entity: { pipeline: 'sales' },
          trigger: { type: 'children_finished', smartProcess: 'lab', directions: [] },
          actions: [{ type: 'comment', text: 'готово' }],
        },
      ]),
    ).toThrow();
  });

  it('plans create_item: linked to the deal, list values as ids, copied fields, marker in xmlId', () => {
    const { rules, problems } = resolve([
      {
        id: 'to-lab',
        entity: { pipeline: 'sales' },
        trigger: { type: 'stage_entered', stage: 'QUALIFIED' },
        conditions: [{ field: 'SERVICE', value: 'Комплексное исследование' }],
        actions: [
          {
            type: 'create_item',
            smartProcess: 'lab',
            direction: 'new-request',
            title: 'Проект {{title}}',
            responsible: 'head_of:Лаборатория',
            fields: { DIRECTIONS: ['GTI', 'ANALYTICS'], UF_CRM_12_NOTE: 'по сделке {{id}}' },
            copy: ['observers', 'SERVICE'],
          },
        ],
      },
    ]);
    expect(problems).toEqual([]);
    const d = deal({ stageId: 'C3:QUALIFIED', observers: [7], fields: { UF_CRM_SERVICE: '47' } });
    const event = {
      kind: 'stage_entered' as const,
      occurrence: 'stage:C3:QUALIFIED@1',
      at: T0,
      stageId: 'C3:QUALIFIED',
    };
    const [firing] = firingsForEvent(rules, d, event, ctx);
    const action = firing!.actions[0]!;
    expect(action).toMatchObject({
      kind: 'create_item',
      entityTypeId: 1036,
      fields: {
        title: 'Проект Экспертиза почерка',
        categoryId: 5,
        stageId: 'DT1036_5:DISTRIBUTION',
        parentId2: 15,
        assignedById: 20,
        observers: [7],
        // The deal's item 47 (COMPLEX) is the smart-process field's item 81 (same XML_ID).
        UF_CRM_12_SERVICE: 81,
        UF_CRM_12_DIRECTIONS: [91, 92],
        UF_CRM_12_NOTE: 'по сделке 15',
        xmlId: action.marker,
      },
      summary:
        'create «Проект Экспертиза почерка» in Лаборатория: Новая заявка / Распределение (DT1036_5:DISTRIBUTION)',
    });
    // Not a complex project: nothing.
    expect(
      firingsForEvent(rules, deal({ stageId: 'C3:QUALIFIED', fields: { UF_CRM_SERVICE: 45 } }), event, ctx),
    ).toEqual([]);
  });

  it('plans copy_item and move_stage into another direction (first stage by default)', () => {
    const { rules } = resolve([
      {
        id: 'split',
        entity: { smartProcess: 'lab', directions: ['new-request'] },
        trigger: { type: 'stage_entered', stage: 'SUCCESS' },
        conditions: [{ field: 'DIRECTIONS', op: 'contains', value: 'ANALYTICS' }],
        actions: [
          { type: 'copy_item', direction: 'analytics', stage: 'WORK' },
          { type: 'move_stage', direction: 'gti' },
        ],
      },
    ]);
    const item = labItem({
      categoryId: 5,
      stageId: 'DT1036_5:SUCCESS',
      fields: { UF_CRM_12_DIRECTIONS: [91, 92] },
    });
    const event = { kind: 'stage_entered' as const, occurrence: 'o', at: T0, stageId: 'DT1036_5:SUCCESS' };
    const [firing] = firingsForEvent(rules, item, event, ctx);
    expect(firing!.actions.map(({ kind, summary, ...rest }) => ({ kind, summary, ...rest }))).toEqual([
      expect.objectContaining({ kind: 'copy_item', categoryId: 9, stageId: 'DT1036_9:WORK' }),
      expect.objectContaining({
        kind: 'update',
        fields: { categoryId: 7, stageId: 'DT1036_7:NEW' },
        summary: 'move to ГТИ / Новый (DT1036_7:NEW)',
      }),
    ]);
  });

  it('{{parent.*}} reads the parent deal (list fields as labels); no parent reads empty', () => {
    const { rules } = resolve([
      {
        id: 'tell',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'created' },
        conditions: [{ field: 'parent.SERVICE', value: 'COMPLEX' }],
        actions: [
          { type: 'comment', text: '{{parent.link}}: {{parent.SERVICE}}, {{parent.opportunity}}; {{title}}' },
        ],
      },
    ]);
    expect(ruleUsesParent(rules[0]!.rule)).toBe(true);
    const parent = deal({ id: 33, title: 'Сделка', fields: { UF_CRM_SERVICE: '47', opportunity: 1200 } });
    const item = labItem({ fields: { parentId2: 33 } });
    const event = { kind: 'created' as const, occurrence: 'created', at: T0 };
    const parents = new Map([['2:33', parent]]);
    const [firing] = firingsForEvent(rules, item, event, { ...ctx, parents });
    expect(firing!.actions[0]).toMatchObject({
      kind: 'comment',
      text: expect.stringContaining(
        '[URL=/crm/deal/details/33/]Сделка[/URL]: Комплексное исследование, 1200; Проект 4',
      ),
    });
    expect(firingsForEvent(rules, item, event, ctx)).toEqual([]);
    expect(parentVars(undefined, catalog, OFFSET)).toEqual({});
  });
});

describe('list fields in templates', () => {
  it('read as labels, by field name and by code', () => {
    const { rules } = resolve([
      {
        id: 'say',
        entity: { pipeline: 'sales' },
        trigger: { type: 'created' },
        actions: [{ type: 'comment', text: '{{SERVICE}} / {{UF_CRM_SERVICE}} / {{title}}' }],
      },
    ]);
    const event = { kind: 'created' as const, occurrence: 'created', at: T0 };
    const [firing] = firingsForEvent(rules, deal({ fields: { UF_CRM_SERVICE: '46' } }), event, ctx);
    expect(firing!.actions[0]).toMatchObject({
      text: expect.stringContaining(
        'Аналитические исследования / Аналитические исследования / Экспертиза почерка',
      ),
    });
  });
});

describe('children_finished and copy_item, the pure parts', () => {
  const child = (id: number, categoryId: number, stageId: string) => ({ id, categoryId, stageId });
  it('all items final and one successful; an unknown stage falls back to stageSemanticId', () => {
    expect(
      childrenFinished(catalog, 1036, [child(1, 7, 'DT1036_7:SUCCESS'), child(2, 9, 'DT1036_9:SUCCESS')]),
    ).toBe(true);
    expect(
      childrenFinished(catalog, 1036, [child(1, 7, 'DT1036_7:SUCCESS'), child(2, 9, 'DT1036_9:WORK')]),
    ).toBe(false);
    expect(childrenFinished(catalog, 1036, [{ ...child(1, 7, 'DT1036_7:FAIL'), stageSemanticId: 'F' }])).toBe(
      false,
    );
    expect(
      childrenFinished(catalog, 1036, [
        { ...child(1, 7, 'DT1036_7:FAIL'), stageSemanticId: 'F' },
        child(2, 7, 'DT1036_7:SUCCESS'),
      ]),
    ).toBe(true);
    expect(childrenFinished(catalog, 1036, [])).toBe(false);
    expect(childrenOccurrence('lab', [child(12, 7, ''), child(3, 9, '')])).toBe('children:lab:3,12');
  });

  it('with directions: only their items are the work; an open item elsewhere holds, a final one is left out', () => {
    const work = ['gti', 'analytics'];
    const atNewRequestSuccess = child(1, 5, 'DT1036_5:SUCCESS');
    // Without directions the item «Передано в работу» alone is a finished set (the old behaviour).
    expect(childrenFinished(catalog, 1036, [atNewRequestSuccess])).toBe(true);
    expect(finishedChildren(catalog, 1036, [atNewRequestSuccess], work)).toBeUndefined();
    expect(
      finishedChildren(catalog, 1036, [atNewRequestSuccess, child(2, 7, 'DT1036_7:NEW')], work),
    ).toBeUndefined();
    expect(
      finishedChildren(catalog, 1036, [atNewRequestSuccess, child(2, 7, 'DT1036_7:SUCCESS')], work),
    ).toEqual([child(2, 7, 'DT1036_7:SUCCESS')]);
    // An open item outside the directions keeps the set unfinished.
    expect(
      finishedChildren(
        catalog,
        1036,
        [child(1, 5, 'DT1036_5:DISTRIBUTION'), child(2, 7, 'DT1036_7:SUCCESS')],
        work,
      ),
    ).toBeUndefined();
    // Within the directions: all final, one successful.
    expect(
      finishedChildren(catalog, 1036, [child(2, 7, 'DT1036_7:SUCCESS'), child(3, 9, 'DT1036_9:WORK')], work),
    ).toBeUndefined();
    expect(
      finishedChildren(
        catalog,
        1036,
        [{ ...child(2, 7, 'DT1036_7:FAIL'), stageSemanticId: 'F' }, child(3, 9, 'DT1036_9:SUCCESS')],
        work,
      )?.map((c) => c.id),
    ).toEqual([2, 3]);
    expect(childrenFinished(catalog, 1036, [child(2, 7, 'DT1036_7:SUCCESS')], ['analytics'])).toBe(false);
  });

  it('copies the writable fields, not files, ids, placement or the marker', () => {
    const fields = copyFields(
      {
        id: 4,
        xmlId: 'b24lab#old',
        title: 'Проект',
        categoryId: 5,
        stageId: 'DT1036_5:SUCCESS',
        createdTime: '2025-03-01T10:00:00+03:00',
        assignedById: 21,
        observers: [9],
        parentId2: 15,
        UF_CRM_12_DIRECTIONS: [91, 92],
        UF_CRM_12_FILE: { id: 1, url: '/x' },
        UF_CRM_12_EMPTY: null,
      },
      {
        id: { isReadOnly: true },
        xmlId: {},
        title: {},
        categoryId: {},
        stageId: {},
        createdTime: { isReadOnly: true },
        assignedById: {},
        observers: {},
        parentId2: { type: 'crm_entity' },
        UF_CRM_12_DIRECTIONS: { type: 'enumeration' },
        UF_CRM_12_FILE: { type: 'file' },
        UF_CRM_12_EMPTY: { type: 'string' },
      },
      { categoryId: 9, stageId: 'DT1036_9:NEW' },
      'b24lab#new',
    );
    expect(fields).toEqual({
      title: 'Проект',
      assignedById: 21,
      observers: [9],
      parentId2: 15,
      UF_CRM_12_DIRECTIONS: [91, 92],
      categoryId: 9,
      stageId: 'DT1036_9:NEW',
      xmlId: 'b24lab#new',
    });
  });
});

describe('reading the parents', () => {
  /** A client at the REST seam: answers crm.item.list with the deals asked for, records the calls. */
  function fakeClient(): { client: B24Client; calls: { method: string; ids: number[] }[] } {
    const calls: { method: string; ids: number[] }[] = [];
    const client = {
      list: (method: string, params: { filter: { '@id': number[] } }) => {
        const ids = params.filter['@id'];
        calls.push({ method, ids });
        return (async function* () {
          for (const id of ids) yield { id, title: `Сделка ${id}`, categoryId: 3, stageId: 'C3:NEW' };
        })();
      },
    } as unknown as B24Client;
    return { client, calls };
  }
  const rules = (text: string) =>
    resolve([
      {
        id: 'r',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'created' },
        actions: [{ type: 'comment', text }],
      },
    ]).rules;

  it('one crm.item.list per 50 parents, each parent once; none for records without a parent', async () => {
    const { client, calls } = fakeClient();
    const items = Array.from({ length: 130 }, (_, i) =>
      labItem({ id: i + 1, fields: { parentId2: (i % 60) + 1 } }),
    );
    items.push(labItem({ id: 500 }));
    const parents = await readParents(client, rules('{{parent.title}}'), items);
    expect(calls.map((c) => [c.method, c.ids.length])).toEqual([
      ['crm.item.list', 50],
      ['crm.item.list', 10],
    ]);
    expect(parents.size).toBe(60);
    expect(parents.get('2:7')?.title).toBe('Сделка 7');
  });

  it('nothing is read when no rule uses the parent', async () => {
    const { client, calls } = fakeClient();
    const parents = await readParents(client, rules('{{title}}'), [labItem({ fields: { parentId2: 3 } })]);
    expect(calls).toEqual([]);
    expect(parents.size).toBe(0);
  });
});
