import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/** 2025-03-10 10:00:00 Moscow. */
const T0 = Date.parse('2025-03-10T07:00:00Z');
const frozen: Clock = { now: () => T0, sleep: async () => {} };

let lab: LocalPortal;
let hook: string;

const call = (
  method: string,
  params: Record<string, unknown> = {},
  encoding: Encoding = 'json',
): Promise<any> => callOk(hook, method, params, encoding);

/** The portal clock in the site format of a Russian portal: `10.03.2025 10:00:00`. */
async function portalNow(): Promise<string> {
  const iso = (await call('b24lab.clock.get')).time as string;
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

beforeAll(async () => {
  lab = await portalForTest({ clock: frozen });
  hook = lab.webhookUrl;
});
afterAll(async () => {
  await lab.close();
});

/** A contract registry: a list with a status (L), a signing date, a signer (employee), an amount. */
async function makeRegistry(code: string, encoding: Encoding) {
  const base = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: code };
  const iblockId = (await call(
    'lists.add',
    { ...base, FIELDS: { NAME: 'Реестр договоров', DESCRIPTION: 'Договоры лаборатории', SORT: 100 } },
    encoding,
  )) as number;
  const status = (await call(
    'lists.field.add',
    {
      ...base,
      FIELDS: {
        NAME: 'Статус',
        TYPE: 'L',
        CODE: 'STATUS',
        IS_REQUIRED: 'Y',
        SORT: 20,
        LIST: { n1: { VALUE: 'Черновик', SORT: 10, DEF: 'Y' }, n2: { VALUE: 'На согласовании', SORT: 20 } },
        LIST_TEXT_VALUES: 'Подписан\nРасторгнут',
      },
    },
    encoding,
  )) as string;
  const signed = (await call(
    'lists.field.add',
    { ...base, FIELDS: { NAME: 'Дата подписания', TYPE: 'S:Date', CODE: 'SIGNED', SORT: 30 } },
    encoding,
  )) as string;
  const signers = (await call(
    'lists.field.add',
    { ...base, FIELDS: { NAME: 'Подписанты', TYPE: 'S:employee', CODE: 'SIGNERS', MULTIPLE: 'Y', SORT: 40 } },
    encoding,
  )) as string;
  const amount = (await call(
    'lists.field.add',
    { ...base, FIELDS: { NAME: 'Сумма', TYPE: 'N', CODE: 'AMOUNT', SORT: 50 } },
    encoding,
  )) as string;
  const fields = (await call('lists.field.get', { ...base, FIELD_ID: status }, encoding)) as {
    L: { DISPLAY_VALUES_FORM: Record<string, string> };
  };
  const enumId = (text: string): number =>
    Number(Object.entries(fields.L.DISPLAY_VALUES_FORM).find(([, v]) => v === text)?.[0]);
  return { base, iblockId, status, signed, signers, amount, enumId };
}

