import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const legacyError = (description: string) => ({
  status: 400,
  body: { error: '', error_description: description },
});
const coreError = (description: string) => ({
  status: 400,
  body: { error: 'ERROR_CORE', error_description: description },
});

interface ListItem {
  ID: string;
  VALUE: string;
  SORT: string;
  DEF: string;
  XML_ID: string;
}

describe('crm.deal.userfield.*', () => {
  it.each(['json', 'form'] as const)(
    '%s: adds a money field with the UF_CRM_ prefix and LABEL',
    async (encoding) => {
      const id = await callOk(
        url,
        'crm.deal.userfield.add',
        {
          fields: {
            FIELD_NAME: `paid_amount_${encoding}`,
            USER_TYPE_ID: 'money',
            LABEL: 'Сумма оплаты',
            EDIT_FORM_LABEL: { en: 'Paid amount' },
            SORT: 150,
            SHOW_FILTER: 'Y',
          },
        },
        encoding,
      );
      expect(typeof id).toBe('number');
      const field = await callOk(url, 'crm.deal.userfield.get', { id }, encoding);
      expect(field).toEqual({
        ID: String(id),
        ENTITY_ID: 'CRM_DEAL',
        FIELD_NAME: `UF_CRM_PAID_AMOUNT_${encoding.toUpperCase()}`,
        USER_TYPE_ID: 'money',
        XML_ID: null,
        SORT: '150',
        MULTIPLE: 'N',
        MANDATORY: 'N',
        SHOW_FILTER: 'E',
        SHOW_IN_LIST: 'Y',
        EDIT_IN_LIST: 'Y',
        IS_SEARCHABLE: 'N',
        SETTINGS: { DEFAULT_VALUE: '' },
        EDIT_FORM_LABEL: { ru: 'Сумма оплаты', en: 'Paid amount' },
        LIST_COLUMN_LABEL: { ru: 'Сумма оплаты', en: 'Сумма оплаты' },
        LIST_FILTER_LABEL: { ru: 'Сумма оплаты', en: 'Сумма оплаты' },
        ERROR_MESSAGE: { ru: 'Сумма оплаты', en: 'Сумма оплаты' },
        HELP_MESSAGE: { ru: 'Сумма оплаты', en: 'Сумма оплаты' },
      });
    },
  );

  it('applies the FIELD_NAME prefix rule', async () => {
    const names: string[] = [];
    for (const raw of ['UF_CRM_KEEP_ME', 'UF_SHORT', 'plain_name']) {
      const id = await callOk(url, 'crm.deal.userfield.add', {
        fields: { FIELD_NAME: raw, USER_TYPE_ID: 'string' },
      });
      names.push((await callOk(url, 'crm.deal.userfield.get', { id })).FIELD_NAME as string);
    }
    expect(names).toEqual(['UF_CRM_KEEP_ME', 'UF_CRM_SHORT', 'UF_CRM_PLAIN_NAME']);
  });

  it.each(['json', 'form'] as const)('%s: answers the documented add errors', async (encoding) => {
    const add = (fields: Record<string, unknown>) =>
      rawCall(url, 'crm.deal.userfield.add', { fields }, encoding);
    expect(await add({ FIELD_NAME: 'X' })).toEqual(legacyError("The 'USER_TYPE_ID' field is not found."));
    expect(await add({ USER_TYPE_ID: 'string' })).toEqual(
      legacyError("The 'FIELD_NAME' field is not found."),
    );
    expect(await add({ FIELD_NAME: 'A'.repeat(44), USER_TYPE_ID: 'string' })).toEqual(
      coreError('Field name is too long (more than 50 characters).'),
    );
    expect(await add({ FIELD_NAME: 'ПОЛЕ', USER_TYPE_ID: 'string' })).toEqual(
      coreError('Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.'),
    );
    expect(await add({ FIELD_NAME: 'X1', USER_TYPE_ID: 'no_such_type' })).toEqual(
      coreError('Invalid custom type specified.'),
    );
    expect(await add({ FIELD_NAME: 'KEEP_ME', USER_TYPE_ID: 'string' })).toEqual(
      coreError('Field "UF_CRM_KEEP_ME" for object "CRM_DEAL" already exists.'),
    );
    expect(
      await add({
        FIELD_NAME: `DUP_XML_${encoding}`,
        USER_TYPE_ID: 'enumeration',
        LIST: [
          { VALUE: 'a', XML_ID: 'same' },
          { VALUE: 'b', XML_ID: 'same' },
        ],
      }),
    ).toEqual(coreError("List item with value XML_ID='same' already exists."));
  });

  it.each(['json', 'form'] as const)('%s: keeps enumeration values: add, update, DEL', async (encoding) => {
    const id = await callOk(
      url,
      'crm.deal.userfield.add',
      {
        fields: {
          FIELD_NAME: `DIRECTION_${encoding}`,
          USER_TYPE_ID: 'enumeration',
          LABEL: 'Направление',
          SETTINGS: { DISPLAY: 'UI', LIST_HEIGHT: '3', UNKNOWN_KEY: 'x' },
          LIST: [
            { VALUE: 'Опт', SORT: 10, DEF: 'Y', XML_ID: 'wholesale' },
            { VALUE: 'Розница', SORT: 20, DEF: 'Y' },
            { VALUE: '' },
          ],
        },
      },
      encoding,
    );
    const field = await callOk(url, 'crm.deal.userfield.get', { id }, encoding);
    expect(field.SETTINGS).toEqual({
      DISPLAY: 'UI',
      LIST_HEIGHT: 3,
      CAPTION_NO_VALUE: '',
      SHOW_NO_VALUE: 'Y',
    });
    const list = field.LIST as ListItem[];
    expect(list.map((i) => [i.VALUE, i.SORT, i.DEF])).toEqual([
      ['Опт', '10', 'Y'],
      // A single-value field keeps only the first default.
      ['Розница', '20', 'N'],
    ]);
    expect(list[0]?.XML_ID).toBe('wholesale');
    expect(list[1]?.XML_ID).toMatch(/^[0-9a-f]{32}$/);
    const [wholesale, retail] = list as [ListItem, ListItem];
    expect(
      await callOk(
        url,
        'crm.deal.userfield.update',
        {
          id,
          fields: {
            MANDATORY: 'Y',
            EDIT_FORM_LABEL: 'Канал',
            LIST: [
              { ID: wholesale.ID, DEL: 'Y' },
              { ID: retail.ID, VALUE: 'Розничные продажи', DEF: 'Y' },
              { VALUE: 'Дилеры', SORT: 5 },
            ],
          },
        },
        encoding,
      ),
    ).toBe(true);
    const after = await callOk(url, 'crm.deal.userfield.get', { id }, encoding);
    expect(after.MANDATORY).toBe('Y');
    expect(after.EDIT_FORM_LABEL).toEqual({ ru: 'Канал', en: 'Канал' });
    expect(after.LIST_COLUMN_LABEL).toEqual({ ru: 'Направление', en: 'Направление' });
    expect((after.LIST as ListItem[]).map((i) => [i.VALUE, i.DEF])).toEqual([
      ['Дилеры', 'N'],
      ['Розничные продажи', 'Y'],
    ]);
  });

  it('sets per-type SETTINGS defaults and coerces given values', async () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['double', { PRECISION: '-1', DEFAULT_VALUE: '2.5' }, { PRECISION: 0, DEFAULT_VALUE: 2.5 }],
      ['boolean', { DEFAULT_VALUE: 5, DISPLAY: 'RADIO' }, { DEFAULT_VALUE: 1, DISPLAY: 'RADIO' }],
      ['crm', {}, { LEAD: 'Y', CONTACT: 'N', COMPANY: 'N', DEAL: 'N' }],
      ['crm', { DYNAMIC_1036: 'Y' }, { LEAD: 'N', DYNAMIC_1036: 'Y' }],
      ['date', { DEFAULT_VALUE: { TYPE: 'now' } }, { DEFAULT_VALUE: { VALUE: '', TYPE: 'NOW' } }],
      ['string', { ROWS: 0 }, { ROWS: 1, DEFAULT_VALUE: '' }],
    ];
    let n = 0;
    for (const [type, settings, expected] of cases) {
      n += 1;
      const id = await callOk(url, 'crm.deal.userfield.add', {
        fields: { FIELD_NAME: `SETTINGS_${n}`, USER_TYPE_ID: type, SETTINGS: settings, MULTIPLE: 'Y' },
      });
      const field = await callOk(url, 'crm.deal.userfield.get', { id });
      expect(field.SETTINGS).toMatchObject(expected);
      // Boolean fields cannot be multiple.
      expect(field.MULTIPLE).toBe(type === 'boolean' ? 'N' : 'Y');
    }
  });

  it.each(['json', 'form'] as const)(
    '%s: lists with filters, LANG and the default order',
    async (encoding) => {
      await callOk(url, 'crm.deal.userfield.add', {
        fields: {
          FIELD_NAME: `LIST_A_${encoding}`,
          USER_TYPE_ID: 'integer',
          SORT: 900,
          LABEL: 'Первое',
          XML_ID: 'a',
        },
      });
      await callOk(url, 'crm.deal.userfield.add', {
        fields: {
          FIELD_NAME: `LIST_B_${encoding}`,
          USER_TYPE_ID: 'integer',
          SORT: 800,
          MANDATORY: 'Y',
          EDIT_FORM_LABEL: { en: 'Second' },
        },
      });
      const answer = await rawCall(
        url,
        'crm.deal.userfield.list',
        { filter: { USER_TYPE_ID: 'integer', '%FIELD_NAME': `LIST_`, LANG: 'en' } },
        encoding,
      );
      const rows = (answer.body.result as Record<string, unknown>[]).filter((r) =>
        String(r.FIELD_NAME).endsWith(encoding.toUpperCase()),
      );
      expect(rows.map((r) => r.FIELD_NAME)).toEqual([
        `UF_CRM_LIST_B_${encoding.toUpperCase()}`,
        `UF_CRM_LIST_A_${encoding.toUpperCase()}`,
      ]);
      expect(rows[0]).toMatchObject({
        EDIT_FORM_LABEL: 'Second',
        LIST_COLUMN_LABEL: null,
        HELP_MESSAGE: null,
      });
      expect(rows[1]).toMatchObject({ EDIT_FORM_LABEL: 'Первое', XML_ID: 'a' });
      const mandatory = await callOk(
        url,
        'crm.deal.userfield.list',
        { filter: { MANDATORY: 'Y', FIELD_NAME: `UF_CRM_LIST_B_${encoding.toUpperCase()}` } },
        encoding,
      );
      expect(mandatory).toHaveLength(1);
      // Without LANG no labels are printed.
      expect(mandatory[0]).not.toHaveProperty('EDIT_FORM_LABEL');
      expect(
        (await rawCall(url, 'crm.deal.userfield.list', { filter: 'x' }, encoding)).body.error_description,
      ).toBe("Parameter 'filter' must be array.");
    },
  );

  it.each(['json', 'form'] as const)('%s: answers get, update and delete errors', async (encoding) => {
    expect(await rawCall(url, 'crm.deal.userfield.get', { id: 0 }, encoding)).toEqual(
      legacyError('ID is not defined or invalid.'),
    );
    expect(await rawCall(url, 'crm.deal.userfield.get', { id: 99999 }, encoding)).toEqual({
      status: 400,
      body: { error: 'ERROR_NOT_FOUND', error_description: "The entity with ID '99999' is not found." },
    });
    const contactField = await callOk(url, 'crm.contact.userfield.add', {
      fields: { FIELD_NAME: `CONTACT_ONLY_${encoding}`, USER_TYPE_ID: 'string' },
    });
    expect(
      await rawCall(url, 'crm.deal.userfield.update', { id: contactField, fields: { SORT: 5 } }, encoding),
    ).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied.' },
    });
    expect(
      await rawCall(url, 'crm.contact.userfield.update', { id: contactField, fields: 'x' }, encoding),
    ).toEqual(legacyError("Parameter 'fields' must be array."));
    expect(await callOk(url, 'crm.contact.userfield.delete', { id: contactField }, encoding)).toBe(true);
    expect((await rawCall(url, 'crm.contact.userfield.get', { id: contactField }, encoding)).body.error).toBe(
      'ERROR_NOT_FOUND',
    );
  });

  it('keeps contact and company fields apart from deal fields', async () => {
    await callOk(url, 'crm.company.userfield.add', { fields: { FIELD_NAME: 'INN', USER_TYPE_ID: 'string' } });
    await callOk(url, 'crm.contact.userfield.add', { fields: { FIELD_NAME: 'INN', USER_TYPE_ID: 'string' } });
    const companies = await callOk(url, 'crm.company.userfield.list', {});
    expect(
      companies.map((f: { FIELD_NAME: string; ENTITY_ID: string }) => [f.FIELD_NAME, f.ENTITY_ID]),
    ).toEqual([['UF_CRM_INN', 'CRM_COMPANY']]);
    const contacts = await callOk(url, 'crm.contact.userfield.list', {
      filter: { FIELD_NAME: 'UF_CRM_INN' },
    });
    expect(contacts[0].ENTITY_ID).toBe('CRM_CONTACT');
  });

  it('accepts the field keys at the top level, as the box code does', async () => {
    const id = await callOk(
      url,
      'crm.deal.userfield.add',
      { FIELD_NAME: 'TOP_LEVEL', USER_TYPE_ID: 'date' },
      'form',
    );
    expect((await callOk(url, 'crm.deal.userfield.get', { id })).FIELD_NAME).toBe('UF_CRM_TOP_LEVEL');
  });
});

