import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { seedRecords } from '../../src/emulator/crm/records.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/**
 * Universal crm.item.* over real HTTP (reference/bitrix24-rest.md §6.9): deals, contacts, companies and
 * a smart process, camelCase with JSON numbers, `{item}`/`{items}`, useOriginalUfNames, observers,
 * parentId links, Engine-style errors.
 */

let lp: LocalPortal;
let url: string;
const ENCODINGS = ['json', 'form'] as const;
/** The smart process «Договоры» (entityTypeId, small type id, its default pipeline). */
let spa: { entityTypeId: number; id: number; categoryId: number };
let serviceCategory: number;

beforeAll(async () => {
  lp = await portalForTest();
  url = lp.webhookUrl;
  await callOk(url, 'b24lab.clock.set', { time: '2026-04-01T09:30:00+03:00' });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: {
      FIELD_NAME: 'DIRECTION',
      USER_TYPE_ID: 'enumeration',
      EDIT_FORM_LABEL: 'Направление',
      LIST: [{ VALUE: 'ГТИ' }, { VALUE: 'Керн' }],
    },
  });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'WELLS', USER_TYPE_ID: 'integer', MULTIPLE: 'Y', EDIT_FORM_LABEL: 'Скважины' },
  });
  const { type } = await callOk(url, 'crm.type.add', {
    fields: {
      title: 'Договоры',
      isCategoriesEnabled: 'Y',
      isStagesEnabled: 'Y',
      isClientEnabled: 'Y',
      isObserversEnabled: 'Y',
      isBeginCloseDatesEnabled: 'Y',
      isLinkWithProductsEnabled: 'Y',
      relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] },
    },
  });
  const { categories } = await callOk(url, 'crm.category.list', { entityTypeId: type.entityTypeId });
  spa = { entityTypeId: type.entityTypeId, id: type.id, categoryId: categories[0].id };
  await callOk(url, 'userfieldconfig.add', {
    moduleId: 'crm',
    field: {
      entityId: `CRM_${type.id}`,
      fieldName: `UF_CRM_${type.id}_AMOUNT`,
      userTypeId: 'double',
      editFormLabel: { ru: 'Сумма договора' },
    },
  });
  serviceCategory = (await callOk(url, 'crm.category.add', { entityTypeId: 2, fields: { name: 'Сервис' } }))
    .category.id;
});
afterAll(async () => {
  await lp.close();
});

