import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { seedRecords } from '../../src/emulator/crm/records.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/** crm.stagehistory.list and crm.timeline.comment.* over real HTTP (reference §6.11; docs pages cited in src). */

let lp: LocalPortal;
let url: string;
const ENCODINGS = ['json', 'form'] as const;

beforeAll(async () => {
  lp = await portalForTest();
  url = lp.webhookUrl;
  await callOk(url, 'b24lab.clock.set', { time: '2026-05-04T08:00:00+03:00' });
});
afterAll(async () => {
  await lp.close();
});

describe('crm.stagehistory.list', () => {
  it.each(ENCODINGS)('%s: creation, moves and final stages, in the documented fields', async (enc) => {
    const id = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'История' } }, enc);
    await callOk(url, 'b24lab.clock.advance', { days: 2 });
    await callOk(url, 'crm.deal.update', { id, fields: { STAGE_ID: 'PREPARATION' } }, enc);
    await callOk(url, 'crm.deal.update', { id, fields: { TITLE: 'История (без смены стадии)' } }, enc);
    await callOk(url, 'b24lab.clock.advance', { days: 1 });
    await callOk(url, 'crm.deal.update', { id, fields: { STAGE_ID: 'LOSE' } }, enc);
    const answer = await rawCall(
      url,
      'crm.stagehistory.list',
      { entityTypeId: 2, filter: { OWNER_ID: id }, order: { ID: 'ASC' } },
      enc,
    );
    expect(answer.body.total).toBe(3);
    const items = answer.body.result.items as Record<string, unknown>[];
    expect(items.map((r) => [r.TYPE_ID, r.STAGE_ID, r.STAGE_SEMANTIC_ID, r.CATEGORY_ID, r.OWNER_ID])).toEqual(
      [
        [1, 'NEW', 'P', 0, id],
        [2, 'PREPARATION', 'P', 0, id],
        [3, 'LOSE', 'F', 0, id],
      ],
    );
    expect(Object.keys(items[0]!)).toEqual([
      'ID',
      'TYPE_ID',
      'OWNER_ID',
      'CREATED_TIME',
      'CATEGORY_ID',
      'STAGE_SEMANTIC_ID',
      'STAGE_ID',
    ]);
    expect(typeof items[0]!.ID).toBe('number');
    expect(items[1]!.CREATED_TIME).toMatch(/^2026-05-0[67]T08:00:\d\d\+03:00$/);
    // filter on time and type, select, order DESC
    const finals = await callOk(
      url,
      'crm.stagehistory.list',
      {
        entityTypeId: 2,
        filter: { OWNER_ID: id, '>=CREATED_TIME': items[2]!.CREATED_TIME, '@TYPE_ID': [2, 3] },
        select: ['STAGE_ID', 'TYPE_ID'],
        order: { ID: 'DESC' },
      },
      enc,
    );
    expect(finals.items).toEqual([{ STAGE_ID: 'LOSE', TYPE_ID: 3 }]);
    await callOk(url, 'b24lab.clock.set', { time: '2026-05-04T08:00:00+03:00' });
  });

  it('smart-process items have their own history; deleting a record removes its history', async () => {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: 'Заявки', isStagesEnabled: 'Y' } });
    const { item } = await callOk(url, 'crm.item.add', { entityTypeId: type.entityTypeId, fields: {} });
    const rows = await callOk(url, 'crm.stagehistory.list', { entityTypeId: type.entityTypeId });
    expect(rows.items).toEqual([
      expect.objectContaining({
        TYPE_ID: 1,
        OWNER_ID: item.id,
        STAGE_ID: item.stageId,
        CATEGORY_ID: item.categoryId,
      }),
    ]);
    await callOk(url, 'crm.item.delete', { entityTypeId: type.entityTypeId, id: item.id });
    expect((await callOk(url, 'crm.stagehistory.list', { entityTypeId: type.entityTypeId })).items).toEqual(
      [],
    );
  });

  it('pages over more than 50 rows, also with start=-1', () => {
    seedRecords(
      lp.portal,
      2,
      Array.from({ length: 60 }, () => ({ sourceId: 'HISTORY' })),
    );
    return (async () => {
      const first = await rawCall(url, 'crm.stagehistory.list', { entityTypeId: 2, order: { ID: 'ASC' } });
      expect(first.body.result.items).toHaveLength(50);
      expect(first.body.next).toBe(50);
      const fast = await rawCall(url, 'crm.stagehistory.list', {
        entityTypeId: 2,
        filter: { '>ID': first.body.result.items[49].ID },
        start: -1,
      });
      expect(fast.body).not.toHaveProperty('next');
      expect(fast.body.result.items.length).toBe(first.body.total - 50);
    })();
  });

  it('leads: an empty list (the local portal keeps no leads)', async () => {
    expect(await callOk(url, 'crm.stagehistory.list', { entityTypeId: 1 })).toEqual({ items: [] });
  });

  it.each([
    [{}, 100, 'Could not find value for parameter {entityTypeId}'],
    [{ entityTypeId: 3 }, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type CONTACT is not supported'],
    [
      { entityTypeId: 2, filter: { TITLE: 'x' } },
      'INVALID_ARG_VALUE',
      "Invalid filter: field 'TITLE' is not allowed in filter",
    ],
    [
      { entityTypeId: 2, order: { TITLE: 'ASC' } },
      'INVALID_ARG_VALUE',
      "Invalid order: field 'TITLE' is not allowed in order",
    ],
    [
      { entityTypeId: 2, order: { ID: 'SIDEWAYS' } },
      'INVALID_ARG_VALUE',
      "Invalid order: allowed sort directions are ASC, DESC. But got 'SIDEWAYS' for field 'ID'",
    ],
  ])('%j -> %s', async (params, code, description) => {
    for (const enc of ENCODINGS) {
      expect(await rawCall(url, 'crm.stagehistory.list', params, enc)).toEqual({
        status: 400,
        body: { error: code, error_description: description },
      });
    }
  });
});

