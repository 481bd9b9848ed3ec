import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/provision/compute-plan.js';
import { callFor, callIds } from '../../src/provision/operation-calls.js';
import type { Plan } from '../../src/provision/plan.js';
import { planListValues } from '../../src/provision/plan-lists.js';
import { listsFromSnapshot } from '../../src/provision/pull-lists.js';
import type { SnapshotList } from '../../src/provision/snapshot.js';
import { emptySnapshot } from '../../src/provision/snapshot.js';
import { config } from './provision-fixtures.js';

const YAML = `
lists:
  - key: contracts
    name: Реестр договоров
    elementName: Номер договора
    fields:
      - { code: DEAL, type: crm, label: Сделка, required: true, settings: { DEAL: 'Y' } }
      - code: STATUS
        type: list
        label: Статус
        values: [{ key: ON_APPROVAL, value: На согласовании, default: true }, { value: Согласован }]
`;

/** The portal as apply leaves it for YAML (ids as the local portal gives them). */
function portal(): SnapshotList {
  return {
    id: 12,
    code: 'contracts',
    name: 'Реестр договоров',
    description: '',
    sort: 500,
    fields: [
      {
        fieldId: 'NAME',
        code: '',
        type: 'NAME',
        label: 'Номер договора',
        required: true,
        multiple: false,
        sort: 10,
        settings: {},
        values: [],
      },
      {
        fieldId: 'PROPERTY_31',
        code: 'DEAL',
        type: 'S:ECrm',
        label: 'Сделка',
        required: true,
        multiple: false,
        sort: 500,
        settings: { VISIBLE: 'N', LEAD: 'N', CONTACT: 'N', COMPANY: 'N', DEAL: 'Y' },
        values: [],
      },
      {
        fieldId: 'PROPERTY_32',
        code: 'STATUS',
        type: 'L',
        label: 'Статус',
        required: false,
        multiple: false,
        sort: 500,
        settings: {},
        values: [
          { id: 7, value: 'На согласовании', default: true },
          { id: 8, value: 'Согласован', default: false },
        ],
      },
    ],
  };
}

const changed = (plan: Plan) => plan.operations.filter((o) => o.action !== 'noop');
const plan = (yaml: string, list: SnapshotList | undefined, previous?: Plan['state']): Plan =>
  computePlan(config(yaml), { ...emptySnapshot(), lists: list ? [list] : [] }, previous);

