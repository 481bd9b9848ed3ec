import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { seedRecords } from '../../src/emulator/crm/records.js';
import { buildPhpQuery } from '../../src/emulator/protocol/php-params.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/**
 * Legacy CRM record methods over real HTTP: crm.deal.*, crm.contact.*, crm.company.*,
 * crm.deal.contact.* (reference/bitrix24-rest.md §6.5-6.6, §2.4).
 */

let lp: LocalPortal;
let url: string;
const ENCODINGS = ['json', 'form'] as const;

/** A datetime of the portal clock set below (the clock keeps running, so seconds may differ). */
const AT_START = /^2026-03-02T10:00:\d\d\+03:00$/;

beforeAll(async () => {
  lp = await portalForTest();
  url = lp.webhookUrl;
  await callOk(url, 'b24lab.clock.set', { time: '2026-03-02T10:00:00+03:00' });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: {
      FIELD_NAME: 'DIRECTION',
      USER_TYPE_ID: 'enumeration',
      EDIT_FORM_LABEL: 'Направление',
      LIST: [{ VALUE: 'ГТИ' }, { VALUE: 'Керн', DEF: 'Y' }],
    },
  });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'PAID_AMOUNT', USER_TYPE_ID: 'money', EDIT_FORM_LABEL: 'Оплачено' },
  });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'WELLS', USER_TYPE_ID: 'string', MULTIPLE: 'Y', EDIT_FORM_LABEL: 'Скважины' },
  });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'SIGNED', USER_TYPE_ID: 'boolean', EDIT_FORM_LABEL: 'Подписан' },
  });
  await callOk(url, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'ACT', USER_TYPE_ID: 'file', EDIT_FORM_LABEL: 'Акт' },
  });
});
afterAll(async () => {
  await lp.close();
});