describe('crm.timeline.comment.*', () => {
  const gif = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';

  it.each(ENCODINGS)('%s: add, get, list, update, delete on a deal', async (enc) => {
    const deal = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'С комментариями' } }, enc);
    const id = await callOk(
      url,
      'crm.timeline.comment.add',
      {
        fields: {
          ENTITY_ID: deal,
          ENTITY_TYPE: 'deal',
          COMMENT: 'Заказчик подтвердил объём',
          FILES: [['1.gif', gif]],
        },
      },
      enc,
    );
    expect(typeof id).toBe('number');
    const comment = await callOk(url, 'crm.timeline.comment.get', { id }, enc);
    expect(comment).toMatchObject({
      ID: String(id),
      ENTITY_ID: String(deal),
      ENTITY_TYPE: 'deal',
      COMMENT: 'Заказчик подтвердил объём',
      AUTHOR_ID: '1',
    });
    expect(comment.CREATED).toMatch(/^2026-05-04T08:00:\d\d\+03:00$/);
    const files = Object.values<{ name: string; urlDownload: string }>(comment.FILES);
    expect(files).toEqual([
      expect.objectContaining({
        name: '1.gif',
        type: 'image',
        size: 43,
        authorId: 1,
        authorName: 'Администратор Портала',
      }),
    ]);
    const download = await fetch(files[0]!.urlDownload);
    expect(Buffer.from(await download.arrayBuffer()).toString('base64')).toBe(gif);

    const second = await callOk(
      url,
      'crm.timeline.comment.add',
      { fields: { ENTITY_ID: deal, ENTITY_TYPE: 'DEAL', COMMENT: 'Второй', AUTHOR_ID: 1 } },
      enc,
    );
    const list = await rawCall(
      url,
      'crm.timeline.comment.list',
      {
        filter: { ENTITY_ID: deal, ENTITY_TYPE: 'deal' },
        order: { ID: 'DESC' },
        select: ['ID', 'COMMENT', 'FILES'],
      },
      enc,
    );
    expect(list.body.total).toBe(2);
    expect(list.body.result).toEqual([
      { ID: String(second), COMMENT: 'Второй', FILES: {} },
      { ID: String(id), COMMENT: 'Заказчик подтвердил объём', FILES: comment.FILES },
    ]);

    expect(
      await callOk(
        url,
        'crm.timeline.comment.update',
        { id: second, fields: { COMMENT: 'Исправлено' } },
        enc,
      ),
    ).toBe(second);
    expect((await callOk(url, 'crm.timeline.comment.get', { id: second }, enc)).COMMENT).toBe('Исправлено');
    expect(
      await callOk(url, 'crm.timeline.comment.delete', { id: second, ownerTypeId: 2, ownerId: deal }, enc),
    ).toBeNull();
    expect((await rawCall(url, 'crm.timeline.comment.get', { id: second }, enc)).body).toEqual({
      error: '',
      error_description: 'Not found.',
    });
  });

  it('comments on contacts, companies and smart-process items', async () => {
    const contact = await callOk(url, 'crm.contact.add', { fields: { NAME: 'Нина' } });
    const company = await callOk(url, 'crm.company.add', { fields: { TITLE: 'ООО «Керн»' } });
    const { type } = await callOk(url, 'crm.type.add', { fields: { title: 'Пробы' } });
    const { item } = await callOk(url, 'crm.item.add', { entityTypeId: type.entityTypeId, fields: {} });
    for (const [entityType, entityId] of [
      ['contact', contact],
      ['company', company],
      [`dynamic_${type.entityTypeId}`, item.id],
    ] as const) {
      const id = await callOk(url, 'crm.timeline.comment.add', {
        fields: { ENTITY_ID: entityId, ENTITY_TYPE: entityType, COMMENT: 'Проверено' },
      });
      expect(await callOk(url, 'crm.timeline.comment.get', { id })).toMatchObject({
        ENTITY_TYPE: entityType,
        ENTITY_ID: String(entityId),
      });
    }
    // Deleting the record deletes its comments.
    await callOk(url, 'crm.contact.delete', { id: contact });
    expect(
      (
        await rawCall(url, 'crm.timeline.comment.list', {
          filter: { ENTITY_ID: contact, ENTITY_TYPE: 'contact' },
        })
      ).body.error,
    ).toBe('OWNER_NOT_FOUND');
  });

  it.each([
    [
      'crm.timeline.comment.add',
      { FIELDS: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'x' } },
      100,
      'Could not find value for parameter {fields}',
    ],
    [
      'crm.timeline.comment.add',
      { fields: { ENTITY_ID: 999999, ENTITY_TYPE: 'deal', COMMENT: 'x' } },
      'OWNER_NOT_FOUND',
      'Owner of the element not found',
    ],
    [
      'crm.timeline.comment.add',
      { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'lead', COMMENT: 'x' } },
      'OWNER_NOT_FOUND',
      'Owner of the element not found',
    ],
    [
      'crm.timeline.comment.add',
      { fields: { ENTITY_ID: 'DEAL_ID', ENTITY_TYPE: 'deal', COMMENT: '  ' } },
      'INVALID_ARG_VALUE',
      'Empty comment',
    ],
    ['crm.timeline.comment.get', { id: 999999 }, '', 'Not found.'],
    ['crm.timeline.comment.get', {}, '', 'ID is not defined or invalid.'],
    ['crm.timeline.comment.update', { id: 999999, fields: { COMMENT: 'x' } }, 'NOT_FOUND', 'Not found.'],
    [
      'crm.timeline.comment.update',
      { id: 'COMMENT_ID', fields: { COMMENT: '' } },
      'INVALID_ARG_VALUE',
      'Empty comment',
    ],
    ['crm.timeline.comment.delete', { id: 999999 }, 'NOT_FOUND', 'Not found.'],
    ['crm.timeline.comment.delete', {}, 100, 'Could not find value for parameter {id}'],
    [
      'crm.timeline.comment.list',
      { filter: { ENTITY_TYPE: 'deal' } },
      '',
      'The filter must contain ENTITY_ID and ENTITY_TYPE.',
    ],
  ])('%s %j -> %s', async (method, params, code, description) => {
    const deal = await callOk(url, 'crm.deal.add', { fields: {} });
    const comment = await callOk(url, 'crm.timeline.comment.add', {
      fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: 'Исходный' },
    });
    const body = JSON.parse(
      JSON.stringify(params).replace('"DEAL_ID"', String(deal)).replace('"COMMENT_ID"', String(comment)),
    ) as Record<string, unknown>;
    for (const enc of ENCODINGS) {
      expect(await rawCall(url, method, body, enc)).toEqual({
        status: 400,
        body: { error: code, error_description: description },
      });
    }
  });
});
