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

interface StatusRow {
  ID: string;
  STATUS_ID: string;
  NAME: string;
  SORT: string;
  SEMANTICS: string | null;
}

const legacyError = (description: string) => ({
  status: 400,
  body: { error: '', error_description: description },
});

async function stagesOf(entityId: string): Promise<StatusRow[]> {
  return (await callOk(url, 'crm.status.list', {
    filter: { ENTITY_ID: entityId },
    order: { SORT: 'ASC' },
  })) as StatusRow[];
}

async function newDealPipeline(name: string): Promise<number> {
  return (await callOk(url, 'crm.dealcategory.add', { fields: { NAME: name } })) as number;
}

describe('crm.status.list and get', () => {
  it.each(['json', 'form', 'get'] as const)(
    '%s: prints the default deal stages as strings',
    async (encoding) => {
      const answer = await rawCall(
        url,
        'crm.status.list',
        { filter: { ENTITY_ID: 'DEAL_STAGE' }, order: { SORT: 'ASC' } },
        encoding,
      );
      expect(answer.body.total).toBe(8);
      const rows = answer.body.result as Record<string, unknown>[];
      expect(rows.map((r) => [r.STATUS_ID, r.NAME, r.SORT, r.SEMANTICS])).toEqual([
        ['NEW', 'Новая', '10', null],
        ['PREPARATION', 'Подготовка документов', '20', null],
        ['PREPAYMENT_INVOICE', 'Счёт на предоплату', '30', null],
        ['EXECUTING', 'В работе', '40', null],
        ['FINAL_INVOICE', 'Финальный счёт', '50', null],
        ['WON', 'Сделка успешна', '60', 'S'],
        ['LOSE', 'Сделка провалена', '70', 'F'],
        ['APOLOGY', 'Анализ причины провала', '80', 'F'],
      ]);
      expect(rows[0]).toEqual({
        ID: expect.stringMatching(/^\d+$/),
        ENTITY_ID: 'DEAL_STAGE',
        STATUS_ID: 'NEW',
        NAME: 'Новая',
        NAME_INIT: 'Новая',
        SORT: '10',
        SYSTEM: 'Y',
        CATEGORY_ID: null,
        COLOR: '#39A8EF',
        SEMANTICS: null,
        EXTRA: { SEMANTICS: 'process', COLOR: '#39A8EF' },
      });
      expect(rows[1]).toMatchObject({ SYSTEM: 'N', NAME_INIT: '' });
      expect(rows.map((r) => (r.EXTRA as { SEMANTICS: string }).SEMANTICS)).toEqual([
        'process',
        'process',
        'process',
        'process',
        'process',
        'success',
        'failure',
        'apology',
      ]);
    },
  );

  it('seeds the plain directories deals refer to', async () => {
    for (const [entityId, first] of [
      ['SOURCE', 'CALL'],
      ['DEAL_TYPE', 'SALE'],
      ['CONTACT_TYPE', 'CLIENT'],
      ['COMPANY_TYPE', 'CUSTOMER'],
    ] as const) {
      const rows = await stagesOf(entityId);
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows[0]).toMatchObject({ STATUS_ID: first, SYSTEM: 'Y', CATEGORY_ID: null, SEMANTICS: null });
      expect(rows[0]).not.toHaveProperty('EXTRA');
    }
    const types = await callOk(url, 'crm.status.list', { filter: { ENTITY_ID: 'DEAL_TYPE' } });
    expect(types.map((r: StatusRow) => r.NAME)).toContain('Продажа');
  });

  it('filters with operators and gets one row', async () => {
    const rows = await callOk(url, 'crm.status.list', {
      filter: { ENTITY_ID: 'DEAL_STAGE', '>SORT': 50, SYSTEM: 'Y' },
    });
    expect(rows.map((r: StatusRow) => r.STATUS_ID)).toEqual(['WON', 'LOSE']);
    const won = rows[0] as StatusRow;
    const got = await callOk(url, 'crm.status.get', { id: won.ID }, 'form');
    expect(got).toEqual(won);
    expect(await rawCall(url, 'crm.status.get', { id: 'x' })).toEqual(legacyError('Invalid identifier.'));
    expect(await rawCall(url, 'crm.status.get', { id: 999999 })).toEqual(legacyError('Status is not found.'));
  });

  it('describes its fields', async () => {
    const fields = await callOk(url, 'crm.status.fields');
    expect(Object.keys(fields)).toEqual([
      'ID',
      'ENTITY_ID',
      'STATUS_ID',
      'SORT',
      'NAME',
      'NAME_INIT',
      'SYSTEM',
      'CATEGORY_ID',
      'COLOR',
      'SEMANTICS',
      'EXTRA',
    ]);
    expect(fields.STATUS_ID).toMatchObject({ type: 'string', isRequired: true, isImmutable: true });
  });
});