describe.each(['json', 'form'] as const)('lists over %s', (encoding) => {
  it('adds a list and reads it back with lists.get in the portal date format', async () => {
    const now = await portalNow();
    const id = await call(
      'lists.add',
      {
        IBLOCK_TYPE_ID: 'bitrix_processes',
        IBLOCK_CODE: `approvals_${encoding}`,
        FIELDS: { NAME: 'Согласования', BIZPROC: 'Y' },
      },
      encoding,
    );
    expect(id).toEqual(expect.any(Number));
    const answer = await rawCall(
      hook,
      'lists.get',
      { IBLOCK_TYPE_ID: 'bitrix_processes', IBLOCK_CODE: `approvals_${encoding}` },
      encoding,
    );
    expect(answer.body.total).toBe(1);
    expect(answer.body.result[0]).toMatchObject({
      ID: String(id),
      IBLOCK_TYPE_ID: 'bitrix_processes',
      CODE: `approvals_${encoding}`,
      NAME: 'Согласования',
      BIZPROC: 'Y',
      SORT: '500',
      TIMESTAMP_X: now,
      SOCNET_GROUP_ID: null,
    });
    expect(
      await rawCall(
        hook,
        'lists.add',
        { IBLOCK_TYPE_ID: 'bitrix_processes', IBLOCK_CODE: `approvals_${encoding}`, FIELDS: { NAME: 'x' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_IBLOCK_ALREADY_EXISTS', error_description: 'Iblock already exists' },
    });
    expect(await rawCall(hook, 'lists.get', {}, encoding)).toEqual({
      status: 400,
      body: {
        error: 'ERROR_REQUIRED_PARAMETERS_MISSING',
        error_description: 'Required parameter `IBLOCK_TYPE_ID` is missing',
      },
    });
  });

  it('adds fields: PROPERTY_<n> ids, L values, lists.field.get keyed by TYPE with FIELD_ID', async () => {
    const r = await makeRegistry(`contracts_${encoding}`, encoding);
    expect(r.status).toMatch(/^PROPERTY_\d+$/);
    const one = await call('lists.field.get', { ...r.base, FIELD_ID: r.status }, encoding);
    expect(Object.keys(one)).toEqual(['L']);
    expect(one.L).toMatchObject({
      FIELD_ID: r.status,
      SORT: 20,
      NAME: 'Статус',
      IS_REQUIRED: 'Y',
      MULTIPLE: 'N',
      TYPE: 'L',
      PROPERTY_TYPE: 'L',
      PROPERTY_USER_TYPE: false,
      CODE: 'STATUS',
      ID: r.status.replace('PROPERTY_', ''),
      DEFAULT_VALUE: String(r.enumId('Черновик')),
    });
    expect(Object.values(one.L.DISPLAY_VALUES_FORM)).toEqual([
      'Черновик',
      'На согласовании',
      'Подписан',
      'Расторгнут',
    ]);
    const all = await call('lists.field.get', r.base, encoding);
    expect(Object.keys(all)).toEqual(['NAME', r.status, r.signed, r.signers, r.amount]);
    expect(all.NAME).toMatchObject({ FIELD_ID: 'NAME', TYPE: 'NAME', IS_REQUIRED: 'Y' });
    expect(all[r.signed]).toMatchObject({ TYPE: 'S:Date', PROPERTY_USER_TYPE: { USER_TYPE: 'Date' } });
    expect(await call('lists.field.get', { ...r.base, FIELD_ID: 'PROPERTY_999999' }, encoding)).toEqual([]);
  });

  it('answers the field errors', async () => {
    const r = await makeRegistry(`fields_err_${encoding}`, encoding);
    expect(
      await rawCall(
        hook,
        'lists.field.add',
        { ...r.base, FIELDS: { NAME: 'Без кода', TYPE: 'S' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_SAVE_FIELD', error_description: 'Please fill the code fields' },
    });
    expect(
      await rawCall(
        hook,
        'lists.field.add',
        { ...r.base, FIELDS: { NAME: 'Ещё статус', TYPE: 'S', CODE: 'status' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_SAVE_FIELD', error_description: 'Property already exists' },
    });
    expect(
      await rawCall(
        hook,
        'lists.field.add',
        { IBLOCK_TYPE_ID: 'lists', IBLOCK_ID: 999999, FIELDS: { NAME: 'x', TYPE: 'S', CODE: 'X' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_IBLOCK_NOT_FOUND', error_description: 'Iblock not found' },
    });
    // A list of one type is not found under another.
    expect(
      await rawCall(
        hook,
        'lists.field.get',
        { IBLOCK_TYPE_ID: 'bitrix_processes', IBLOCK_ID: r.iblockId },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_IBLOCK_NOT_FOUND' } });
  });

  it('updates a field: name, values; the type cannot change', async () => {
    const r = await makeRegistry(`fields_upd_${encoding}`, encoding);
    const draft = String(r.enumId('Черновик'));
    expect(
      await call(
        'lists.field.update',
        {
          ...r.base,
          FIELD_ID: r.status,
          FIELDS: {
            NAME: 'Состояние',
            TYPE: 'L',
            LIST: { [draft]: { VALUE: 'Проект', SORT: 10 } },
            LIST_TEXT_VALUES: 'Архив',
            LIST_DEF: [draft],
          },
        },
        encoding,
      ),
    ).toBe(true);
    const { L } = await call('lists.field.get', { ...r.base, FIELD_ID: r.status }, encoding);
    expect(L.NAME).toBe('Состояние');
    expect(L.DISPLAY_VALUES_FORM).toEqual({
      [draft]: 'Проект',
      [Object.keys(L.DISPLAY_VALUES_FORM)[1]!]: 'Архив',
    });
    expect(L.DEFAULT_VALUE).toBe(draft);
    expect(
      await rawCall(
        hook,
        'lists.field.update',
        { ...r.base, FIELD_ID: r.status, FIELDS: { NAME: 'x', TYPE: 'S' } },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_UPDATE_FIELD' } });
  });

  it('adds, reads, updates and deletes elements', async () => {
    const r = await makeRegistry(`elements_${encoding}`, encoding);
    const manager = await call('user.add', { EMAIL: `signer.${encoding}@b24lab.local`, UF_DEPARTMENT: [1] });
    const now = await portalNow();
    const id = await call(
      'lists.element.add',
      {
        ...r.base,
        ELEMENT_CODE: 'contract_7',
        FIELDS: {
          NAME: 'Договор №7',
          [r.status]: r.enumId('На согласовании'),
          [r.signed]: '2025-03-01',
          [r.signers]: [1, manager],
          [r.amount]: '150000',
        },
      },
      encoding,
    );
    expect(id).toEqual(expect.any(Number));
    const [row] = await call('lists.element.get', { ...r.base, ELEMENT_ID: id }, encoding);
    expect(row).toMatchObject({
      ID: String(id),
      NAME: 'Договор №7',
      CODE: 'contract_7',
      IBLOCK_SECTION_ID: null,
      CREATED_BY: '1',
      DATE_CREATE: now,
    });
    const single = (key: string): string[] => Object.values(row[key] as Record<string, string>);
    expect(single(r.status)).toEqual([String(r.enumId('На согласовании'))]);
    expect(single(r.signed)).toEqual(['01.03.2025']);
    expect(single(r.signers)).toEqual(['1', String(manager)]);
    expect(single(r.amount)).toEqual(['150000']);
    // Keys are value-row ids, distinct per value.
    expect(Object.keys(row[r.signers])).toHaveLength(2);

    const selected = await call(
      'lists.element.get',
      { ...r.base, ELEMENT_CODE: 'contract_7', SELECT: ['ID', 'NAME', r.amount] },
      encoding,
    );
    expect(selected).toEqual([{ ID: String(id), NAME: 'Договор №7', [r.amount]: row[r.amount] }]);

    await call('b24lab.clock.advance', { days: 1 });
    expect(
      await call(
        'lists.element.update',
        {
          ...r.base,
          ELEMENT_ID: id,
          FIELDS: { NAME: 'Договор №7 (подписан)', [r.status]: r.enumId('Подписан') },
        },
        encoding,
      ),
    ).toBe(true);
    const [after] = await call('lists.element.get', { ...r.base, ELEMENT_ID: id }, encoding);
    expect(after).toMatchObject({ NAME: 'Договор №7 (подписан)', DATE_CREATE: row.DATE_CREATE });
    expect(after.TIMESTAMP_X).not.toBe(row.TIMESTAMP_X);
    // The update overwrites the element: properties not given are cleared.
    expect(after).not.toHaveProperty(r.amount);
    expect(Object.values(after[r.status])).toEqual([String(r.enumId('Подписан'))]);

    expect(await call('lists.element.delete', { ...r.base, ELEMENT_ID: id }, encoding)).toBe(true);
    expect(await call('lists.element.get', { ...r.base, ELEMENT_ID: id }, encoding)).toEqual([]);
    expect(
      await rawCall(
        hook,
        'lists.element.update',
        { ...r.base, ELEMENT_ID: id, FIELDS: { NAME: 'x' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_ELEMENT_NOT_FOUND', error_description: 'Element not found' },
    });
  });

  it('answers the element errors', async () => {
    const r = await makeRegistry(`elements_err_${encoding}`, encoding);
    const ok = { NAME: 'Договор', [r.status]: r.enumId('Черновик') };
    await call('lists.element.add', { ...r.base, ELEMENT_CODE: 'c1', FIELDS: ok }, encoding);
    expect(
      await rawCall(hook, 'lists.element.add', { ...r.base, ELEMENT_CODE: 'c1', FIELDS: ok }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_ELEMENT_ALREADY_EXISTS', error_description: 'Element already exists' },
    });
    expect(await rawCall(hook, 'lists.element.add', { ...r.base, FIELDS: ok }, encoding)).toEqual({
      status: 400,
      body: {
        error: 'ERROR_REQUIRED_PARAMETERS_MISSING',
        error_description: 'Required parameter `ELEMENT_CODE` is missing',
      },
    });
    expect(
      await rawCall(
        hook,
        'lists.element.add',
        { ...r.base, ELEMENT_CODE: 'c2', FIELDS: { CODE: 'x' } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: {
        error: 'ERROR_ADD_ELEMENT',
        error_description: 'The "Название" field is required.<br>The "Статус" field is required.<br>',
      },
    });
    expect(
      await rawCall(
        hook,
        'lists.element.add',
        { ...r.base, ELEMENT_CODE: 'c3', FIELDS: { NAME: 'x', [r.status]: 123456 } },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_ELEMENT_FIELD_VALUE' } });
    expect(
      await rawCall(
        hook,
        'lists.element.get',
        { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'no_such_list' },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_IBLOCK_NOT_FOUND' } });
  });
});

describe('lists.element.get filters, order and paging', () => {
  let r: Awaited<ReturnType<typeof makeRegistry>>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    await call('b24lab.clock.set', { time: '2025-04-01T10:00:00+03:00' });
    r = await makeRegistry('paging', 'json');
    const add = async (code: string, name: string, status: string, amount: number): Promise<void> => {
      ids[code] = await call('lists.element.add', {
        ...r.base,
        ELEMENT_CODE: code,
        FIELDS: { NAME: name, [r.status]: r.enumId(status), [r.amount]: amount },
      });
    };
    await add('a', 'Договор поставки', 'Подписан', 300);
    await add('b', 'Договор аренды', 'Черновик', 100);
    await call('b24lab.clock.advance', { days: 3 });
    await add('c', 'Соглашение о конфиденциальности', 'Подписан', 200);
  });

  const codes = async (params: Record<string, unknown>, encoding: Encoding = 'json'): Promise<string[]> =>
    (
      (await call('lists.element.get', { ...r.base, SELECT: ['CODE'], ...params }, encoding)) as {
        CODE: string;
      }[]
    ).map((e) => e.CODE);

  it.each(['json', 'form'] as const)('%s: FILTER with prefixes and patterns', async (encoding) => {
    expect(await codes({ FILTER: { [r.status]: r.enumId('Подписан') } }, encoding)).toEqual(['a', 'c']);
    expect(await codes({ FILTER: { [`PROPERTY_STATUS`]: r.enumId('Черновик') } }, encoding)).toEqual(['b']);
    expect(await codes({ FILTER: { [`>=${r.amount}`]: 200 } }, encoding)).toEqual(['a', 'c']);
    expect(await codes({ FILTER: { NAME: '%Договор%' } }, encoding)).toEqual(['a', 'b']);
    expect(await codes({ FILTER: { '%NAME': 'аренд' } }, encoding)).toEqual(['b']);
    expect(await codes({ FILTER: { '!CODE': 'a', '<=DATE_CREATE': '02.04.2025' } }, encoding)).toEqual(['b']);
    expect(await codes({ FILTER: { '>DATE_CREATE': '04/02/2025 00:00:00' } }, encoding)).toEqual(['c']);
    expect(await codes({ FILTER: { '=ID': [ids.a, ids.c] } }, encoding)).toEqual(['a', 'c']);
  });

  it('orders by ELEMENT_ORDER, including a property', async () => {
    expect(await codes({ ELEMENT_ORDER: { [r.amount]: 'desc' } })).toEqual(['a', 'c', 'b']);
    expect(await codes({ ELEMENT_ORDER: { NAME: 'asc' } })).toEqual(['b', 'a', 'c']);
    expect(await codes({ ELEMENT_ORDER: { ID: 'DESC' } })).toEqual(['c', 'b', 'a']);
  });

  it('pages by 50 with total and next', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 48; i++) {
      cmd[`e${i}`] =
        `lists.element.add?IBLOCK_TYPE_ID=lists&IBLOCK_ID=${r.iblockId}&ELEMENT_CODE=bulk_${i}` +
        `&FIELDS[NAME]=Пачка ${i}&FIELDS[${r.status}]=${r.enumId('Черновик')}`;
    }
    await callOk(hook, 'batch', { halt: 1, cmd });
    const first = await rawCall(hook, 'lists.element.get', { ...r.base, SELECT: ['ID'] });
    expect(first.body).toMatchObject({ total: 51, next: 50 });
    const second = await rawCall(hook, 'lists.element.get', { ...r.base, SELECT: ['ID'], start: 50 });
    expect(second.body.result).toHaveLength(1);
  });

  it('stores a file property from [name, base64] and refuses a file id', async () => {
    const file = await call('lists.field.add', {
      ...r.base,
      FIELDS: { NAME: 'Скан', TYPE: 'F', CODE: 'SCAN' },
    });
    const id = await call('lists.element.add', {
      ...r.base,
      ELEMENT_CODE: 'with_scan',
      FIELDS: {
        NAME: 'Со сканом',
        [r.status]: r.enumId('Черновик'),
        [file]: ['скан.pdf', Buffer.from('%PDF').toString('base64')],
      },
    });
    const [row] = await call('lists.element.get', { ...r.base, ELEMENT_ID: id, SELECT: [file] });
    expect(Object.values(row[file])).toEqual([expect.stringMatching(/^\d+$/)]);
    expect(
      await rawCall(hook, 'lists.element.add', {
        ...r.base,
        ELEMENT_CODE: 'scan_by_id',
        FIELDS: { NAME: 'x', [r.status]: r.enumId('Черновик'), [file]: '42' },
      }),
    ).toEqual({
      status: 400,
      body: {
        error: 'ERROR_ELEMENT_FIELD_VALUE',
        error_description: 'Writing file values by ID is not supported',
      },
    });
  });

  it('lets only an administrator create a list', async () => {
    const userId = await call('user.add', { EMAIL: 'not.admin@b24lab.local', UF_DEPARTMENT: [1] });
    const token = await call('b24lab.oauth.issue', { userId });
    const answer = await rawCall(`${lab.url}/rest/`, 'lists.add', {
      auth: token.access_token,
      IBLOCK_TYPE_ID: 'lists',
      IBLOCK_CODE: 'forbidden',
      FIELDS: { NAME: 'Нельзя' },
    });
    expect(answer).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied' },
    });
  });
});
