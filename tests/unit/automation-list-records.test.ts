import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/automation/catalog.js';
import { elementFields } from '../../src/automation/actions/update-element.js';
import { planSetRelated } from '../../src/automation/actions/set-related.js';
import type { ListInfo, ListTarget } from '../../src/automation/list-records.js';
import {
  crmTarget,
  entityFromElement,
  listDateInput,
  listElementPath,
  listPropertiesOf,
  listTaskBindings,
  parseListDate,
} from '../../src/automation/list-records.js';

const MSK = 180;

const fieldRows = {
  NAME: { FIELD_ID: 'NAME', TYPE: 'NAME', NAME: 'Номер договора' },
  PROPERTY_31: {
    FIELD_ID: 'PROPERTY_31',
    CODE: 'DEAL',
    TYPE: 'S:ECrm',
    MULTIPLE: 'N',
    USER_TYPE_SETTINGS: { DEAL: 'Y', VISIBLE: 'Y' },
  },
  PROPERTY_32: { FIELD_ID: 'PROPERTY_32', CODE: 'AMOUNT', TYPE: 'N', MULTIPLE: 'N' },
  PROPERTY_33: { FIELD_ID: 'PROPERTY_33', CODE: 'SUBMITTED_BY', TYPE: 'S:employee', MULTIPLE: 'N' },
  PROPERTY_35: { FIELD_ID: 'PROPERTY_35', CODE: 'APPROVAL_DATE', TYPE: 'S:Date', MULTIPLE: 'N' },
  PROPERTY_36: {
    FIELD_ID: 'PROPERTY_36',
    CODE: 'STATUS',
    TYPE: 'L',
    MULTIPLE: 'N',
    DISPLAY_VALUES_FORM: { '61': 'На согласовании', '62': 'Согласован', '63': 'Отклонен' },
  },
};

const properties = listPropertiesOf(fieldRows, {
  key: 'contracts',
  name: 'Реестр договоров',
  responsible: 'SUBMITTED_BY',
  fields: [
    {
      code: 'STATUS',
      type: 'list',
      label: 'Статус',
      required: false,
      multiple: false,
      values: [
        { key: 'ON_APPROVAL', value: 'На согласовании' },
        { key: 'APPROVED', value: 'Согласован' },
        { key: 'REJECTED', value: 'Отклонен' },
      ],
    },
  ],
});
const list: ListInfo = { iblockId: 12, code: 'contracts', responsible: 'SUBMITTED_BY', properties };
const row = {
  ID: '5',
  NAME: 'Д-17',
  CREATED_BY: '1',
  MODIFIED_BY: '1',
  DATE_CREATE: '27.11.2026 10:00:00',
  TIMESTAMP_X: '27.11.2026 10:05:00',
  PROPERTY_31: { '88': 'D_42' },
  PROPERTY_32: { '89': '150000' },
  PROPERTY_33: { '90': '7' },
  PROPERTY_36: { '93': '61' },
};