describe('crm.deal add/get/update/delete', () => {
  it.each(ENCODINGS)('%s: a new deal gets the documented defaults, all scalars as strings', async (enc) => {
    const id = await callOk(url, 'crm.deal.add', { fields: { OPPORTUNITY: 150000 } }, enc);
    expect(typeof id).toBe('number');
    const deal = await callOk(url, 'crm.deal.get', { id }, enc);
    expect(deal).toMatchObject({
      ID: String(id),
      TITLE: `Сделка #${id}`,
      TYPE_ID: 'SALE',
      CATEGORY_ID: '0',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      IS_NEW: 'Y',
      CURRENCY_ID: 'RUB',
      OPPORTUNITY: '150000.00',
      TAX_VALUE: '0.00',
      PROBABILITY: null,
      COMPANY_ID: null,
      CONTACT_ID: null,
      LEAD_ID: null,
      OPENED: 'Y',
      CLOSED: 'N',
      ASSIGNED_BY_ID: '1',
      CREATED_BY_ID: '1',
      MODIFY_BY_ID: '1',
      MOVED_BY_ID: '1',
      SOURCE_ID: 'CALL',
      BEGINDATE: '2026-03-02T03:00:00+03:00',
      CLOSEDATE: '2026-03-09T03:00:00+03:00',
      UF_CRM_DIRECTION: '2',
      UF_CRM_PAID_AMOUNT: null,
      UF_CRM_WELLS: [],
      UF_CRM_SIGNED: '0',
      UF_CRM_ACT: null,
    });
    expect(deal.DATE_CREATE).toMatch(AT_START);
    expect(deal.MOVED_TIME).toBe(deal.DATE_CREATE);
    expect(deal).not.toHaveProperty('CONTACT_IDS');
  });

  it.each(ENCODINGS)('%s: update keeps the portal clock in DATE_MODIFY and MOVED_TIME', async (enc) => {
    const id = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'Бурение скв. 12' } }, enc);
    await callOk(url, 'b24lab.clock.advance', { days: 16 });
    expect(
      await callOk(url, 'crm.deal.update', { id, fields: { STAGE_ID: 'WON', UNKNOWN_FIELD: 1 } }, enc),
    ).toBe(true);
    const deal = await callOk(url, 'crm.deal.get', { id }, enc);
    expect(deal).toMatchObject({ STAGE_ID: 'WON', STAGE_SEMANTIC_ID: 'S', CLOSED: 'Y', IS_NEW: 'N' });
    expect(deal.DATE_CREATE).toMatch(/^2026-03-02T/);
    expect(deal.DATE_MODIFY).toMatch(/^2026-03-18T10:00:\d\d\+03:00$/);
    expect(deal.MOVED_TIME).toBe(deal.DATE_MODIFY);
    await callOk(url, 'b24lab.clock.set', { time: '2026-03-02T10:00:00+03:00' });
    // A failure stage: semantic F, still closed.
    await callOk(url, 'crm.deal.update', { id, fields: { STAGE_ID: 'LOSE' } }, enc);
    expect(await callOk(url, 'crm.deal.get', { id }, enc)).toMatchObject({
      STAGE_SEMANTIC_ID: 'F',
      CLOSED: 'Y',
    });
  });

  it('an update without a change saves nothing: DATE_MODIFY stays', async () => {
    const id = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'Без изменений' } });
    const before = await callOk(url, 'crm.deal.get', { id });
    await callOk(url, 'b24lab.clock.advance', { hours: 2 });
    await callOk(url, 'crm.deal.update', { id, fields: { TITLE: 'Без изменений' } });
    expect((await callOk(url, 'crm.deal.get', { id })).DATE_MODIFY).toBe(before.DATE_MODIFY);
    await callOk(url, 'b24lab.clock.set', { time: '2026-03-02T10:00:00+03:00' });
  });

  it('a stage of another pipeline sets the pipeline on add; CATEGORY_ID is immutable in update', async () => {
    const { category } = await callOk(url, 'crm.category.add', {
      entityTypeId: 2,
      fields: { name: 'Сервис' },
    });
    const id = await callOk(url, 'crm.deal.add', { fields: { STAGE_ID: `C${category.id}:EXECUTING` } });
    expect(await callOk(url, 'crm.deal.get', { id })).toMatchObject({
      CATEGORY_ID: String(category.id),
      STAGE_ID: `C${category.id}:EXECUTING`,
    });
    const other = await callOk(url, 'crm.deal.add', { fields: { CATEGORY_ID: category.id } });
    expect(await callOk(url, 'crm.deal.get', { id: other })).toMatchObject({
      CATEGORY_ID: String(category.id),
      STAGE_ID: `C${category.id}:NEW`,
    });
    await callOk(url, 'crm.deal.update', { id: other, fields: { CATEGORY_ID: 0, TITLE: 'Остаётся' } });
    expect(await callOk(url, 'crm.deal.get', { id: other })).toMatchObject({
      CATEGORY_ID: String(category.id),
      TITLE: 'Остаётся',
    });
    // A stage of the default pipeline is not a stage of this deal's pipeline.
    expect(await rawCall(url, 'crm.deal.update', { id: other, fields: { STAGE_ID: 'WON' } })).toEqual({
      status: 400,
      body: { error: '', error_description: 'Invalid value for the "Deal Stage" field' },
    });
  });

  it.each(ENCODINGS)('%s: user fields: enumeration ids, money, multiple, boolean, file', async (enc) => {
    const gif = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
    const id = await callOk(
      url,
      'crm.deal.add',
      {
        fields: {
          UF_CRM_DIRECTION: 1,
          UF_CRM_PAID_AMOUNT: '300|RUB',
          UF_CRM_WELLS: ['12', '14'],
          UF_CRM_SIGNED: 'Y',
          UF_CRM_ACT: { fileData: ['акт.gif', gif] },
        },
      },
      enc,
    );
    const deal = await callOk(url, 'crm.deal.get', { id }, enc);
    expect(deal).toMatchObject({
      UF_CRM_DIRECTION: '1',
      UF_CRM_PAID_AMOUNT: '300|RUB',
      UF_CRM_WELLS: ['12', '14'],
      UF_CRM_SIGNED: '1',
    });
    expect(deal.UF_CRM_ACT).toEqual({
      id: expect.any(Number),
      showUrl: expect.stringContaining('/b24lab/files/'),
      downloadUrl: deal.UF_CRM_ACT.showUrl,
    });
    const file = await fetch(deal.UF_CRM_ACT.downloadUrl);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).toString('base64')).toBe(gif);
    // A single value for a multiple field becomes a one-element array.
    await callOk(url, 'crm.deal.update', { id, fields: { UF_CRM_WELLS: '15' } }, enc);
    expect((await callOk(url, 'crm.deal.get', { id }, enc)).UF_CRM_WELLS).toEqual(['15']);
  });

  it.each([
    [{ UF_CRM_DIRECTION: 999 }, 'Invalid value for the "UF_CRM_DIRECTION" field'],
    [{ UF_CRM_PAID_AMOUNT: 'много' }, 'Invalid value for the "UF_CRM_PAID_AMOUNT" field'],
    [{ CURRENCY_ID: 'XYZ' }, 'Invalid value for the "Currency" field'],
    [{ STAGE_ID: 'NO_SUCH_STAGE' }, 'Invalid value for the "Deal Stage" field'],
    [{ CATEGORY_ID: 777 }, 'Invalid value for the "Sales Funnel" field'],
    [{ OPPORTUNITY: 'сто' }, 'Invalid value for the "Amount" field'],
  ])('crm.deal.add %j -> 400 with an empty error code', async (fields, description) => {
    expect(await rawCall(url, 'crm.deal.add', { fields })).toEqual({
      status: 400,
      body: { error: '', error_description: description },
    });
  });

  it.each([
    ['crm.deal.get', { id: 999999 }, 'Not found'],
    ['crm.deal.get', {}, 'ID is not defined or invalid.'],
    ['crm.deal.get', { id: 'abc' }, 'ID is not defined or invalid.'],
    ['crm.deal.update', { id: 999999, fields: { TITLE: 'x' } }, 'Not found'],
    ['crm.deal.delete', { id: 999999 }, 'Not found'],
    ['crm.deal.add', {}, "Parameter 'fields' must be array."],
    ['crm.contact.get', { id: 999999 }, 'Not found'],
    ['crm.company.delete', { id: 0 }, 'ID is not defined or invalid.'],
    ['crm.deal.list', { filter: 'ID=1' }, "Parameter 'filter' must be array."],
  ])('%s %j -> {"error":"","error_description":"%s"}', async (method, params, description) => {
    for (const enc of ENCODINGS) {
      expect(await rawCall(url, method, params, enc)).toEqual({
        status: 400,
        body: { error: '', error_description: description },
      });
    }
  });

  it.each(ENCODINGS)('%s: delete removes the deal', async (enc) => {
    const id = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'Удалить' } }, enc);
    expect(await callOk(url, 'crm.deal.delete', { id }, enc)).toBe(true);
    expect((await rawCall(url, 'crm.deal.get', { id }, enc)).body.error_description).toBe('Not found');
  });
});

