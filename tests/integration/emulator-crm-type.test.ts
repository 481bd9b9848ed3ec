import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemKind } from '../../src/emulator/crm/model.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let portal: LocalPortal;
let url: string;

beforeAll(async () => {
  portal = await portalForTest();
  url = portal.webhookUrl;
});
afterAll(async () => {
  await portal.close();
});

const FLAGS = [
  'isCategoriesEnabled',
  'isStagesEnabled',
  'isBeginCloseDatesEnabled',
  'isClientEnabled',
  'isUseInUserfieldEnabled',
  'isLinkWithProductsEnabled',
  'isMycompanyEnabled',
  'isDocumentsEnabled',
  'isSourceEnabled',
  'isObserversEnabled',
  'isRecyclebinEnabled',
  'isAutomationEnabled',
  'isBizProcEnabled',
  'isSetOpenPermissions',
  'isPaymentsEnabled',
  'isCountersEnabled',
];

describe('crm.type.add', () => {
  it.each(['json', 'form'] as const)(
    '%s: creates a smart process with its default pipeline',
    async (encoding) => {
      const { type } = await callOk(
        url,
        'crm.type.add',
        {
          fields: {
            title: `Договоры ${encoding}`,
            code: `contracts_${encoding}`,
            isCategoriesEnabled: 'Y',
            isStagesEnabled: 'Y',
            isClientEnabled: 'Y',
            isObserversEnabled: 'Y',
            isUseInUserfieldEnabled: 'Y',
            isPaymentsEnabled: 'Y',
            linkedUserFields: {
              'TASKS_TASK|UF_CRM_TASK': 'true',
              'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'false',
            },
            relations: {
              parent: [
                { entityTypeId: 2, isChildrenListEnabled: 'true' },
                { entityTypeId: 1, isChildrenListEnabled: 'Y' },
              ],
              child: [{ entityTypeId: 3 }],
            },
          },
        },
        encoding,
      );
      expect(type).toMatchObject({
        id: expect.any(Number),
        title: `Договоры ${encoding}`,
        code: `contracts_${encoding}`,
        createdBy: 1,
        updatedBy: 1,
        customSectionId: null,
        createdTime: expect.stringMatching(/\+03:00$/),
        isCategoriesEnabled: 'Y',
        isStagesEnabled: 'Y',
        isClientEnabled: 'Y',
        isObserversEnabled: 'Y',
        isBizProcEnabled: 'N',
        // Default Y; read-only flags stay N.
        isSetOpenPermissions: 'Y',
        isPaymentsEnabled: 'N',
        customSections: [],
      });
      expect(Object.keys(type).filter((k) => k.startsWith('is'))).toEqual(FLAGS);
      expect(type.entityTypeId).toBeGreaterThanOrEqual(128);
      expect(type.relations).toEqual({
        parent: [
          // isClientEnabled links contacts and companies; these are predefined.
          { entityTypeId: 3, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
          { entityTypeId: 4, isChildrenListEnabled: 'Y', isPredefined: 'Y' },
          { entityTypeId: 2, isChildrenListEnabled: 'Y', isPredefined: 'N' },
          // Y/N do not work for relations: only "true"/"false".
          { entityTypeId: 1, isChildrenListEnabled: 'N', isPredefined: 'N' },
        ],
        child: [{ entityTypeId: 3, isChildrenListEnabled: 'N', isPredefined: 'N' }],
      });
      expect(type.linkedUserFields).toEqual({
        'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'N',
        'TASKS_TASK|UF_CRM_TASK': 'Y',
        'TASKS_TASK_TEMPLATE|UF_CRM_TASK': 'N',
      });
      const { categories } = await callOk(url, 'crm.category.list', { entityTypeId: type.entityTypeId });
      expect(categories).toHaveLength(1);
      expect(categories[0]).toMatchObject({ name: 'Общая', isDefault: 'Y' });
      const stages = await callOk(url, 'crm.status.list', {
        filter: { ENTITY_ID: `DYNAMIC_${type.entityTypeId}_STAGE_${categories[0].id}` },
      });
      expect(stages).toHaveLength(5);
    },
  );

  it('takes an explicit entityTypeId in the allowed ranges and refuses others', async () => {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: 'Явный', entityTypeId: 1040 } });
    expect(type.entityTypeId).toBe(1040);
    for (const bad of [127, 193, 1031, 1028, 'abc']) {
      expect(await rawCall(url, 'crm.type.add', { fields: { title: 'x', entityTypeId: bad } })).toEqual({
        status: 400,
        body: { error: 'INVALID_ARG_VALUE', error_description: 'entityTypeId is out of allowed range' },
      });
    }
    expect(
      (await rawCall(url, 'crm.type.add', { fields: { title: 'x', entityTypeId: 1040 } })).body.error,
    ).toBe('INVALID_ARG_VALUE');
    // linkedUserFields count only with isUseInUserfieldEnabled.
    const { type: plain } = await callOk(url, 'crm.type.add', {
      fields: { title: 'Без полей', linkedUserFields: { 'TASKS_TASK|UF_CRM_TASK': 'true' } },
    });
    expect(plain.linkedUserFields['TASKS_TASK|UF_CRM_TASK']).toBe('N');
  });

  it('answers the documented errors', async () => {
    expect(await rawCall(url, 'crm.type.add', {})).toEqual({
      status: 400,
      body: { error: 100, error_description: 'Could not find value for parameter {fields}' },
    });
    expect((await rawCall(url, 'crm.type.add', { fields: { isStagesEnabled: 'Y' } })).body).toEqual({
      error: 0,
      error_description: 'The field "title" is required',
    });
  });
});

