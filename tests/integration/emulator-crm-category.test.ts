import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  categoryOfStage,
  defaultCategory,
  findStage,
  getCategory,
  getType,
  isSupportedEntity,
  listStages,
  ufEntityId,
  userFieldsOf,
} from '../../src/emulator/crm/directory.js';
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

/** A record in a pipeline, as the record methods would store it (they are another module). */
function putItem(entityTypeId: number, categoryId: number, stageId: string): number {
  const doc = { entityTypeId, title: 'x', categoryId, stageId };
  return portal.portal.store.insert(itemKind(entityTypeId), doc).id;
}

async function addSpa(title: string): Promise<{ id: number; entityTypeId: number }> {
  const result = await callOk(url, 'crm.type.add', { fields: { title, isCategoriesEnabled: 'Y' } });
  return result.type as { id: number; entityTypeId: number };
}

describe('crm.category (deals)', () => {
  it.each(['json', 'form'] as const)('%s: lists the default pipeline 0 «Общая»', async (encoding) => {
    const answer = await rawCall(url, 'crm.category.list', { entityTypeId: 2 }, encoding);
    expect(answer.status).toBe(200);
    expect(answer.body.result.categories[0]).toEqual({
      id: 0,
      name: 'Общая',
      sort: 500,
      entityTypeId: 2,
      isDefault: 'Y',
    });
    expect(answer.body.total).toBeGreaterThanOrEqual(1);
  });

  it.each(['json', 'form'] as const)(
    '%s: adds a pipeline with the eight default stages',
    async (encoding) => {
      const { category } = await callOk(
        url,
        'crm.category.add',
        { entityTypeId: 2, fields: { name: 'Тендеры', sort: 200, isDefault: 'Y', originId: 'tenders' } },
        encoding,
      );
      expect(category).toEqual({
        id: expect.any(Number),
        name: 'Тендеры',
        sort: 200,
        entityTypeId: 2,
        // isDefault is read-only for deals.
        isDefault: 'N',
        originId: 'tenders',
        originatorId: '',
      });
      const stages = await callOk(
        url,
        'crm.status.list',
        { filter: { ENTITY_ID: `DEAL_STAGE_${category.id}` }, order: { SORT: 'ASC' } },
        encoding,
      );
      const c = `C${category.id}:`;
      expect(stages.map((s: { STATUS_ID: string }) => s.STATUS_ID)).toEqual(
        [
          'NEW',
          'PREPARATION',
          'PREPAYMENT_INVOICE',
          'EXECUTING',
          'FINAL_INVOICE',
          'WON',
          'LOSE',
          'APOLOGY',
        ].map((code) => (c + code).slice(0, 21)),
      );
      expect(stages.map((s: { SEMANTICS: string | null }) => s.SEMANTICS)).toEqual([
        null,
        null,
        null,
        null,
        null,
        'S',
        'F',
        'F',
      ]);
      expect(stages.map((s: { SORT: string }) => s.SORT)).toEqual([
        '10',
        '20',
        '30',
        '40',
        '50',
        '60',
        '70',
        '80',
      ]);
      expect(stages[0]).toMatchObject({ NAME: 'Новая', CATEGORY_ID: String(category.id), SYSTEM: 'Y' });
      expect(stages[7].EXTRA).toEqual({ SEMANTICS: 'apology', COLOR: '#FF5752' });
    },
  );

  it('applies the name and sort defaults and rules', async () => {
    const { category } = await callOk(url, 'crm.category.add', { entityTypeId: 2, fields: { sort: -5 } });
    expect(category).toMatchObject({ name: '-', sort: 0 });
    const blank = await rawCall(url, 'crm.category.add', { entityTypeId: 2, fields: { name: '   ' } });
    expect(blank).toEqual({ status: 400, body: { error: 0, error_description: "Field 'NAME' is required" } });
    const plain = await callOk(url, 'crm.category.add', {
      entityTypeId: 2,
      fields: { name: 'Без сортировки' },
    });
    expect(plain.category.sort).toBe(500);
  });

  it.each(['json', 'form'] as const)('%s: gets and updates a pipeline', async (encoding) => {
    const { category } = await callOk(url, 'crm.category.add', {
      entityTypeId: 2,
      fields: { name: 'Старое' },
    });
    const updated = await callOk(
      url,
      'crm.category.update',
      { entityTypeId: 2, id: category.id, fields: { name: 'Новое', sort: 50 } },
      encoding,
    );
    expect(updated.category).toMatchObject({ id: category.id, name: 'Новое', sort: 50, isDefault: 'N' });
    const got = await callOk(url, 'crm.category.get', { entityTypeId: 2, id: category.id }, encoding);
    expect(got.category).toEqual(updated.category);
    const zero = await callOk(url, 'crm.category.get', { entityTypeId: 2, id: 0 }, encoding);
    expect(zero.category.name).toBe('Общая');
  });

  it('describes its fields', async () => {
    const { fields } = await callOk(url, 'crm.category.fields', { entityTypeId: 2 });
    expect(Object.keys(fields)).toEqual([
      'id',
      'name',
      'sort',
      'entityTypeId',
      'isDefault',
      'originId',
      'originatorId',
    ]);
    expect(fields.isDefault).toMatchObject({ type: 'boolean', isReadOnly: true, upperName: 'IS_DEFAULT' });
  });

  it.each(['json', 'form'] as const)('%s: answers the documented errors', async (encoding) => {
    expect(await rawCall(url, 'crm.category.list', { entityTypeId: 1 }, encoding)).toEqual({
      status: 400,
      body: { error: 'ENTITY_TYPE_NOT_SUPPORTED', error_description: 'Entity type LEAD is not supported' },
    });
    expect(await rawCall(url, 'crm.category.list', { entityTypeId: 999 }, encoding)).toEqual({
      status: 400,
      body: { error: 'NOT_FOUND', error_description: 'SPA not found' },
    });
    expect(await rawCall(url, 'crm.category.get', { entityTypeId: 2, id: 99999 }, encoding)).toEqual({
      status: 400,
      body: { error: 'NOT_FOUND', error_description: 'Element not found' },
    });
    const missing = await rawCall(url, 'crm.category.list', {}, encoding);
    expect(missing.body).toEqual({
      error: 100,
      error_description: 'Could not find value for parameter {entityTypeId}',
    });
  });

  it('refuses to delete the default pipeline and a pipeline with deals', async () => {
    expect((await rawCall(url, 'crm.category.delete', { entityTypeId: 2, id: 0 })).body).toEqual({
      error: 0,
      error_description: 'Default deal category cannot be deleted',
    });
    const { category } = await callOk(url, 'crm.category.add', {
      entityTypeId: 2,
      fields: { name: 'С делами' },
    });
    const itemId = putItem(2, category.id, `C${category.id}:NEW`);
    expect((await rawCall(url, 'crm.category.delete', { entityTypeId: 2, id: category.id })).body).toEqual({
      error: 0,
      error_description: 'Deals related to the funnel С делами found',
    });
    portal.portal.store.delete(itemKind(2), itemId);
    expect(await callOk(url, 'crm.category.delete', { entityTypeId: 2, id: category.id })).toBeNull();
    const stages = await callOk(url, 'crm.status.list', {
      filter: { ENTITY_ID: `DEAL_STAGE_${category.id}` },
    });
    expect(stages).toEqual([]);
  });
});