describe('list elements as rule records', () => {
  it('reads properties by code, list values with the config keys', () => {
    expect(properties.map((p) => [p.code, p.type, p.crmTypes])).toEqual([
      ['DEAL', 'S:ECrm', ['DEAL']],
      ['AMOUNT', 'N', []],
      ['SUBMITTED_BY', 'S:employee', []],
      ['APPROVAL_DATE', 'S:Date', []],
      ['STATUS', 'L', []],
    ]);
    expect(properties.at(-1)?.items).toEqual([
      { id: 61, value: 'На согласовании', xmlId: 'ON_APPROVAL' },
      { id: 62, value: 'Согласован', xmlId: 'APPROVED' },
      { id: 63, value: 'Отклонен', xmlId: 'REJECTED' },
    ]);
  });

  it('turns an element into an entity: -IBLOCK_ID, the submitter responsible, fields by code', () => {
    const e = entityFromElement(list, row, MSK);
    expect(e).toMatchObject({
      entityTypeId: -12,
      id: 5,
      title: 'Д-17',
      assignedById: 7,
      createdTime: Date.parse('2026-11-27T07:00:00Z'),
      updatedTime: Date.parse('2026-11-27T07:05:00Z'),
      movedTime: null,
    });
    expect(e.fields).toMatchObject({
      DEAL: 'D_42',
      DEAL_ID: 42,
      DEAL_URL: '/crm/deal/details/42/',
      AMOUNT: '150000',
      SUBMITTED_BY: '7',
      APPROVAL_DATE: null,
      STATUS: 61,
      STATUS_TEXT: 'На согласовании',
    });
    // Without a responsible field the author is the responsible.
    expect(entityFromElement({ ...list, responsible: 'CREATED_BY' }, row, MSK).assignedById).toBe(1);
    expect(listElementPath(e)).toBe('/company/lists/12/element/0/5/');
  });

  it('reads CRM bindings, prefixed or bare', () => {
    expect(crmTarget('D_42', ['DEAL'])).toEqual({ entityTypeId: 2, id: 42 });
    expect(crmTarget('42', ['DEAL'])).toEqual({ entityTypeId: 2, id: 42 });
    expect(crmTarget('17', ['COMPANY'])).toEqual({ entityTypeId: 4, id: 17 });
    expect(crmTarget('T40c_3', [])).toEqual({ entityTypeId: 1036, id: 3 });
    expect(crmTarget('', ['DEAL'])).toBeUndefined();
    expect(crmTarget('X_1', ['DEAL'])).toBeUndefined();
  });

  it('reads and writes dates in the site format', () => {
    expect(parseListDate('27.11.2026', MSK)).toBe(Date.parse('2026-11-26T21:00:00Z'));
    expect(parseListDate('11/27/2026 01:30:00 pm', MSK)).toBe(Date.parse('2026-11-27T10:30:00Z'));
    expect(parseListDate('', MSK)).toBeUndefined();
    expect(listDateInput('2026-11-27', '27.11.2026 10:00:00')).toBe('27.11.2026');
    expect(listDateInput('2026-11-27', '11/27/2026 10:00:00 am')).toBe('11/27/2026');
    expect(listDateInput('27.11.2026', '27.11.2026')).toBe('27.11.2026');
  });

  it('writes the element back whole, the wanted fields in place', () => {
    const shape = properties.map((p) => ({
      fieldId: p.fieldId,
      code: p.code,
      type: p.type,
      multiple: p.multiple,
    }));
    expect(elementFields(shape, row, { STATUS: 62, APPROVER: '9', APPROVAL_DATE: '2026-11-28' })).toEqual({
      NAME: 'Д-17',
      PROPERTY_31: 'D_42',
      PROPERTY_32: '150000',
      PROPERTY_33: '7',
      PROPERTY_35: '28.11.2026',
      PROPERTY_36: '62',
    });
  });

  it('binds tasks to the deal of the element; set_related writes the deal by field code and item key', () => {
    const e = entityFromElement(list, row, MSK);
    const target: ListTarget = {
      key: 'contracts',
      entityTypeId: -12,
      name: 'Реестр договоров',
      categories: [],
      list,
    };
    const catalog = {
      pipelines: {},
      smartProcesses: {},
      lists: { contracts: target },
      deal: {
        fields: { CONTRACT_STATUS: 'UF_CRM_CONTRACT_STATUS' },
        enums: {
          UF_CRM_CONTRACT_STATUS: [
            { id: 101, xmlId: 'ON_APPROVAL', value: 'На согласовании' },
            { id: 102, xmlId: 'APPROVED', value: 'Согласован' },
          ],
        },
      },
    } as Catalog;
    expect(listTaskBindings(e, catalog)).toEqual(['D_42']);
    const base = {
      key: 'k',
      marker: 'm',
      ruleId: 'r',
      entity: { entityTypeId: -12, id: 5 },
      occurrence: 'created',
    };
    expect(
      planSetRelated(
        { type: 'set_related', via: 'DEAL', fields: { CONTRACT_STATUS: 'APPROVED' } },
        e,
        catalog,
        (t) => t,
        base,
      ),
    ).toMatchObject({
      key: 'k',
      kind: 'update',
      entity: { entityTypeId: 2, id: 42 },
      fields: { UF_CRM_CONTRACT_STATUS: 102 },
      summary: 'set UF_CRM_CONTRACT_STATUS of deal 42',
    });
    const none = entityFromElement(list, { ...row, PROPERTY_31: {} }, MSK);
    expect(
      planSetRelated({ type: 'set_related', via: 'DEAL', fields: {} }, none, catalog, (t) => t, base),
    ).toMatchObject({ kind: 'skip', reason: 'DEAL points at no CRM record' });
  });
});