describe('crm.type get, update, list, delete', () => {
  it.each(['json', 'form'] as const)('%s: reads a type by both ids', async (encoding) => {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: `Чтение ${encoding}` } });
    const byId = await callOk(url, 'crm.type.get', { id: type.id }, encoding);
    expect(byId.type).toEqual(type);
    const byEntity = await callOk(
      url,
      'crm.type.getByEntityTypeId',
      { entityTypeId: type.entityTypeId },
      encoding,
    );
    expect(byEntity.type).toEqual(type);
    for (const [method, params] of [
      ['crm.type.get', { id: 99999 }],
      ['crm.type.getByEntityTypeId', { entityTypeId: 99999 }],
      ['crm.type.update', { id: 99999, fields: { title: 'x' } }],
    ] as const) {
      expect(await rawCall(url, method, params, encoding)).toEqual({
        status: 400,
        body: { error: 0, error_description: 'SPA not found' },
      });
    }
  });

  it.each(['json', 'form'] as const)('%s: updates flags and overwrites relations', async (encoding) => {
    const { type } = await callOk(url, 'crm.type.add', {
      fields: {
        title: `Правка ${encoding}`,
        relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] },
      },
    });
    const { type: updated } = await callOk(
      url,
      'crm.type.update',
      {
        id: type.id,
        fields: {
          title: `Правка ${encoding} 2`,
          isDocumentsEnabled: 'Y',
          isSetOpenPermissions: 'N',
          entityTypeId: 1500,
          relations: { parent: [{ entityTypeId: 4, isChildrenListEnabled: 'false' }] },
        },
      },
      encoding,
    );
    expect(updated).toMatchObject({
      id: type.id,
      entityTypeId: type.entityTypeId,
      title: `Правка ${encoding} 2`,
      isDocumentsEnabled: 'Y',
      isSetOpenPermissions: 'N',
    });
    expect(updated.relations).toEqual({
      parent: [{ entityTypeId: 4, isChildrenListEnabled: 'N', isPredefined: 'N' }],
      child: [],
    });
  });

  it.each(['json', 'form'] as const)('%s: lists with filters, logic OR and order', async (encoding) => {
    await callOk(url, 'crm.type.add', { fields: { title: `Поиск-5 ${encoding}`, isAutomationEnabled: 'Y' } });
    await callOk(url, 'crm.type.add', { fields: { title: `Поиск-0 ${encoding}` } });
    const answer = await rawCall(
      url,
      'crm.type.list',
      {
        filter: {
          0: { logic: 'OR', 0: { '%title': `Поиск-5 ${encoding}` }, 1: { '%title': `Поиск-0 ${encoding}` } },
        },
        order: { id: 'DESC' },
      },
      encoding,
    );
    expect(answer.body.total).toBe(2);
    const titles = answer.body.result.types.map((t: { title: string }) => t.title);
    expect(titles).toEqual([`Поиск-0 ${encoding}`, `Поиск-5 ${encoding}`]);
    expect(answer.body.result.types[0]).not.toHaveProperty('relations');
    const automated = await callOk(
      url,
      'crm.type.list',
      { filter: { isAutomationEnabled: 'Y', '%title': encoding } },
      encoding,
    );
    expect(automated.types.map((t: { title: string }) => t.title)).toEqual([`Поиск-5 ${encoding}`]);
    expect((await rawCall(url, 'crm.type.list', { filter: { nope: 1 } }, encoding)).body).toEqual({
      error: 'INVALID_ARG_VALUE',
      error_description: "Invalid filter: field 'nope' is not allowed in filter",
    });
    expect((await rawCall(url, 'crm.type.list', { order: { nope: 'ASC' } }, encoding)).body).toEqual({
      error: 'INVALID_ARG_VALUE',
      error_description: "Invalid order: field 'nope' is not allowed in order",
    });
    expect(
      (await rawCall(url, 'crm.type.list', { order: { id: 'UP' } }, encoding)).body.error_description,
    ).toBe("Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'");
  });

  it('deletes a type with its pipelines, stages and fields, but not while it has items', async () => {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: 'Удаляемый' } });
    await callOk(url, 'userfieldconfig.add', {
      moduleId: 'crm',
      field: { entityId: `CRM_${type.id}`, fieldName: `UF_CRM_${type.id}_NOTE`, userTypeId: 'string' },
    });
    const item = portal.portal.store.insert(itemKind(type.entityTypeId), { entityTypeId: type.entityTypeId });
    expect(await rawCall(url, 'crm.type.delete', { id: type.id })).toEqual({
      status: 400,
      body: { error: 'BX_ERROR', error_description: 'You cannot delete an entity type that has elements' },
    });
    portal.portal.store.delete(itemKind(type.entityTypeId), item.id);
    expect(await callOk(url, 'crm.type.delete', { id: type.id }, 'form')).toEqual([]);
    expect((await rawCall(url, 'crm.category.list', { entityTypeId: type.entityTypeId })).body.error).toBe(
      'NOT_FOUND',
    );
    const leftovers = await callOk(url, 'crm.status.list', {
      filter: { '%ENTITY_ID': `DYNAMIC_${type.entityTypeId}_` },
    });
    expect(leftovers).toEqual([]);
    const fields = await callOk(url, 'userfieldconfig.list', {
      moduleId: 'crm',
      filter: { entityId: `CRM_${type.id}` },
    });
    expect(fields.fields).toEqual([]);
    expect(await rawCall(url, 'crm.type.delete', { id: type.id })).toEqual({
      status: 400,
      body: { error: 0, error_description: 'Smart process not found' },
    });
  });

  it('describes its fields', async () => {
    const { fields } = await callOk(url, 'crm.type.fields');
    expect(fields.title).toMatchObject({ type: 'string', isRequired: true });
    expect(fields.entityTypeId).toMatchObject({ isImmutable: true });
    expect(fields.isPaymentsEnabled).toMatchObject({ type: 'boolean', isReadOnly: true });
    expect(Object.keys(fields)).toEqual(expect.arrayContaining([...FLAGS, 'relations', 'linkedUserFields']));
  });
});