describe('crm.category (smart processes)', () => {
  it.each(['json', 'form'] as const)('%s: a new default pipeline demotes the old one', async (encoding) => {
    const spa = await addSpa(`Заявки ${encoding}`);
    const first = await callOk(url, 'crm.category.list', { entityTypeId: spa.entityTypeId }, encoding);
    expect(first.categories).toEqual([
      expect.objectContaining({ name: 'Общая', isDefault: 'Y', isSystem: 'N', code: null, sort: 500 }),
    ]);
    const { category } = await callOk(
      url,
      'crm.category.add',
      {
        entityTypeId: spa.entityTypeId,
        fields: { name: 'Срочные', sort: 100, isDefault: 'Y', code: 'urgent' },
      },
      encoding,
    );
    expect(category).toMatchObject({ isDefault: 'Y', code: 'urgent', entityTypeId: spa.entityTypeId });
    const after = await callOk(url, 'crm.category.list', { entityTypeId: spa.entityTypeId }, encoding);
    expect(after.categories.map((c: { name: string; isDefault: string }) => [c.name, c.isDefault])).toEqual([
      ['Срочные', 'Y'],
      ['Общая', 'N'],
    ]);
    const stages = await callOk(url, 'crm.dealcategory.stage.list', { id: 0 });
    expect(stages).toHaveLength(8);
    const spaStages = await callOk(url, 'crm.status.list', {
      filter: { ENTITY_ID: `DYNAMIC_${spa.entityTypeId}_STAGE_${category.id}` },
    });
    expect(spaStages.map((s: { STATUS_ID: string; NAME: string }) => [s.STATUS_ID, s.NAME])).toEqual([
      [`DT${spa.entityTypeId}_${category.id}:NEW`, 'Начало'],
      [`DT${spa.entityTypeId}_${category.id}:PREPARATION`, 'Подготовка'],
      [`DT${spa.entityTypeId}_${category.id}:CLIENT`, 'Согласование'],
      [`DT${spa.entityTypeId}_${category.id}:SUCCESS`, 'Успех'],
      [`DT${spa.entityTypeId}_${category.id}:FAIL`, 'Провал'],
    ]);
    expect(spaStages[3]).not.toHaveProperty('EXTRA');
    // The default cannot be made non-default, nor deleted.
    const kept = await callOk(url, 'crm.category.update', {
      entityTypeId: spa.entityTypeId,
      id: category.id,
      fields: { isDefault: 'N' },
    });
    expect(kept.category.isDefault).toBe('Y');
    expect(
      (await rawCall(url, 'crm.category.delete', { entityTypeId: spa.entityTypeId, id: category.id })).body,
    ).toEqual({ error: 'BX_ERROR', error_description: 'This funnel is the default funnel' });
  });

  it('refuses to delete a smart-process pipeline with items and a pipeline of another entity', async () => {
    const spa = await addSpa('Проверки');
    const { category } = await callOk(url, 'crm.category.add', {
      entityTypeId: spa.entityTypeId,
      fields: { name: 'Вторая' },
    });
    putItem(spa.entityTypeId, category.id, `DT${spa.entityTypeId}_${category.id}:NEW`);
    expect(
      (await rawCall(url, 'crm.category.delete', { entityTypeId: spa.entityTypeId, id: category.id })).body,
    ).toEqual({ error: 'BX_ERROR', error_description: 'Elements related to the funnel found' });
    // A deal pipeline id is not an element of the smart process.
    expect(
      (await rawCall(url, 'crm.category.get', { entityTypeId: spa.entityTypeId, id: 0 })).body.error,
    ).toBe('NOT_FOUND');
    const { fields } = await callOk(url, 'crm.category.fields', { entityTypeId: spa.entityTypeId });
    expect(fields).toHaveProperty('isSystem');
    expect(fields).toHaveProperty('code');
    expect(fields).not.toHaveProperty('originId');
  });
});