describe('crm.item.* on deals', () => {
  it.each(ENCODINGS)(
    '%s: add answers the full item in JSON types; get and list read it back',
    async (enc) => {
      const { item } = await callOk(
        url,
        'crm.item.add',
        {
          entityTypeId: 2,
          fields: {
            title: 'Каротаж',
            opportunity: 999.99,
            observers: [1],
            ufCrmDirection: 2,
            ufCrmWells: [12, 14],
            begindate: '2026-04-10',
            unknownField: 'ignored',
          },
        },
        enc,
      );
      expect(item).toMatchObject({
        title: 'Каротаж',
        categoryId: 0,
        stageId: 'NEW',
        stageSemanticId: 'P',
        opportunity: 999.99,
        currencyId: 'RUB',
        opened: 'Y',
        closed: 'N',
        isManualOpportunity: 'N',
        observers: [1],
        contactIds: [],
        companyId: null,
        assignedById: 1,
        createdBy: 1,
        movedBy: 1,
        begindate: '2026-04-10T03:00:00+03:00',
        ufCrmDirection: 2,
        ufCrmWells: [12, 14],
        entityTypeId: 2,
      });
      expect(typeof item.id).toBe('number');
      expect(item.createdTime).toMatch(/^2026-04-01T09:30:\d\d\+03:00$/);
      expect(item).not.toHaveProperty('unknownField');
      expect(await callOk(url, 'crm.item.get', { entityTypeId: 2, id: item.id }, enc)).toEqual({ item });
      const list = await rawCall(url, 'crm.item.list', { entityTypeId: 2, filter: { id: item.id } }, enc);
      expect(list.body.result).toEqual({ items: [item] });
      expect(list.body.total).toBe(1);
      // The legacy view reads the same stored record.
      expect(await callOk(url, 'crm.deal.get', { id: item.id }, enc)).toMatchObject({
        ID: String(item.id),
        TITLE: 'Каротаж',
        OPPORTUNITY: '999.99',
        UF_CRM_DIRECTION: '2',
        UF_CRM_WELLS: ['12', '14'],
      });
    },
  );

  it.each(ENCODINGS)('%s: useOriginalUfNames=Y prints and accepts UF_ names', async (enc) => {
    const { item } = await callOk(
      url,
      'crm.item.add',
      { entityTypeId: 2, useOriginalUfNames: 'Y', fields: { UF_CRM_DIRECTION: 1 } },
      enc,
    );
    expect(item.UF_CRM_DIRECTION).toBe(1);
    expect(item).not.toHaveProperty('ufCrmDirection');
    const fields = await callOk(url, 'crm.item.fields', { entityTypeId: 2, useOriginalUfNames: 'Y' }, enc);
    expect(fields.fields.UF_CRM_DIRECTION).toMatchObject({
      type: 'enumeration',
      isDynamic: true,
      title: 'Направление',
      upperName: 'UF_CRM_DIRECTION',
    });
    const camel = await callOk(url, 'crm.item.fields', { entityTypeId: 2 }, enc);
    expect(camel.fields.ufCrmDirection.upperName).toBe('UF_CRM_DIRECTION');
    expect(camel.fields.categoryId).toMatchObject({ type: 'crm_category', isImmutable: false });
    expect(camel.fields.createdTime).toMatchObject({ upperName: 'CREATED_TIME', isReadOnly: true });
  });

  it('update moves a deal to another pipeline: first stage there, stage history row, crm.deal.update cannot', async () => {
    const { item } = await callOk(url, 'crm.item.add', { entityTypeId: 2, fields: { stageId: 'EXECUTING' } });
    await callOk(url, 'b24lab.clock.advance', { hours: 3 });
    const moved = await callOk(url, 'crm.item.update', {
      entityTypeId: 2,
      id: item.id,
      fields: { categoryId: serviceCategory },
    });
    expect(moved.item).toMatchObject({
      categoryId: serviceCategory,
      stageId: `C${serviceCategory}:NEW`,
      stageSemanticId: 'P',
    });
    expect(moved.item.movedTime).toMatch(/^2026-04-01T12:30:\d\d\+03:00$/);
    expect(moved.item.updatedTime).toBe(moved.item.movedTime);
    const history = await callOk(url, 'crm.stagehistory.list', {
      entityTypeId: 2,
      filter: { OWNER_ID: item.id },
      order: { ID: 'ASC' },
    });
    expect(history.items.map((r: { TYPE_ID: number; STAGE_ID: string }) => [r.TYPE_ID, r.STAGE_ID])).toEqual([
      [1, 'EXECUTING'],
      [5, `C${serviceCategory}:NEW`],
    ]);
    // crm.item.update with a stage of the new pipeline and a final stage.
    const won = await callOk(url, 'crm.item.update', {
      entityTypeId: 2,
      id: item.id,
      fields: { stageId: `C${serviceCategory}:WON` },
    });
    expect(won.item).toMatchObject({ stageSemanticId: 'S', closed: 'Y' });
  });

  it('filters with operators and logic OR, orders, selects', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { item } = await callOk(url, 'crm.item.add', {
        entityTypeId: 2,
        fields: { title: `Фильтр ${i}`, opportunity: i * 100, sourceId: 'FILTER', ufCrmWells: [i] },
      });
      ids.push(item.id);
    }
    const list = await callOk(url, 'crm.item.list', {
      entityTypeId: 2,
      select: ['title', 'opportunity'],
      filter: { sourceId: 'FILTER', logic: 'OR', 0: { '>opportunity': 350 }, 1: { '=ufCrmWells': 1 } },
      order: { opportunity: 'DESC' },
    });
    expect(list.items).toEqual([
      { id: ids[5], title: 'Фильтр 5', opportunity: 500, entityTypeId: 2 },
      { id: ids[4], title: 'Фильтр 4', opportunity: 400, entityTypeId: 2 },
      { id: ids[1], title: 'Фильтр 1', opportunity: 100, entityTypeId: 2 },
    ]);
    const paged = await rawCall(url, 'crm.item.list', {
      entityTypeId: 2,
      filter: { sourceId: 'FILTER', '>id': ids[2] },
      select: ['id'],
      start: -1,
    });
    expect(paged.body.result.items.map((r: { id: number }) => r.id)).toEqual(ids.slice(3));
    expect(paged.body).not.toHaveProperty('next');
  });

  it.each([
    [
      { entityTypeId: 2, filter: { noSuchField: 1 } },
      "Invalid filter: field 'noSuchField' is not allowed in filter",
    ],
    [
      { entityTypeId: 2, order: { noSuchField: 'ASC' } },
      "Invalid order: field 'noSuchField' is not allowed in order",
    ],
    [
      { entityTypeId: 2, order: { id: 'UP' } },
      "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'",
    ],
  ])('crm.item.list %j -> INVALID_ARG_VALUE', async (params, description) => {
    for (const enc of ENCODINGS) {
      expect(await rawCall(url, 'crm.item.list', params, enc)).toEqual({
        status: 400,
        body: { error: 'INVALID_ARG_VALUE', error_description: description },
      });
    }
  });

  it.each([
    ['crm.item.get', { entityTypeId: 2, id: 999999 }, 'NOT_FOUND', 'Element not found'],
    [
      'crm.item.update',
      { entityTypeId: 2, id: 999999, fields: { title: 'x' } },
      'NOT_FOUND',
      'Element not found',
    ],
    ['crm.item.delete', { entityTypeId: 2, id: 999999 }, 'NOT_FOUND', 'Element not found'],
    ['crm.item.get', { entityTypeId: 1999, id: 1 }, 'NOT_FOUND', 'Smart process not found'],
    ['crm.item.list', { entityTypeId: 1 }, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type LEAD is not supported'],
    ['crm.item.get', { id: 1 }, 100, 'Could not find value for parameter {entityTypeId}'],
    ['crm.item.get', { entityTypeId: 2 }, 100, 'Could not find value for parameter {id}'],
    ['crm.item.add', { entityTypeId: 2 }, 100, 'Could not find value for parameter {fields}'],
    [
      'crm.item.add',
      { entityTypeId: 2, fields: { ufCrmDirection: 77 } },
      'CRM_FIELD_ERROR_VALUE_NOT_VALID',
      'Invalid value for field "Направление"',
    ],
    [
      'crm.item.add',
      { entityTypeId: 2, fields: { stageId: 'C999:NEW' } },
      'CRM_FIELD_ERROR_VALUE_NOT_VALID',
      'Invalid value for field "Stage"',
    ],
    [
      'crm.item.add',
      { entityTypeId: 2, fields: { observers: 5 } },
      100,
      'Expected iterable value for multiple field, but got integer instead',
    ],
    [
      'crm.item.add',
      { entityTypeId: 2, fields: { ufCrmWells: 'abc' } },
      100,
      'Expected iterable value for multiple field, but got string instead',
    ],
  ])('%s %j -> %s', async (method, params, code, description) => {
    expect(await rawCall(url, method, params)).toEqual({
      status: 400,
      body: { error: code, error_description: description },
    });
  });

  it.each(ENCODINGS)('%s: delete answers [] and the deal is gone from both views', async (enc) => {
    const { item } = await callOk(
      url,
      'crm.item.add',
      { entityTypeId: 2, fields: { title: 'Удалить' } },
      enc,
    );
    expect(await callOk(url, 'crm.item.delete', { entityTypeId: 2, id: item.id }, enc)).toEqual([]);
    expect((await rawCall(url, 'crm.deal.get', { id: item.id }, enc)).body.error_description).toBe(
      'Not found',
    );
  });
});