describe('computePlan: universal lists', () => {
  it('creates the list, renames its NAME field and adds the fields, addressed by code', () => {
    const p = plan(YAML, undefined);
    expect(changed(p).map((o) => [o.action, o.address])).toEqual([
      ['create', 'list:contracts'],
      ['update', 'list:contracts/field:NAME'],
      ['create', 'list:contracts/field:DEAL'],
      ['create', 'list:contracts/field:STATUS'],
    ]);
    const ids = callIds(() => undefined, false);
    expect(callFor(p.operations[0]!, ids)).toEqual({
      method: 'lists.add',
      params: { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts', FIELDS: { NAME: 'Реестр договоров' } },
    });
    expect(callFor(p.operations[3]!, ids)).toEqual({
      method: 'lists.field.add',
      params: {
        IBLOCK_TYPE_ID: 'lists',
        IBLOCK_CODE: 'contracts',
        FIELDS: {
          NAME: 'Статус',
          TYPE: 'L',
          CODE: 'STATUS',
          MULTIPLE: 'N',
          IS_REQUIRED: 'N',
          LIST: {
            n0: { VALUE: 'На согласовании', SORT: 10, DEF: 'Y' },
            n1: { VALUE: 'Согласован', SORT: 20, DEF: 'N' },
          },
        },
      },
    });
  });

  it('is all noop when the portal matches (settings the config does not name are not managed)', () => {
    const p = plan(YAML, portal());
    expect(changed(p)).toEqual([]);
    expect(p.known['list:contracts']).toEqual({ id: 12 });
  });

  it('a value added keeps the ids of the others; a value removed is destructive', () => {
    const added = plan(
      YAML.replace('{ value: Согласован }', '{ value: Согласован }, { value: Отклонен }'),
      portal(),
    );
    const op = changed(added)[0]!;
    expect(op).toMatchObject({
      action: 'update',
      destructive: false,
      address: 'list:contracts/field:STATUS',
    });
    expect(
      callFor(
        op,
        callIds(() => undefined, false),
      ).params,
    ).toMatchObject({
      FIELD_ID: 'PROPERTY_32',
      FIELDS: {
        NAME: 'Статус',
        TYPE: 'L',
        LIST: {
          '7': { VALUE: 'На согласовании', DEF: 'Y' },
          '8': { VALUE: 'Согласован', DEF: 'N' },
          n2: { VALUE: 'Отклонен', DEF: 'N' },
        },
      },
    });
    const removed = plan(YAML.replace(', { value: Согласован }', ''), portal());
    expect(changed(removed)[0]).toMatchObject({ action: 'update', destructive: true });
    expect(
      planListValues(config(YAML).lists![0]!.fields[1]!, [{ id: 9, value: 'Архив', default: false }]),
    ).toEqual({
      changes: [
        { field: 'values.На согласовании', to: 'На согласовании', drift: false },
        { field: 'values.Согласован', to: 'Согласован', drift: false },
        { field: 'values.Архив', from: 'Архив', drift: false },
      ],
      items: [
        { value: 'На согласовании', default: true },
        { value: 'Согласован', default: false },
      ],
      removes: 1,
    });
  });

  it('a type change re-creates the field; a property not in config is deleted; both destructive', () => {
    const list = portal();
    list.fields.push({ ...list.fields[2]!, fieldId: 'PROPERTY_40', code: 'OLD', label: 'Старое' });
    const p = plan(YAML.replace('type: crm', 'type: string'), list);
    expect(changed(p).map((o) => [o.action, o.address, o.destructive])).toEqual([
      ['delete', 'list:contracts/field:DEAL', true],
      ['create', 'list:contracts/field:DEAL', false],
      ['delete', 'list:contracts/field:OLD', true],
    ]);
    expect(
      callFor(
        changed(p)[2]!,
        callIds(() => undefined, false),
      ),
    ).toEqual({
      method: 'lists.field.delete',
      params: { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts', FIELD_ID: 'PROPERTY_40' },
    });
  });

  it('pull: the portal list as config plans as no changes; a list with a field it cannot name is left out', () => {
    const pulled = listsFromSnapshot([portal()]);
    expect(pulled).toEqual([
      expect.objectContaining({ key: 'contracts', elementName: 'Номер договора', sort: 500 }),
    ]);
    expect(pulled[0]?.fields.map((f) => [f.code, f.type])).toEqual([
      ['DEAL', 'crm'],
      ['STATUS', 'list'],
    ]);
    expect(changed(computePlan({ lists: pulled }, { ...emptySnapshot(), lists: [portal()] }))).toEqual([]);
    const odd = portal();
    odd.fields.push({ ...odd.fields[1]!, fieldId: 'PROPERTY_50', code: 'LINK', type: 'E' });
    expect(listsFromSnapshot([odd])).toEqual([]);
  });

  it('a label changed on the portal after an apply is drift', () => {
    const state = plan(YAML, portal()).state;
    const list = portal();
    list.fields[1] = { ...list.fields[1]!, label: 'Сделка (вручную)' };
    const p = plan(YAML, list, state);
    expect(changed(p)).toEqual([
      expect.objectContaining({
        address: 'list:contracts/field:DEAL',
        drift: true,
        changes: [{ field: 'label', from: 'Сделка (вручную)', to: 'Сделка', drift: true }],
      }),
    ]);
  });
});