describe('crm.deal.fields', () => {
  it('describes system and user fields the legacy way', async () => {
    const fields = await callOk(url, 'crm.deal.fields');
    expect(fields.CATEGORY_ID).toEqual({
      type: 'crm_category',
      isRequired: false,
      isReadOnly: false,
      isImmutable: true,
      isMultiple: false,
      isDynamic: false,
      title: 'Sales Funnel',
    });
    expect(fields.STAGE_ID).toMatchObject({ type: 'crm_status', statusType: 'DEAL_STAGE' });
    expect(fields.CONTACT_ID).toMatchObject({ isDeprecated: true });
    expect(fields.CONTACT_IDS).toMatchObject({ isMultiple: true, type: 'crm_contact' });
    expect(fields.IS_NEW).toMatchObject({ type: 'char', isReadOnly: true });
    expect(fields.UF_CRM_DIRECTION).toMatchObject({
      type: 'enumeration',
      isDynamic: true,
      title: 'UF_CRM_DIRECTION',
      formLabel: 'Направление',
      items: [
        { ID: '1', VALUE: 'ГТИ' },
        { ID: '2', VALUE: 'Керн' },
      ],
    });
    expect(fields.UF_CRM_WELLS).toMatchObject({ isMultiple: true, type: 'string' });
    expect(fields).not.toHaveProperty('OBSERVERS');
  });
});