describe('crm.item.* on contacts and companies', () => {
  it.each(ENCODINGS)(
    '%s: contact multifields as fm; the legacy view shows them as PHONE/EMAIL',
    async (enc) => {
      const { item } = await callOk(
        url,
        'crm.item.add',
        {
          entityTypeId: 3,
          fields: {
            name: 'Олег',
            lastName: 'Петров',
            fm: [
              { typeId: 'PHONE', valueType: 'WORK', value: '+74950001122' },
              { typeId: 'EMAIL', valueType: 'HOME', value: 'oleg@lab.test' },
            ],
          },
        },
        enc,
      );
      expect(item).toMatchObject({
        name: 'Олег',
        lastName: 'Петров',
        typeId: 'CLIENT',
        hasPhone: 'Y',
        hasEmail: 'Y',
        fm: [
          { id: expect.any(Number), valueType: 'WORK', value: '+74950001122', typeId: 'PHONE' },
          { id: expect.any(Number), valueType: 'HOME', value: 'oleg@lab.test', typeId: 'EMAIL' },
        ],
        entityTypeId: 3,
      });
      expect(item).not.toHaveProperty('title');
      const legacy = await callOk(url, 'crm.contact.get', { id: item.id }, enc);
      expect(legacy.PHONE).toEqual([
        { ID: String(item.fm[0].id), VALUE_TYPE: 'WORK', VALUE: '+74950001122', TYPE_ID: 'PHONE' },
      ]);
      // A named select leaves fm out (fm only comes with *).
      const list = await callOk(
        url,
        'crm.item.list',
        { entityTypeId: 3, filter: { id: item.id }, select: ['name', 'fm'] },
        enc,
      );
      expect(list.items).toEqual([{ id: item.id, name: 'Олег', entityTypeId: 3 }]);
    },
  );

  it('a company with contacts', async () => {
    const { item: contact } = await callOk(url, 'crm.item.add', { entityTypeId: 3, fields: { name: 'Лев' } });
    const { item } = await callOk(url, 'crm.item.add', {
      entityTypeId: 4,
      fields: { title: 'АО «Геофизика»', contactIds: [contact.id], revenue: 1500.5, isMyCompany: 'Y' },
    });
    expect(item).toMatchObject({
      title: 'АО «Геофизика»',
      contactIds: [contact.id],
      revenue: 1500.5,
      isMyCompany: 'Y',
    });
    expect(await callOk(url, 'crm.company.get', { id: item.id })).toMatchObject({
      REVENUE: '1500.5',
      IS_MY_COMPANY: 'Y',
    });
  });
});

