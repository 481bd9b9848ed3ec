/**
 * The local portal's lists.update, lists.delete and lists.field.delete (lists/lists/lists-update.md,
 * lists-delete.md, lists/fields/lists-field-delete.md), in both body encodings, with their errors; and
 * the default USER_TYPE_SETTINGS of a crm field (lists-field-add.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let lab: LocalPortal;
let hook: string;
const call = (method: string, params: Record<string, unknown>, encoding: Encoding = 'json'): Promise<any> =>
  callOk(hook, method, params, encoding);

beforeAll(async () => {
  lab = await portalForTest();
  hook = lab.webhookUrl;
});
afterAll(async () => {
  await lab.close();
});

async function registry(code: string, encoding: Encoding) {
  const base = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: code };
  await call('lists.add', { ...base, FIELDS: { NAME: 'Реестр', SORT: 100 } }, encoding);
  const amount = (await call(
    'lists.field.add',
    { ...base, FIELDS: { NAME: 'Сумма', TYPE: 'N', CODE: 'AMOUNT' } },
    encoding,
  )) as string;
  const element = (await call(
    'lists.element.add',
    { ...base, ELEMENT_CODE: 'c1', FIELDS: { NAME: 'Д-1', [amount]: 1500 } },
    encoding,
  )) as number;
  return { base, amount, element };
}

describe.each(['json', 'form'] as const)('lists management (%s)', (encoding) => {
  it('lists.update renames the list and keeps its code; NAME is required', async () => {
    const { base } = await registry(`upd-${encoding}`, encoding);
    expect(
      await call('lists.update', { ...base, FIELDS: { NAME: 'Реестр договоров', SORT: 200 } }, encoding),
    ).toBe(true);
    const [row] = await call('lists.get', base, encoding);
    expect(row).toMatchObject({ NAME: 'Реестр договоров', SORT: '200', CODE: `upd-${encoding}` });

    const noName = await rawCall(hook, 'lists.update', { ...base, FIELDS: { SORT: 5 } }, encoding);
    expect(noName.status).toBe(400);
    expect(noName.body.error).toBe('ERROR_UPDATE_IBLOCK');
    const missing = await rawCall(
      hook,
      'lists.update',
      { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'nope', FIELDS: { NAME: 'X' } },
      encoding,
    );
    expect(missing.body.error).toBe('ERROR_IBLOCK_NOT_FOUND');
    const noFields = await rawCall(hook, 'lists.update', base, encoding);
    expect(noFields.body.error).toBe('ERROR_REQUIRED_PARAMETERS_MISSING');
  });

  it('lists.field.delete removes the property and its values from the elements', async () => {
    const { base, amount, element } = await registry(`fdel-${encoding}`, encoding);
    const [before] = await call('lists.element.get', { ...base, ELEMENT_ID: element }, encoding);
    expect(Object.values(before[amount] as Record<string, string>)).toEqual(['1500']);

    expect(await call('lists.field.delete', { ...base, FIELD_ID: amount }, encoding)).toBe(true);
    const fields = await call('lists.field.get', base, encoding);
    expect(Object.keys(fields)).toEqual(['NAME']);
    const [after] = await call('lists.element.get', { ...base, ELEMENT_ID: element }, encoding);
    expect(after).not.toHaveProperty(amount);
    expect(after.NAME).toBe('Д-1');

    const noId = await rawCall(hook, 'lists.field.delete', base, encoding);
    expect(noId.body.error).toBe('ERROR_REQUIRED_PARAMETERS_MISSING');
    const noList = await rawCall(
      hook,
      'lists.field.delete',
      { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'nope', FIELD_ID: amount },
      encoding,
    );
    expect(noList.body.error).toBe('ERROR_IBLOCK_NOT_FOUND');
  });

  it('a crm field keeps every switch of USER_TYPE_SETTINGS, N unless given', async () => {
    const { base } = await registry(`crm-${encoding}`, encoding);
    await call(
      'lists.field.add',
      {
        ...base,
        FIELDS: { NAME: 'Сделка', TYPE: 'S:ECrm', CODE: 'DEAL', USER_TYPE_SETTINGS: { DEAL: 'Y' } },
      },
      encoding,
    );
    await call(
      'lists.field.add',
      { ...base, FIELDS: { NAME: 'Клиент', TYPE: 'S:ECrm', CODE: 'CLIENT' } },
      encoding,
    );
    const fields = Object.values<{ CODE?: string; USER_TYPE_SETTINGS?: unknown }>(
      await call('lists.field.get', base, encoding),
    );
    expect(fields.find((f) => f.CODE === 'DEAL')?.USER_TYPE_SETTINGS).toEqual({
      VISIBLE: 'N',
      LEAD: 'N',
      CONTACT: 'N',
      COMPANY: 'N',
      DEAL: 'Y',
    });
    expect(fields.find((f) => f.CODE === 'CLIENT')?.USER_TYPE_SETTINGS).toEqual({
      VISIBLE: 'N',
      LEAD: 'N',
      CONTACT: 'N',
      COMPANY: 'N',
      DEAL: 'N',
    });
  });

  it('lists.delete removes the list with its elements', async () => {
    const { base, element } = await registry(`del-${encoding}`, encoding);
    expect(await call('lists.delete', base, encoding)).toBe(true);
    expect(await call('lists.get', base, encoding)).toEqual([]);
    const gone = await rawCall(hook, 'lists.element.get', { ...base, ELEMENT_ID: element }, encoding);
    expect(gone.body.error).toBe('ERROR_IBLOCK_NOT_FOUND');
  });
});