describe('crm.status.add', () => {
  it.each(['json', 'form'] as const)('%s: adds the pipeline prefix when it is missing', async (encoding) => {
    const category = await newDealPipeline(`Префикс ${encoding}`);
    const id = await callOk(
      url,
      'crm.status.add',
      {
        fields: {
          ENTITY_ID: `DEAL_STAGE_${category}`,
          STATUS_ID: 'DECISION',
          NAME: 'Решение',
          SORT: 55,
          COLOR: '#FFA900',
        },
      },
      encoding,
    );
    expect(typeof id).toBe('number');
    const row = await callOk(url, 'crm.status.get', { id });
    expect(row).toMatchObject({
      STATUS_ID: `C${category}:DECISION`,
      SYSTEM: 'N',
      SORT: '55',
      CATEGORY_ID: String(category),
      COLOR: '#FFA900',
      SEMANTICS: null,
      NAME_INIT: '',
    });
    // Already prefixed codes are kept as they are.
    const kept = await callOk(url, 'crm.status.add', {
      fields: {
        ENTITY_ID: `DEAL_STAGE_${category}`,
        STATUS_ID: `C${category}:CHECK`,
        NAME: 'Проверка',
        SORT: 56,
      },
    });
    expect((await callOk(url, 'crm.status.get', { id: kept })).STATUS_ID).toBe(`C${category}:CHECK`);
    const stages = await stagesOf(`DEAL_STAGE_${category}`);
    expect(stages.map((s) => s.STATUS_ID).indexOf(`C${category}:DECISION`)).toBe(5);
  });

  it('adds a smart-process stage with the DT prefix and a failure stage after success', async () => {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: 'Стадии', entityTypeId: 1036 } });
    const { categories } = await callOk(url, 'crm.category.list', { entityTypeId: type.entityTypeId });
    const entityId = `DYNAMIC_1036_STAGE_${categories[0].id}`;
    const id = await callOk(url, 'crm.status.add', {
      fields: { ENTITY_ID: entityId, STATUS_ID: 'MY_STAGE', NAME: 'Отказ клиента', SORT: 60, SEMANTICS: 'F' },
    });
    const row = await callOk(url, 'crm.status.get', { id });
    expect(row).toMatchObject({
      STATUS_ID: `DT1036_${categories[0].id}:MY_STAGE`,
      SEMANTICS: 'F',
      CATEGORY_ID: String(categories[0].id),
    });
    expect(row).not.toHaveProperty('EXTRA');
  });

  it.each(['json', 'form'] as const)('%s: answers the documented errors', async (encoding) => {
    const add = (fields: Record<string, unknown>) => rawCall(url, 'crm.status.add', { fields }, encoding);
    expect(await add({ STATUS_ID: 'X', NAME: 'x' })).toEqual(legacyError('The field ENTITY_ID is required.'));
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', NAME: 'x' })).toEqual(
      legacyError('The field STATUS_ID is required.'),
    );
    expect(await add({ ENTITY_ID: 'NO_SUCH', STATUS_ID: 'X', NAME: 'x' })).toEqual(
      legacyError('Specified entity type is not supported.'),
    );
    expect(await add({ ENTITY_ID: 'DEAL_STAGE_99999', STATUS_ID: 'X', NAME: 'x' })).toEqual(
      legacyError('Specified entity type is not supported.'),
    );
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'X' })).toEqual(
      legacyError('The field Title is required.'),
    );
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'NEW', NAME: 'x', SORT: 5 })).toEqual({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: 'The specified status ID already exists.' },
    });
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'LATE', NAME: 'Поздно', SORT: 65 })).toEqual(
      legacyError('Cannot create more stages after the final stage. Change the sort order.'),
    );
    expect(
      await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'WON2', NAME: 'x', SORT: 65, SEMANTICS: 'S' }),
    ).toEqual(legacyError('A pipeline can have only one success stage.'));
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'ЭТАП', NAME: 'x', SORT: 15 })).toEqual(
      legacyError('The field STATUS_ID may contain only Latin letters, digits, hyphens and underscores.'),
    );
    expect(await add({ ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'A'.repeat(23), NAME: 'x', SORT: 15 })).toEqual(
      legacyError('The field STATUS_ID must not be longer than 22 characters.'),
    );
  });

  it('adds entries to plain directories without a prefix', async () => {
    const id = await callOk(url, 'crm.status.add', {
      fields: { ENTITY_ID: 'SOURCE', STATUS_ID: 'TELEGRAM', NAME: 'Телеграм', SORT: 200 },
    });
    expect(await callOk(url, 'crm.status.get', { id })).toEqual({
      ID: String(id),
      ENTITY_ID: 'SOURCE',
      STATUS_ID: 'TELEGRAM',
      NAME: 'Телеграм',
      NAME_INIT: '',
      SORT: '200',
      SYSTEM: 'N',
      CATEGORY_ID: null,
      COLOR: null,
      SEMANTICS: null,
    });
  });
});