describe('crm.dealcategory (legacy)', () => {
  it.each(['json', 'form'] as const)('%s: add, get, update, list, delete', async (encoding) => {
    const id = await callOk(url, 'crm.dealcategory.add', { fields: { NAME: 'Опт', SORT: 300 } }, encoding);
    expect(typeof id).toBe('number');
    const got = await callOk(url, 'crm.dealcategory.get', { id }, encoding);
    expect(got).toEqual({
      ID: String(id),
      CREATED_DATE: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/),
      NAME: 'Опт',
      IS_LOCKED: 'N',
      SORT: '300',
    });
    expect(
      await callOk(url, 'crm.dealcategory.update', { id, fields: { NAME: 'Оптовые продажи' } }, encoding),
    ).toBe(true);
    const list = await rawCall(
      url,
      'crm.dealcategory.list',
      {
        order: { SORT: 'ASC' },
        filter: { IS_LOCKED: 'N', NAME: 'Оптовые продажи' },
        select: ['ID', 'NAME', 'SORT'],
      },
      encoding,
    );
    expect(list.body.result).toEqual([{ ID: String(id), NAME: 'Оптовые продажи', SORT: '300' }]);
    expect(list.body.total).toBe(1);
    const locked = await callOk(url, 'crm.dealcategory.list', { filter: { IS_LOCKED: 'Y' } }, encoding);
    expect(locked).toEqual([]);
    expect(await callOk(url, 'crm.dealcategory.status', { id }, encoding)).toBe(`DEAL_STAGE_${id}`);
    const stages = await callOk(url, 'crm.dealcategory.stage.list', { id }, encoding);
    expect(stages[0]).toMatchObject({ STATUS_ID: `C${id}:NEW`, ENTITY_ID: `DEAL_STAGE_${id}` });
    expect(await callOk(url, 'crm.dealcategory.delete', { id }, encoding)).toBe(true);
    expect((await rawCall(url, 'crm.dealcategory.get', { id }, encoding)).body).toEqual({
      error: '',
      error_description: 'Not found',
    });
  });

  it('never lists the default pipeline and names it through default.get/set', async () => {
    const all = await callOk(url, 'crm.dealcategory.list', {});
    expect(all.some((c: { ID: string }) => c.ID === '0')).toBe(false);
    expect(await callOk(url, 'crm.dealcategory.status', {})).toBe('DEAL_STAGE');
    expect(await callOk(url, 'crm.dealcategory.default.get', {})).toEqual({ ID: 0, NAME: 'Общая' });
    expect(await callOk(url, 'crm.dealcategory.default.set', { name: 'Основная' }, 'form')).toBe(true);
    expect((await callOk(url, 'crm.category.get', { entityTypeId: 2, id: 0 })).category.name).toBe(
      'Основная',
    );
    await callOk(url, 'crm.dealcategory.default.set', { name: 'Общая' });
    const fields = await callOk(url, 'crm.dealcategory.fields', {});
    expect(Object.keys(fields)).toEqual(['ID', 'CREATED_DATE', 'NAME', 'IS_LOCKED', 'SORT']);
    expect(fields.NAME.isRequired).toBe(true);
  });

  it('answers legacy errors', async () => {
    expect((await rawCall(url, 'crm.dealcategory.get', { id: 0 })).body).toEqual({
      error: '',
      error_description: 'ID is not defined or invalid.',
    });
    expect((await rawCall(url, 'crm.dealcategory.add', { fields: { SORT: 10 } })).body).toEqual({
      error: '',
      error_description: "The 'NAME' field is required.",
    });
    const id = await callOk(url, 'crm.dealcategory.add', { fields: { NAME: 'Занятая' } });
    putItem(2, id, `C${id}:NEW`);
    expect((await rawCall(url, 'crm.dealcategory.delete', { id })).body.error_description).toBe(
      'Deals related to the funnel Занятая found',
    );
  });

  it('cuts long default stage codes of pipelines 10 and up to 21 characters', async () => {
    let id = 0;
    while (id < 10) id = await callOk(url, 'crm.dealcategory.add', { fields: { NAME: `Воронка ${id}` } });
    const stages = await callOk(url, 'crm.dealcategory.stage.list', { id });
    expect(stages.map((s: { STATUS_ID: string }) => s.STATUS_ID)).toContain(
      `C${id}:PREPAYMENT_INVOIC`.slice(0, 21),
    );
    expect(stages.every((s: { STATUS_ID: string }) => s.STATUS_ID.length <= 21)).toBe(true);
  });
});