describe('crm.deal.list', () => {
  let first = 0;
  beforeAll(() => {
    // 120 deals through the bulk seed (the same record core as crm.deal.add).
    const ids = seedRecords(
      lp.portal,
      2,
      Array.from({ length: 120 }, (_, i) => ({
        title: i % 10 === 0 ? `Керн-анализ ${i}` : `Бурение ${i}`,
        opportunity: 1000 * (i + 1),
        stageId: i % 4 === 0 ? 'WON' : 'PREPARATION',
        sourceId: 'LIST',
        UF_CRM_DIRECTION: (i % 2) + 1,
      })),
    );
    first = ids[0]!;
  });
  const listed = { SOURCE_ID: 'LIST' };

  it.each(ENCODINGS)('%s: pages 50 at a time with total and next', async (enc) => {
    const p1 = await rawCall(url, 'crm.deal.list', { filter: listed, order: { ID: 'ASC' } }, enc);
    expect(p1.body.result).toHaveLength(50);
    expect(p1.body.total).toBe(120);
    expect(p1.body.next).toBe(50);
    expect(p1.body.result[0].ID).toBe(String(first));
    const p3 = await rawCall(url, 'crm.deal.list', { filter: listed, order: { ID: 'ASC' }, start: 100 }, enc);
    expect(p3.body.result).toHaveLength(20);
    expect(p3.body.total).toBe(120);
    expect(p3.body).not.toHaveProperty('next');
    expect(p3.body.result.at(-1).ID).toBe(String(first + 119));
  });

  it.each(ENCODINGS)('%s: start=-1 with >ID walks every deal without count or next', async (enc) => {
    const seen: string[] = [];
    let last = 0;
    for (;;) {
      const page = await rawCall(
        url,
        'crm.deal.list',
        { filter: { ...listed, '>ID': last }, order: { ID: 'ASC' }, select: ['ID'], start: -1 },
        enc,
      );
      expect(page.body).not.toHaveProperty('next');
      expect(page.body.total ?? 0).toBe(0);
      const rows = page.body.result as { ID: string }[];
      seen.push(...rows.map((r) => r.ID));
      if (rows.length < 50) break;
      last = Number(rows.at(-1)!.ID);
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
  });

  it('exports with chained 50-command batches of start=-1 pages', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      const after = i === 0 ? '0' : `$result[c${i - 1}][49][ID]`;
      cmd[`c${i}`] =
        `crm.deal.list?${buildPhpQuery({ filter: { SOURCE_ID: 'LIST' }, order: { ID: 'ASC' }, select: ['ID', 'TITLE'], start: -1 })}` +
        `&filter[>ID]=${after}`;
    }
    const { result } = await callOk(url, 'batch', { halt: 0, cmd });
    expect(result.c0).toHaveLength(50);
    expect(result.c1[0].ID).toBe(String(first + 50));
    expect(result.c2).toHaveLength(20);
    expect(Object.keys(result.c2[0])).toEqual(['ID', 'TITLE']);
  });

  it('select: * without user fields by default, UF_* adds them, named fields print alone (+ID)', async () => {
    const plain = await callOk(url, 'crm.deal.list', { filter: { ID: first } });
    expect(plain[0]).toHaveProperty('TITLE');
    expect(plain[0]).not.toHaveProperty('UF_CRM_DIRECTION');
    const withUf = await callOk(url, 'crm.deal.list', { filter: { ID: first }, select: ['*', 'UF_*'] });
    expect(withUf[0]).toMatchObject({ UF_CRM_DIRECTION: '1', TITLE: 'Керн-анализ 0' });
    const named = await callOk(url, 'crm.deal.list', {
      filter: { ID: first },
      select: ['TITLE', 'UF_CRM_DIRECTION', 'CONTACT_IDS'],
    });
    expect(named).toEqual([{ ID: String(first), TITLE: 'Керн-анализ 0', UF_CRM_DIRECTION: '1' }]);
  });

  it.each([
    [{ '>OPPORTUNITY': 115000 }, 5],
    [{ '>=OPPORTUNITY': 115000, '<OPPORTUNITY': 118000 }, 3],
    [{ '%TITLE': 'керн' }, 12],
    [{ STAGE_ID: 'WON' }, 30],
    [{ '!STAGE_ID': 'WON' }, 90],
    [{ '@STAGE_ID': ['WON', 'LOSE'] }, 30],
    [{ '!@STAGE_ID': ['WON'] }, 90],
    [{ CLOSED: 'Y' }, 30],
    [{ UF_CRM_DIRECTION: 2 }, 60],
    [{ '>=DATE_CREATE': '2026-03-02', '<DATE_CREATE': '2026-03-03' }, 120],
    [{ '>DATE_CREATE': '2026-03-03T00:00:00+03:00' }, 0],
    [{ NO_SUCH_FIELD: 'x' }, 120],
  ])('filter %j -> %i deals', async (filter, count) => {
    for (const enc of ENCODINGS) {
      const answer = await rawCall(url, 'crm.deal.list', { filter: { ...listed, ...filter } }, enc);
      expect(answer.body.total).toBe(count);
    }
  });

  it('order DESC by a money field', async () => {
    const rows = await callOk(url, 'crm.deal.list', {
      filter: listed,
      order: { OPPORTUNITY: 'DESC' },
      select: ['ID', 'OPPORTUNITY'],
    });
    expect(rows[0]).toEqual({ ID: String(first + 119), OPPORTUNITY: '120000.00' });
    expect(rows[1].OPPORTUNITY).toBe('119000.00');
  });
});