describe('crm.item.* on a smart process', () => {
  it.each(ENCODINGS)(
    '%s: defaults, its pipeline and stages, UF, parent deal link, observers',
    async (enc) => {
      const deal = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'Основание' } });
      const { item } = await callOk(
        url,
        'crm.item.add',
        {
          entityTypeId: spa.entityTypeId,
          fields: { [`ufCrm${spa.id}Amount`]: 125000.5, parentId2: deal, observers: [1], opportunity: 10 },
        },
        enc,
      );
      const prefix = `DT${spa.entityTypeId}_${spa.categoryId}:`;
      expect(item).toMatchObject({
        title: `Договоры #${item.id}`,
        categoryId: spa.categoryId,
        stageId: `${prefix}NEW`,
        previousStageId: null,
        [`ufCrm${spa.id}Amount`]: 125000.5,
        parentId2: deal,
        observers: [1],
        opportunity: 10,
        currencyId: 'RUB',
        begindate: '2026-04-01T03:00:00+03:00',
        contactIds: [],
        entityTypeId: spa.entityTypeId,
      });
      expect(item).not.toHaveProperty('typeId');
      const updated = await callOk(
        url,
        'crm.item.update',
        { entityTypeId: spa.entityTypeId, id: item.id, fields: { stageId: `${prefix}SUCCESS` } },
        enc,
      );
      expect(updated.item).toMatchObject({ stageId: `${prefix}SUCCESS`, previousStageId: `${prefix}NEW` });
      const byParent = await callOk(
        url,
        'crm.item.list',
        { entityTypeId: spa.entityTypeId, filter: { parentId2: deal }, select: ['id', 'parentId2'] },
        enc,
      );
      expect(byParent.items).toEqual([{ id: item.id, parentId2: deal, entityTypeId: spa.entityTypeId }]);
      // Deals get no parentId of the smart process: the smart process is the child.
      const fields = await callOk(url, 'crm.item.fields', { entityTypeId: spa.entityTypeId }, enc);
      expect(fields.fields.parentId2).toMatchObject({
        type: 'crm_entity',
        upperName: 'PARENT_ID_2',
        settings: { parentEntityTypeId: 2 },
      });
      expect(fields.fields.stageId.statusType).toBe(`DYNAMIC_${spa.entityTypeId}_STAGE_${spa.categoryId}`);
      expect(fields.fields[`ufCrm${spa.id}Amount`]).toMatchObject({
        type: 'double',
        title: 'Сумма договора',
      });
    },
  );

  it.each([
    [{ parentId2: 999999 }, 'Invalid value for field "Deal"'],
    [{ stageId: 'NEW' }, 'Invalid value for field "Stage"'],
    [{ categoryId: 999 }, 'Invalid value for field "Pipeline"'],
  ])('a smart-process item with %j -> CRM_FIELD_ERROR_VALUE_NOT_VALID', async (fields, description) => {
    expect(await rawCall(url, 'crm.item.add', { entityTypeId: spa.entityTypeId, fields })).toEqual({
      status: 400,
      body: { error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID', error_description: description },
    });
  });

  it('crm.type.delete refuses a type with items (the directory guard sees the records)', async () => {
    const answer = await rawCall(url, 'crm.type.delete', { id: spa.id });
    expect(answer.status).toBe(400);
  });
});

