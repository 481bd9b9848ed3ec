import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/**
 * A smart-process item changes direction with crm.item.update (crm/universal/crm-item-update.md, SPA:
 * categoryId + stageId), as move_stage `direction:` and copy_item rely on; items are found by their
 * xmlId and their deal (parentId2), as create_item's check after a crash and children_finished do.
 */
let lp: LocalPortal;
let url: string;
let entityTypeId: number;
let first: number;
let second: number;

beforeAll(async () => {
  lp = await portalForTest();
  url = lp.webhookUrl;
  const { type } = await callOk(url, 'crm.type.add', {
    fields: {
      title: 'Лаборатория',
      isCategoriesEnabled: 'Y',
      isStagesEnabled: 'Y',
      relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] },
    },
  });
  entityTypeId = type.entityTypeId;
  first = (await callOk(url, 'crm.category.add', { entityTypeId, fields: { name: 'ГТИ' } })).category.id;
  second = (await callOk(url, 'crm.category.add', { entityTypeId, fields: { name: 'Аналитика' } })).category
    .id;
});
afterAll(async () => {
  await lp?.close();
});

const stage = (category: number, code: string): string => `DT${entityTypeId}_${category}:${code}`;

describe.each(['json', 'form'] as const)('crm.item.update into another direction (%s)', (encoding) => {
  const add = async (fields: Record<string, unknown>): Promise<{ id: number }> => {
    const answer = await rawCall(url, 'crm.item.add', { entityTypeId, fields }, encoding);
    expect(answer.status).toBe(200);
    return answer.body.result.item as { id: number };
  };
  const update = (id: number, fields: Record<string, unknown>) =>
    rawCall(url, 'crm.item.update', { entityTypeId, id, fields }, encoding);

  it('categoryId alone: the first stage of the new direction; with stageId: that stage', async () => {
    const deal = Number(await callOk(url, 'crm.deal.add', { fields: { TITLE: `Сделка ${encoding}` } }));
    const item = await add({
      title: 'Проект',
      categoryId: first,
      parentId2: deal,
      xmlId: `b24lab#${encoding}`,
    });
    const moved = await update(item.id, { categoryId: second });
    expect(moved.status).toBe(200);
    expect(moved.body.result.item).toMatchObject({
      categoryId: second,
      stageId: stage(second, 'NEW'),
      parentId2: deal,
    });
    const placed = await update(item.id, { categoryId: first, stageId: stage(first, 'PREPARATION') });
    expect(placed.body.result.item).toMatchObject({
      categoryId: first,
      stageId: stage(first, 'PREPARATION'),
    });

    // Found by its marker and by its deal.
    const byMarker = await rawCall(
      url,
      'crm.item.list',
      { entityTypeId, filter: { xmlId: `b24lab#${encoding}` }, select: ['id'] },
      encoding,
    );
    expect(byMarker.body.result.items).toEqual([expect.objectContaining({ id: item.id })]);
    const byDeal = await rawCall(
      url,
      'crm.item.list',
      { entityTypeId, filter: { parentId2: deal }, select: ['id', 'categoryId', 'stageId'] },
      encoding,
    );
    expect(byDeal.body.result.items).toEqual([
      expect.objectContaining({ id: item.id, categoryId: first, stageId: stage(first, 'PREPARATION') }),
    ]);
  });

  it('a stage of another direction than the one given (or kept) is refused, the item unchanged', async () => {
    const item = await add({ title: 'Проект 2', categoryId: first });
    for (const fields of [
      { categoryId: second, stageId: stage(first, 'NEW') },
      { stageId: stage(second, 'NEW') },
      { categoryId: 99999 },
    ]) {
      const answer = await update(item.id, fields);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('CRM_FIELD_ERROR_VALUE_NOT_VALID');
    }
    const { item: now } = await callOk(url, 'crm.item.get', { entityTypeId, id: item.id });
    expect(now).toMatchObject({ categoryId: first, stageId: stage(first, 'NEW') });
  });
});