describe('deal contacts', () => {
  let contacts: number[] = [];
  beforeAll(async () => {
    contacts = [];
    for (const name of ['Анна', 'Борис', 'Вера'])
      contacts.push(await callOk(url, 'crm.contact.add', { fields: { NAME: name } }));
  });

  it.each(ENCODINGS)('%s: CONTACT_IDS on add and update; the first is CONTACT_ID', async (enc) => {
    const [a, b, c] = contacts as [number, number, number];
    const id = await callOk(url, 'crm.deal.add', { fields: { CONTACT_IDS: [b, a] } }, enc);
    expect((await callOk(url, 'crm.deal.get', { id }, enc)).CONTACT_ID).toBe(String(b));
    expect(await callOk(url, 'crm.deal.contact.items.get', { id }, enc)).toEqual([
      { CONTACT_ID: b, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      { CONTACT_ID: a, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
    ]);
    await callOk(url, 'crm.deal.update', { id, fields: { CONTACT_IDS: [c] } }, enc);
    expect(await callOk(url, 'crm.deal.contact.items.get', { id }, enc)).toEqual([
      { CONTACT_ID: c, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
    ]);
    const item = await callOk(url, 'crm.item.get', { entityTypeId: 2, id }, enc);
    expect(item.item).toMatchObject({ contactId: c, contactIds: [c] });
  });

  it.each(ENCODINGS)('%s: items.set, add, delete with the primary rules', async (enc) => {
    const [a, b, c] = contacts as [number, number, number];
    const id = await callOk(url, 'crm.deal.add', { fields: { TITLE: 'Контакты' } }, enc);
    expect(await callOk(url, 'crm.deal.contact.items.get', { id }, enc)).toEqual([]);
    expect(
      await callOk(
        url,
        'crm.deal.contact.items.set',
        {
          id,
          items: [
            { CONTACT_ID: a, SORT: 300 },
            { CONTACT_ID: b, IS_PRIMARY: 'Y', SORT: 100 },
          ],
        },
        enc,
      ),
    ).toBe(true);
    expect(await callOk(url, 'crm.deal.contact.items.get', { id }, enc)).toEqual([
      { CONTACT_ID: b, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      { CONTACT_ID: a, SORT: 300, ROLE_ID: 0, IS_PRIMARY: 'N' },
    ]);
    expect((await callOk(url, 'crm.deal.get', { id }, enc)).CONTACT_ID).toBe(String(b));
    expect(
      await callOk(url, 'crm.deal.contact.add', { id, fields: { CONTACT_ID: c, IS_PRIMARY: 'Y' } }, enc),
    ).toBe(true);
    expect(await callOk(url, 'crm.deal.contact.add', { id, fields: { CONTACT_ID: c } }, enc)).toBe(false);
    expect(await callOk(url, 'crm.deal.contact.items.get', { id }, enc)).toEqual([
      { CONTACT_ID: b, SORT: 100, ROLE_ID: 0, IS_PRIMARY: 'N' },
      { CONTACT_ID: a, SORT: 300, ROLE_ID: 0, IS_PRIMARY: 'N' },
      { CONTACT_ID: c, SORT: 310, ROLE_ID: 0, IS_PRIMARY: 'Y' },
    ]);
    expect(await callOk(url, 'crm.deal.contact.delete', { id, fields: { CONTACT_ID: c } }, enc)).toBe(true);
    // Without a primary binding the first one (by SORT) becomes primary.
    expect((await callOk(url, 'crm.deal.contact.items.get', { id }, enc))[0]).toEqual({
      CONTACT_ID: b,
      SORT: 100,
      ROLE_ID: 0,
      IS_PRIMARY: 'Y',
    });
    expect(await callOk(url, 'crm.deal.contact.items.delete', { id }, enc)).toBe(true);
    expect((await callOk(url, 'crm.deal.get', { id }, enc)).CONTACT_ID).toBeNull();
  });

  it.each([
    ['crm.deal.contact.items.get', {}, 'The parameter ownerEntityID is invalid or not defined.'],
    ['crm.deal.contact.items.get', { id: 999999 }, 'Not found.'],
    ['crm.deal.contact.items.set', { id: 999999, items: [] }, 'Not found.'],
    [
      'crm.deal.contact.add',
      { fields: { CONTACT_ID: 1 } },
      "The parameter 'ownerEntityID' is invalid or not defined.",
    ],
    [
      'crm.deal.contact.add',
      { id: 'DEAL', fields: { CONTACT_ID: 0 } },
      "The parameter 'fields' is not valid.",
    ],
    ['crm.deal.contact.delete', { id: 'DEAL' }, "The parameter 'fields' must be array."],
  ])('%s %j -> error "%s"', async (method, params, description) => {
    const deal = await callOk(url, 'crm.deal.add', { fields: {} });
    const body = JSON.parse(JSON.stringify(params).replace('"DEAL"', String(deal))) as Record<
      string,
      unknown
    >;
    expect(await rawCall(url, method, body)).toEqual({
      status: 400,
      body: { error: '', error_description: description },
    });
  });

  it('items.set refuses a scalar items', async () => {
    const deal = await callOk(url, 'crm.deal.add', { fields: {} });
    expect((await rawCall(url, 'crm.deal.contact.items.set', { id: deal, items: 'x' })).body).toEqual({
      error: '',
      error_description: 'The parameter items must be array.',
    });
  });
});

describe('crm.contact.* and crm.company.*', () => {
  it.each(ENCODINGS)('%s: contact multifields: add, update by ID, delete, filter, select', async (enc) => {
    const id = await callOk(
      url,
      'crm.contact.add',
      {
        fields: {
          NAME: 'Ирина',
          LAST_NAME: 'Соколова',
          BIRTHDATE: '1990-05-17',
          PHONE: [{ VALUE: `+7900${enc === 'json' ? 1 : 2}000001`, VALUE_TYPE: 'MOBILE' }],
          EMAIL: [{ VALUE: `irina.${enc}@lab.test` }],
        },
      },
      enc,
    );
    const contact = await callOk(url, 'crm.contact.get', { id }, enc);
    expect(contact).toMatchObject({
      NAME: 'Ирина',
      LAST_NAME: 'Соколова',
      TYPE_ID: 'CLIENT',
      EXPORT: 'Y',
      HAS_PHONE: 'Y',
      HAS_EMAIL: 'Y',
      BIRTHDATE: '1990-05-17T03:00:00+03:00',
      EMAIL: [
        { ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: `irina.${enc}@lab.test`, TYPE_ID: 'EMAIL' },
      ],
    });
    expect(contact).not.toHaveProperty('WEB');
    const phoneId = contact.PHONE[0].ID as string;
    await callOk(
      url,
      'crm.contact.update',
      {
        id,
        fields: {
          PHONE: [
            { ID: phoneId, VALUE: `+7911${enc === 'json' ? 1 : 2}000002` },
            { VALUE: '+74950000000', VALUE_TYPE: 'WORK' },
          ],
          EMAIL: [{ ID: contact.EMAIL[0].ID, DELETE: 'Y' }],
        },
      },
      enc,
    );
    const updated = await callOk(url, 'crm.contact.get', { id }, enc);
    expect(updated.PHONE).toEqual([
      { ID: phoneId, VALUE_TYPE: 'MOBILE', VALUE: `+7911${enc === 'json' ? 1 : 2}000002`, TYPE_ID: 'PHONE' },
      { ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: '+74950000000', TYPE_ID: 'PHONE' },
    ]);
    expect(updated.HAS_EMAIL).toBe('N');
    expect(updated).not.toHaveProperty('EMAIL');
    // Multifields print in lists only when selected; filters match a value exactly.
    const found = await callOk(
      url,
      'crm.contact.list',
      { filter: { PHONE: `+7911${enc === 'json' ? 1 : 2}000002` }, select: ['NAME', 'PHONE'] },
      enc,
    );
    expect(found).toEqual([{ ID: String(id), NAME: 'Ирина', PHONE: updated.PHONE }]);
    const plain = await callOk(url, 'crm.contact.list', { filter: { ID: id } }, enc);
    expect(plain[0]).not.toHaveProperty('PHONE');
    expect(plain[0].HAS_PHONE).toBe('Y');
  });

  it.each(ENCODINGS)('%s: company defaults and fields', async (enc) => {
    const id = await callOk(
      url,
      'crm.company.add',
      { fields: { REVENUE: 5000000, INDUSTRY: 'MANUFACTURING' } },
      enc,
    );
    expect(await callOk(url, 'crm.company.get', { id }, enc)).toMatchObject({
      ID: String(id),
      TITLE: `Компания #${id}`,
      COMPANY_TYPE: 'CUSTOMER',
      INDUSTRY: 'MANUFACTURING',
      EMPLOYEES: 'EMPLOYEES_1',
      REVENUE: '5000000',
      CURRENCY_ID: 'RUB',
      IS_MY_COMPANY: 'N',
      OPENED: 'Y',
      HAS_PHONE: 'N',
    });
    await callOk(
      url,
      'crm.company.update',
      { id, fields: { TITLE: 'ООО «Недра»', COMPANY_TYPE: 'PARTNER' } },
      enc,
    );
    const rows = await callOk(
      url,
      'crm.company.list',
      { filter: { COMPANY_TYPE: 'PARTNER', ID: id }, select: ['TITLE'] },
      enc,
    );
    expect(rows).toEqual([{ ID: String(id), TITLE: 'ООО «Недра»' }]);
    const fields = await callOk(url, 'crm.company.fields', {}, enc);
    expect(fields.COMPANY_TYPE).toMatchObject({ type: 'crm_status', statusType: 'COMPANY_TYPE' });
    expect(fields.PHONE).toMatchObject({ type: 'crm_multifield', isMultiple: true });
    expect(await callOk(url, 'crm.company.delete', { id }, enc)).toBe(true);
  });

  it('contact fields list multifields and no TITLE', async () => {
    const fields = await callOk(url, 'crm.contact.fields');
    expect(fields).toHaveProperty('EMAIL');
    expect(fields).toHaveProperty('COMPANY_IDS');
    expect(fields).not.toHaveProperty('TITLE');
  });
});