describe('seedRecords', () => {
  it('seeds through the record core: defaults, system times given as ISO, stage history from then', async () => {
    const ids = seedRecords(lp.portal, 2, [
      {
        title: 'Старая сделка',
        stageId: 'WON',
        createdTime: '2026-03-16T12:00:00+03:00',
        movedTime: '2026-03-20T12:00:00+03:00',
      },
      { title: 'Новая сделка', createdTime: '2026-03-30T09:00:00+03:00' },
    ]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]! + 1);
    const { item } = await callOk(url, 'crm.item.get', { entityTypeId: 2, id: ids[0] });
    expect(item).toMatchObject({
      title: 'Старая сделка',
      stageId: 'WON',
      stageSemanticId: 'S',
      closed: 'Y',
      currencyId: 'RUB',
      createdTime: '2026-03-16T12:00:00+03:00',
      movedTime: '2026-03-20T12:00:00+03:00',
    });
    const history = await callOk(url, 'crm.stagehistory.list', {
      entityTypeId: 2,
      filter: { OWNER_ID: ids[0] },
    });
    expect(history.items).toEqual([
      expect.objectContaining({ TYPE_ID: 1, STAGE_ID: 'WON', CREATED_TIME: '2026-03-20T12:00:00+03:00' }),
    ]);
    expect(await callOk(url, 'crm.deal.get', { id: ids[1] })).toMatchObject({
      DATE_CREATE: '2026-03-30T09:00:00+03:00',
      DATE_MODIFY: '2026-03-30T09:00:00+03:00',
      MOVED_TIME: '2026-03-30T09:00:00+03:00',
    });
    // The next deal added through REST continues the id sequence.
    expect(await callOk(url, 'crm.deal.add', { fields: {} })).toBe(ids[1]! + 1);
  });

  it('refuses an invalid row and inserts nothing of the batch', async () => {
    const before = (await rawCall(url, 'crm.item.list', { entityTypeId: 2 })).body.total as number;
    expect(() => seedRecords(lp.portal, 2, [{ title: 'Хорошая' }, { stageId: 'NO_SUCH_STAGE' }])).toThrow(
      'Row 1: invalid value of stageId',
    );
    expect((await rawCall(url, 'crm.item.list', { entityTypeId: 2 })).body.total).toBe(before);
    expect(() => seedRecords(lp.portal, 7777, [{}])).toThrow('CRM entity type 7777 is not supported');
  });
});