describe('directory helpers the record methods use', () => {
  it('answer over what the methods created', async () => {
    const p = portal.portal;
    const spa = await addSpa('Помощники');
    const { category } = await callOk(url, 'crm.category.add', {
      entityTypeId: 2,
      fields: { name: 'Помощь' },
    });
    expect(defaultCategory(p, 2)?.id).toBe(0);
    expect(defaultCategory(p, spa.entityTypeId)?.name).toBe('Общая');
    expect(getCategory(p, 2, category.id)?.name).toBe('Помощь');
    expect(getCategory(p, spa.entityTypeId, category.id)).toBeUndefined();
    expect(listStages(p, 2, 0).map((s) => s.STATUS_ID)[0]).toBe('NEW');
    expect(findStage(p, 2, category.id, `C${category.id}:WON`)?.SEMANTICS).toBe('S');
    expect(findStage(p, 2, 0, `C${category.id}:WON`)).toBeUndefined();
    expect(categoryOfStage(p, 2, `C${category.id}:LOSE`)).toBe(category.id);
    expect(categoryOfStage(p, 2, 'WON')).toBe(0);
    expect(categoryOfStage(p, 2, 'NO_SUCH')).toBeUndefined();
    const spaDefault = defaultCategory(p, spa.entityTypeId)?.id;
    expect(categoryOfStage(p, spa.entityTypeId, `DT${spa.entityTypeId}_${spaDefault}:SUCCESS`)).toBe(
      spaDefault,
    );
    expect(getType(p, spa.entityTypeId)?.id).toBe(spa.id);
    expect([2, 3, 4, spa.entityTypeId].map((t) => isSupportedEntity(p, t))).toEqual([true, true, true, true]);
    expect([1, 999].map((t) => isSupportedEntity(p, t))).toEqual([false, false]);
    expect([2, 3, 4, spa.entityTypeId, 999].map((t) => ufEntityId(p, t))).toEqual([
      'CRM_DEAL',
      'CRM_CONTACT',
      'CRM_COMPANY',
      `CRM_${spa.id}`,
      undefined,
    ]);
    await callOk(url, 'userfieldconfig.add', {
      moduleId: 'crm',
      field: { entityId: `CRM_${spa.id}`, fieldName: `UF_CRM_${spa.id}_B`, userTypeId: 'string', sort: 20 },
    });
    await callOk(url, 'userfieldconfig.add', {
      moduleId: 'crm',
      field: { entityId: `CRM_${spa.id}`, fieldName: `UF_CRM_${spa.id}_A`, userTypeId: 'string', sort: 10 },
    });
    expect(userFieldsOf(p, `CRM_${spa.id}`).map((f) => f.FIELD_NAME)).toEqual([
      `UF_CRM_${spa.id}_A`,
      `UF_CRM_${spa.id}_B`,
    ]);
  });
});