describe('crm.status.update and delete', () => {
  it.each(['json', 'form'] as const)('%s: renames, recolours and resorts a stage', async (encoding) => {
    const category = await newDealPipeline(`Обновление ${encoding}`);
    const [, preparation] = await stagesOf(`DEAL_STAGE_${category}`);
    const id = (preparation as StatusRow).ID;
    expect(
      await callOk(
        url,
        'crm.status.update',
        { id, fields: { NAME: 'Сбор документов', SORT: 45, COLOR: '#000000' } },
        encoding,
      ),
    ).toBe(true);
    expect(await callOk(url, 'crm.status.get', { id })).toMatchObject({
      NAME: 'Сбор документов',
      SORT: '45',
      COLOR: '#000000',
    });
    // Re-sorting is free on update, unlike add.
    expect(await callOk(url, 'crm.status.update', { id, fields: { SORT: 75 } }, encoding)).toBe(true);
    expect((await callOk(url, 'crm.status.get', { id })).SORT).toBe('75');
    expect(await rawCall(url, 'crm.status.update', { id: 999999, fields: { NAME: 'x' } }, encoding)).toEqual(
      legacyError('Status is not found.'),
    );
  });

  it.each(['json', 'form'] as const)('%s: deletes system stages only with FORCED=Y', async (encoding) => {
    const category = await newDealPipeline(`Удаление ${encoding}`);
    const stages = await stagesOf(`DEAL_STAGE_${category}`);
    const lose = stages.find((s) => s.STATUS_ID === `C${category}:LOSE`) as StatusRow;
    expect(await rawCall(url, 'crm.status.delete', { id: lose.ID }, encoding)).toEqual(
      legacyError('CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".'),
    );
    expect(await callOk(url, 'crm.status.delete', { id: lose.ID, params: { FORCED: 'Y' } }, encoding)).toBe(
      true,
    );
    const apology = stages.find((s) => s.STATUS_ID === `C${category}:APOLOGY`) as StatusRow;
    expect(await callOk(url, 'crm.status.delete', { id: apology.ID }, encoding)).toBe(true);
    expect((await stagesOf(`DEAL_STAGE_${category}`)).map((s) => s.STATUS_ID)).not.toContain(
      `C${category}:LOSE`,
    );
  });

  it('refuses to delete a stage that holds records', async () => {
    const category = await newDealPipeline('Занятые стадии');
    const stages = await stagesOf(`DEAL_STAGE_${category}`);
    const executing = stages.find((s) => s.STATUS_ID === `C${category}:EXECUTING`) as StatusRow;
    const item = portal.portal.store.insert(itemKind(2), {
      entityTypeId: 2,
      categoryId: category,
      stageId: executing.STATUS_ID,
    });
    expect(await rawCall(url, 'crm.status.delete', { id: executing.ID })).toEqual(
      legacyError('There are active items in this status.'),
    );
    portal.portal.store.delete(itemKind(2), item.id);
    expect(await callOk(url, 'crm.status.delete', { id: executing.ID })).toBe(true);
  });
});