describe('userfieldconfig.*', () => {
  async function spa(title: string): Promise<{ id: number; entityTypeId: number }> {
    const { type } = await callOk(url, 'crm.type.add', { fields: { title } });
    return type as { id: number; entityTypeId: number };
  }

  it.each(['json', 'form'] as const)('%s: adds a smart-process enumeration field', async (encoding) => {
    const type = await spa(`Поля ${encoding}`);
    const { field } = await callOk(
      url,
      'userfieldconfig.add',
      {
        moduleId: 'crm',
        field: {
          entityId: `CRM_${type.id}`,
          fieldName: `UF_CRM_${type.id}_DIRECTION`,
          userTypeId: 'enumeration',
          multiple: 'Y',
          showInList: 'N',
          listColumnLabel: 'ignored',
          editFormLabel: { ru: 'Направление', en: 'Direction' },
          enum: [
            { value: 'Опт', def: 'Y', sort: 100 },
            { value: 'Розница', def: 'Y', sort: 200, xmlId: 'retail' },
          ],
        },
      },
      encoding,
    );
    expect(field).toEqual({
      id: expect.stringMatching(/^\d+$/),
      entityId: `CRM_${type.id}`,
      fieldName: `UF_CRM_${type.id}_DIRECTION`,
      userTypeId: 'enumeration',
      xmlId: null,
      sort: '100',
      multiple: 'Y',
      mandatory: 'N',
      showFilter: 'N',
      showInList: 'Y',
      editInList: 'Y',
      isSearchable: 'N',
      settings: { DISPLAY: 'LIST', LIST_HEIGHT: 1, CAPTION_NO_VALUE: '', SHOW_NO_VALUE: 'Y' },
      languageId: { ru: 'ru', en: 'en' },
      editFormLabel: { ru: 'Направление', en: 'Direction' },
      listColumnLabel: { ru: null, en: null },
      listFilterLabel: { ru: null, en: null },
      errorMessage: { ru: null, en: null },
      helpMessage: { ru: null, en: null },
      enum: [
        {
          id: expect.any(String),
          userFieldId: field.id,
          value: 'Опт',
          def: 'Y',
          sort: '100',
          xmlId: expect.any(String),
        },
        // Multiple fields may have several defaults.
        {
          id: expect.any(String),
          userFieldId: field.id,
          value: 'Розница',
          def: 'Y',
          sort: '200',
          xmlId: 'retail',
        },
      ],
    });
    // The legacy view reads the same row.
    const legacy = portal.portal.store.get('crm_userfield', Number(field.id));
    expect(legacy).toMatchObject({ ENTITY_ID: `CRM_${type.id}`, MULTIPLE: true });
  });

  it.each(['json', 'form'] as const)(
    '%s: get, update (with enum), list with language, delete',
    async (encoding) => {
      const type = await spa(`Правка полей ${encoding}`);
      const { field } = await callOk(url, 'userfieldconfig.add', {
        moduleId: 'crm',
        field: {
          entityId: `CRM_${type.id}`,
          fieldName: `UF_CRM_${type.id}_STATUS`,
          userTypeId: 'enumeration',
          editFormLabel: 'Статус',
          enum: [{ value: 'Новый' }, { value: 'Старый' }],
        },
      });
      const [first, second] = field.enum as { id: string }[];
      const { field: updated } = await callOk(
        url,
        'userfieldconfig.update',
        {
          moduleId: 'crm',
          id: field.id,
          field: {
            userTypeId: 'enumeration',
            mandatory: 'Y',
            sort: 300,
            editFormLabel: { en: 'Status' },
            enum: [
              { id: first?.id, del: 'Y' },
              { id: second?.id, value: 'Архивный' },
              { value: 'Третий', sort: 1 },
            ],
          },
        },
        encoding,
      );
      expect(updated).toMatchObject({
        mandatory: 'Y',
        sort: '300',
        editFormLabel: { ru: 'Статус', en: 'Status' },
      });
      expect(updated.enum.map((e: { value: string }) => e.value)).toEqual(['Архивный', 'Третий']);
      // Without userTypeId=enumeration the enum part is not applied.
      const { field: same } = await callOk(url, 'userfieldconfig.update', {
        moduleId: 'crm',
        id: field.id,
        field: { enum: [{ value: 'Лишний' }] },
      });
      expect(same.enum).toHaveLength(2);
      const got = await callOk(url, 'userfieldconfig.get', { moduleId: 'crm', id: field.id }, encoding);
      expect(got.field).toEqual(same);
      const listed = await rawCall(
        url,
        'userfieldconfig.list',
        {
          moduleId: 'crm',
          select: { 0: '*', language: 'en' },
          filter: { entityId: `CRM_${type.id}` },
          order: { id: 'DESC' },
        },
        encoding,
      );
      expect(listed.body.total).toBe(1);
      expect(listed.body.result.fields[0]).toMatchObject({
        fieldName: `UF_CRM_${type.id}_STATUS`,
        languageId: { en: 'en' },
        editFormLabel: { en: 'Status' },
        helpMessage: null,
      });
      expect(listed.body.result.fields[0]).not.toHaveProperty('enum');
      // The legacy deal view does not see a smart-process field.
      expect((await rawCall(url, 'crm.deal.userfield.get', { id: field.id })).status).toBe(403);
      expect(
        await callOk(url, 'userfieldconfig.delete', { moduleId: 'crm', id: field.id }, encoding),
      ).toBeNull();
      expect(await rawCall(url, 'userfieldconfig.get', { moduleId: 'crm', id: field.id }, encoding)).toEqual(
        legacyError('You do not have permission to view user field settings'),
      );
    },
  );

  it('lists deal fields made by crm.deal.userfield.add and filters by flags', async () => {
    await callOk(url, 'crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SHARED_VIEW', USER_TYPE_ID: 'boolean', LABEL: 'Общий', MANDATORY: 'Y' },
    });
    const { fields } = await callOk(url, 'userfieldconfig.list', {
      moduleId: 'crm',
      filter: { fieldName: 'UF_CRM_SHARED_VIEW', mandatory: 'Y' },
    });
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatchObject({
      entityId: 'CRM_DEAL',
      userTypeId: 'boolean',
      editFormLabel: { ru: 'Общий', en: 'Общий' },
      settings: { DEFAULT_VALUE: 0, DISPLAY: 'CHECKBOX' },
    });
  });

  it.each(['json', 'form'] as const)('%s: answers the documented errors', async (encoding) => {
    const type = await spa(`Ошибки ${encoding}`);
    const add = (field: Record<string, unknown>, moduleId = 'crm') =>
      rawCall(url, 'userfieldconfig.add', { moduleId, field }, encoding);
    const base = { entityId: `CRM_${type.id}`, userTypeId: 'string' };
    expect(await add({ ...base, fieldName: `UF_CRM_${type.id}_X` }, 'tasks')).toEqual(
      legacyError('No settings for UserFieldAccess'),
    );
    expect(await add({ ...base })).toEqual(legacyError("The 'FIELD_NAME' field is not found."));
    expect(await add({ entityId: base.entityId, fieldName: `UF_CRM_${type.id}_X` })).toEqual(
      legacyError("The 'USER_TYPE_ID' field is not found."),
    );
    expect(await add({ ...base, fieldName: 'UF_CRM_X' })).toEqual(
      legacyError('You cannot create custom fields'),
    );
    expect(await add({ ...base, entityId: 'CRM_99999', fieldName: 'UF_CRM_99999_X' })).toEqual(
      legacyError('You cannot create custom fields'),
    );
    expect(await add({ ...base, fieldName: `UF_CRM_${type.id}_${'X'.repeat(50)}` })).toEqual(
      legacyError('Field name is too long (more than 50 characters).'),
    );
    await add({ ...base, fieldName: `UF_CRM_${type.id}_ONCE` });
    expect(await add({ ...base, fieldName: `UF_CRM_${type.id}_ONCE` })).toEqual(
      legacyError(`Field "UF_CRM_${type.id}_ONCE" for object "CRM_${type.id}" already exists.`),
    );
    expect(
      await rawCall(url, 'userfieldconfig.update', { moduleId: 'crm', id: 99999, field: {} }, encoding),
    ).toEqual(legacyError('You cannot change the settings of the user field'));
    expect(await rawCall(url, 'userfieldconfig.delete', { moduleId: 'crm', id: 99999 }, encoding)).toEqual(
      legacyError('You cannot delete the user field'),
    );
    expect((await rawCall(url, 'userfieldconfig.add', { field: base }, encoding)).body).toEqual({
      error: 100,
      error_description: 'Could not find value for parameter {moduleId}',
    });
  });

  it('lists the field types', async () => {
    const { types } = await callOk(url, 'userfieldconfig.getTypes', { moduleId: 'crm' });
    expect(types.enumeration).toEqual({ userTypeId: 'enumeration', description: 'List' });
    expect(Object.keys(types)).toEqual(
      expect.arrayContaining(['string', 'money', 'crm', 'employee', 'file']),
    );
  });
});