describe('crm.status.entity.types and entity.items', () => {
  it.each(['json', 'form'] as const)('%s: describes every directory and pipeline', async (encoding) => {
    const category = await newDealPipeline(`Типы ${encoding}`);
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: `Процесс ${encoding}` } });
    const { categories } = await callOk(url, 'crm.category.list', { entityTypeId: type.entityTypeId });
    const types = (await callOk(url, 'crm.status.entity.types', {}, encoding)) as Record<string, unknown>[];
    const byId = new Map(types.map((t) => [t.ID, t]));
    expect(byId.get('SOURCE')).toEqual({ ID: 'SOURCE', NAME: 'Источники' });
    expect(byId.get('DEAL_STAGE')).toEqual({
      ID: 'DEAL_STAGE',
      NAME: 'Стадии сделок (Общая)',
      SEMANTIC_INFO: {
        START_FIELD: 'NEW',
        FINAL_SUCCESS_FIELD: 'WON',
        FINAL_UNSUCCESS_FIELD: 'LOSE',
        FINAL_SORT: 0,
      },
      FIELD_ATTRIBUTE_SCOPE: '',
      ENTITY_TYPE_ID: 2,
      CATEGORY_ID: 0,
    });
    expect(byId.get(`DEAL_STAGE_${category}`)).toMatchObject({
      PARENT_ID: 'DEAL_STAGE',
      PREFIX: `C${category}`,
      FIELD_ATTRIBUTE_SCOPE: `category_${category}`,
      CATEGORY_ID: String(category),
      SEMANTIC_INFO: { START_FIELD: `C${category}:NEW`, FINAL_SUCCESS_FIELD: `C${category}:WON` },
    });
    const c = categories[0] as { id: number; name: string };
    expect(byId.get(`DYNAMIC_${type.entityTypeId}_STAGE_${c.id}`)).toEqual({
      ID: `DYNAMIC_${type.entityTypeId}_STAGE_${c.id}`,
      NAME: `Процесс ${encoding} (Общая)`,
      SEMANTIC_INFO: [],
      PREFIX: `DT${type.entityTypeId}_${c.id}`,
      FIELD_ATTRIBUTE_SCOPE: `category_${c.id}`,
      ENTITY_TYPE_ID: type.entityTypeId,
      IS_ENABLED: true,
      CATEGORY_ID: c.id,
      CATEGORY_NAME: 'Общая',
      CATEGORY_SORT: 500,
      IS_DEFAULT_CATEGORY: true,
    });
  });

  it.each(['json', 'form', 'get'] as const)('%s: lists a directory with integer SORT', async (encoding) => {
    const items = await callOk(url, 'crm.status.entity.items', { entityId: 'DEAL_STAGE' }, encoding);
    expect(items[0]).toEqual({ NAME: 'Новая', SORT: 10, STATUS_ID: 'NEW' });
    expect(items).toHaveLength(8);
    expect(await callOk(url, 'crm.status.entity.items', { entityId: 'NO_SUCH' }, encoding)).toEqual([]);
    expect(await rawCall(url, 'crm.status.entity.items', {}, encoding)).toEqual(
      legacyError('The parameter entityId is not defined or invalid.'),
    );
  });
});
