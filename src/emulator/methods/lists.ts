import { randomBytes } from 'node:crypto';
import type { MethodModule, Portal } from '../portal.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, splitOperator } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError } from '../protocol/rest-error.js';
import type { Doc, Sort, Where } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import type { CallContext, MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';
import { DISK_BLOB_KIND, type DiskBlobDoc } from './disk.js';

/**
 * Universal lists: `lists.*`, `lists.field.*`, `lists.element.*` (scope `lists`; reference/
 * bitrix24-rest.md §6.15, api-reference/lists/**). A list is an information block of type `lists`,
 * `bitrix_processes` or `lists_socnet`, addressed by IBLOCK_TYPE_ID plus IBLOCK_ID or IBLOCK_CODE.
 * Custom fields are properties `PROPERTY_<n>`; element property values come back as objects keyed
 * by value id, dates in the portal's own format (this portal is Russian: `31.12.2024 23:59:59`).
 */
export const IBLOCK_KIND = 'lists_iblock';
export const LIST_FIELD_KIND = 'lists_field';
export const ELEMENT_KIND = 'lists_element';

const IBLOCK_TYPES = ['lists', 'bitrix_processes', 'lists_socnet'];

type YN = 'Y' | 'N';

export interface IblockDoc extends Doc {
  IBLOCK_TYPE_ID: string;
  CODE: string;
  NAME: string;
  DESCRIPTION: string;
  SORT: number;
  BIZPROC: YN;
  SOCNET_GROUP_ID: number | null;
  TIMESTAMP_X: number;
  MESSAGES: Record<string, string>;
  RIGHTS: Record<string, string>;
}

export interface EnumValue {
  id: number;
  VALUE: string;
  SORT: number;
  DEF: YN;
}

/** A list field: the system NAME (and other system columns when added) or a property. */
export interface ListFieldDoc extends Doc {
  IBLOCK_ID: number;
  /** `NAME`, `DATE_CREATE`, ... or `PROPERTY_<id>` (the property id is this document's id). */
  FIELD_ID: string;
  TYPE: string;
  NAME: string;
  CODE: string;
  IS_REQUIRED: YN;
  MULTIPLE: YN;
  SORT: number;
  DEFAULT_VALUE: string;
  SETTINGS: Record<string, string>;
  USER_TYPE_SETTINGS: unknown;
  ROW_COUNT: number;
  COL_COUNT: number;
  LINK_IBLOCK_ID: number | null;
  LIST: EnumValue[];
}

export interface PropertyValue {
  /** The value row id (`b_iblock_element_property.ID`): the key in lists.element.get output. */
  id: number;
  value: string | number;
}

/**
 * An element. Besides the typed columns it keeps, per property n, `PV<n>` (the value rows), `P<n>`
 * (the bare values, for filters) and `S<n>` (the first value, for ELEMENT_ORDER).
 */
export interface ElementDoc extends Doc {
  IBLOCK_ID: number;
  NAME: string;
  CODE: string;
  SORT: number;
  ACTIVE: YN;
  IBLOCK_SECTION_ID: number | null;
  CREATED_BY: number;
  MODIFIED_BY: number;
  DATE_CREATE: number;
  TIMESTAMP_X: number;
  PREVIEW_TEXT: string;
  DETAIL_TEXT: string;
  ACTIVE_FROM: number | null;
  ACTIVE_TO: number | null;
  [key: string]: unknown;
}

const PROPERTY_TYPES = [
  'S',
  'N',
  'L',
  'F',
  'G',
  'E',
  'S:Date',
  'S:DateTime',
  'S:HTML',
  'E:EList',
  'N:Sequence',
  'S:ECrm',
  'S:Money',
  'S:DiskFile',
  'S:employee',
];
const SYSTEM_FIELDS: Record<string, string> = {
  NAME: 'Название',
  SORT: 'Сортировка',
  ACTIVE_FROM: 'Начало активности',
  ACTIVE_TO: 'Окончание активности',
  PREVIEW_PICTURE: 'Картинка для анонса',
  PREVIEW_TEXT: 'Описание для анонса',
  DETAIL_PICTURE: 'Детальная картинка',
  DETAIL_TEXT: 'Детальное описание',
  DATE_CREATE: 'Дата создания',
  CREATED_BY: 'Кем создан',
  TIMESTAMP_X: 'Дата изменения',
  MODIFIED_BY: 'Кем изменен',
};
const DEFAULT_SETTINGS = {
  SHOW_ADD_FORM: 'Y',
  SHOW_EDIT_FORM: 'Y',
  ADD_READ_ONLY_FIELD: 'N',
  EDIT_READ_ONLY_FIELD: 'N',
  SHOW_FIELD_PREVIEW: 'N',
};

const listsError = {
  missing: (name: string) =>
    new RestError('ERROR_REQUIRED_PARAMETERS_MISSING', `Required parameter \`${name}\` is missing`),
  iblockNotFound: () => new RestError('ERROR_IBLOCK_NOT_FOUND', 'Iblock not found'),
  iblockExists: () => new RestError('ERROR_IBLOCK_ALREADY_EXISTS', 'Iblock already exists'),
  addIblock: (message: string) => new RestError('ERROR_ADD_IBLOCK', message),
  accessDenied: () => new RestError('ACCESS_DENIED', 'Access denied', 403),
  saveField: (message: string) => new RestError('ERROR_SAVE_FIELD', message),
  updateField: (message: string) => new RestError('ERROR_UPDATE_FIELD', message),
  elementExists: () => new RestError('ERROR_ELEMENT_ALREADY_EXISTS', 'Element already exists'),
  elementNotFound: () => new RestError('ERROR_ELEMENT_NOT_FOUND', 'Element not found'),
  updateIblock: (message: string) => new RestError('ERROR_UPDATE_IBLOCK', message),
  fieldValue: (message: string) => new RestError('ERROR_ELEMENT_FIELD_VALUE', message),
  /** The iblock module's LAST_ERROR: messages each ending in `<br>`. */
  element: (code: 'ERROR_ADD_ELEMENT' | 'ERROR_UPDATE_ELEMENT', messages: string[]) =>
    new RestError(code, messages.map((m) => `${m}<br>`).join('')),
};

// ---------------------------------------------------------------------------------------------------
// Dates in the portal format

/** `DD.MM.YYYY HH:MI:SS` (or the date alone) in the portal's timezone: the site format of a Russian portal. */
function portalFormat(portal: Portal, ms: number, withTime = true): string {
  const iso = new Date(ms + portal.settings.timezoneOffsetMinutes * 60_000).toISOString();
  const date = `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
  return withTime ? `${date} ${iso.slice(11, 19)}` : date;
}

/**
 * A date a lists client sends: ISO, the Russian `31.12.2024[ 23:59[:59]]` or the English
 * `12/31/2024[ 11:59:59 pm]` site format (lists-element-get.md filters use the latter).
 */
function parseListDate(portal: Portal, value: unknown): number | undefined {
  const offset = portal.settings.timezoneOffsetMinutes;
  const en = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?$/i.exec(
    str(value).trim(),
  );
  if (en) {
    const [, m, d, y, hh = '0', mm = '0', ss = '0', ampm] = en;
    let hours = Number(hh) % (ampm ? 12 : 24);
    if (ampm?.toLowerCase() === 'pm') hours += 12;
    return Date.UTC(+y!, +m! - 1, +d!, hours, +mm, +ss) - offset * 60_000;
  }
  return parseDateInput(value, offset);
}

// ---------------------------------------------------------------------------------------------------
// Lists (information blocks)

const isAdmin = (ctx: CallContext): boolean => ctx.userId === ctx.portal.settings.user;

function requireType(params: CallContext['params']): string {
  const type = str(param(params, 'IBLOCK_TYPE_ID')).trim();
  if (!type) throw listsError.missing('IBLOCK_TYPE_ID');
  return type;
}

/** The list a call addresses by IBLOCK_TYPE_ID plus IBLOCK_ID or IBLOCK_CODE. */
function iblockOf(portal: Portal, params: CallContext['params']): IblockDoc {
  const type = requireType(params);
  const id = idParam(param(params, 'IBLOCK_ID'));
  const code = str(param(params, 'IBLOCK_CODE')).trim();
  if (id === undefined && !code) throw listsError.missing('IBLOCK_ID');
  const found =
    id !== undefined
      ? portal.store.get<IblockDoc>(IBLOCK_KIND, id)
      : portal.store
          .query<IblockDoc>(IBLOCK_KIND, { where: [{ field: 'CODE', op: '=', value: code, kind: 'text' }] })
          .find((b) => b.IBLOCK_TYPE_ID === type);
  if (!found || found.IBLOCK_TYPE_ID !== type) throw listsError.iblockNotFound();
  return found;
}

/** lists.get prints the iblock row with string values (lists-get.md). */
function renderIblock(portal: Portal, b: IblockDoc): Record<string, unknown> {
  const m = (key: string, fallback: string): string => b.MESSAGES[key] ?? fallback;
  return {
    ID: String(b.id),
    TIMESTAMP_X: portalFormat(portal, b.TIMESTAMP_X),
    IBLOCK_TYPE_ID: b.IBLOCK_TYPE_ID,
    LID: 's1',
    CODE: b.CODE,
    API_CODE: null,
    NAME: b.NAME,
    ACTIVE: 'Y',
    SORT: String(b.SORT),
    LIST_PAGE_URL: null,
    DETAIL_PAGE_URL: null,
    SECTION_PAGE_URL: null,
    CANONICAL_PAGE_URL: null,
    PICTURE: null,
    DESCRIPTION: b.DESCRIPTION,
    DESCRIPTION_TYPE: 'text',
    RSS_TTL: '24',
    RSS_ACTIVE: 'Y',
    RSS_FILE_ACTIVE: 'N',
    RSS_FILE_LIMIT: null,
    RSS_FILE_DAYS: null,
    XML_ID: null,
    TMP_ID: null,
    INDEX_ELEMENT: 'Y',
    INDEX_SECTION: 'N',
    WORKFLOW: 'N',
    BIZPROC: b.BIZPROC,
    SECTION_CHOOSER: 'L',
    LIST_MODE: null,
    RIGHTS_MODE: 'E',
    SECTION_PROPERTY: null,
    PROPERTY_INDEX: null,
    VERSION: '1',
    LAST_CONV_ELEMENT: '0',
    SOCNET_GROUP_ID: b.SOCNET_GROUP_ID === null ? null : String(b.SOCNET_GROUP_ID),
    EDIT_FILE_BEFORE: null,
    EDIT_FILE_AFTER: null,
    SECTIONS_NAME: m('SECTIONS_NAME', 'Разделы'),
    SECTION_NAME: m('SECTION_NAME', 'Раздел'),
    ELEMENTS_NAME: m('ELEMENTS_NAME', 'Элементы'),
    ELEMENT_NAME: m('ELEMENT_NAME', 'Элемент'),
    REST_ON: 'N',
    FULLTEXT_INDEX: 'N',
    EXTERNAL_ID: null,
    LANG_DIR: '/',
    SERVER_NAME: null,
  };
}

const iblockOrderResolver: FieldResolver = (name) => {
  switch (name.toUpperCase()) {
    case 'ID':
      return { field: 'id', kind: 'number' };
    case 'IBLOCK_TYPE':
      return { field: 'IBLOCK_TYPE_ID', kind: 'text' };
    case 'NAME':
    case 'CODE':
      return { field: name.toUpperCase(), kind: 'text' };
    case 'SORT':
    case 'TIMESTAMP_X':
      return { field: name.toUpperCase(), kind: 'number' };
    default:
      return undefined;
  }
};

function orderOf(value: unknown, resolve: FieldResolver): Sort[] {
  if (!value || typeof value !== 'object') return [];
  const sorts: Sort[] = [];
  for (const [name, dir] of Object.entries(value as Record<string, unknown>)) {
    const ref = resolve(name);
    if (ref && !ref.multiple) {
      sorts.push({
        field: ref.field,
        kind: ref.kind,
        dir: str(dir).toUpperCase() === 'DESC' ? 'DESC' : 'ASC',
      });
    }
  }
  return sorts;
}

// ---------------------------------------------------------------------------------------------------
// Fields

function fieldsOf(portal: Portal, iblockId: number): ListFieldDoc[] {
  return portal.store.query<ListFieldDoc>(LIST_FIELD_KIND, {
    where: [{ field: 'IBLOCK_ID', op: '=', value: iblockId, kind: 'number' }],
    order: [{ field: 'SORT', dir: 'ASC', kind: 'number' }],
  });
}

const isProperty = (f: ListFieldDoc): boolean => f.FIELD_ID.startsWith('PROPERTY_');

function findField(portal: Portal, iblockId: number, fieldId: string): ListFieldDoc | undefined {
  const wanted = fieldId.trim().toUpperCase();
  return fieldsOf(portal, iblockId).find((f) => f.FIELD_ID === wanted);
}

/** `S:Date` -> property type S, user type Date; `L` -> L, no user type. */
function splitType(type: string): { propertyType: string; userType: string | null } {
  const [propertyType = type, userType] = type.split(':');
  return { propertyType, userType: userType ?? null };
}

/** A field row as lists.field.get prints it (lists-field-get.md). */
function renderField(f: ListFieldDoc): Record<string, unknown> {
  const base: Record<string, unknown> = {
    FIELD_ID: f.FIELD_ID,
    SORT: f.SORT,
    NAME: f.NAME,
    IS_REQUIRED: f.IS_REQUIRED,
    MULTIPLE: f.MULTIPLE,
    DEFAULT_VALUE: f.DEFAULT_VALUE,
    TYPE: f.TYPE,
  };
  if (!isProperty(f)) return { ...base, SETTINGS: f.SETTINGS };
  const { propertyType, userType } = splitType(f.TYPE);
  const out: Record<string, unknown> = {
    ...base,
    PROPERTY_TYPE: propertyType,
    PROPERTY_USER_TYPE: userType ? { PROPERTY_TYPE: propertyType, USER_TYPE: userType } : false,
    CODE: f.CODE,
    ID: String(f.id),
    LINK_IBLOCK_ID: f.LINK_IBLOCK_ID === null ? null : String(f.LINK_IBLOCK_ID),
    ROW_COUNT: String(f.ROW_COUNT),
    COL_COUNT: String(f.COL_COUNT),
    USER_TYPE_SETTINGS: f.USER_TYPE_SETTINGS,
    SETTINGS: f.SETTINGS,
  };
  if (f.TYPE === 'L') {
    out.DISPLAY_VALUES_FORM = Object.fromEntries(
      [...f.LIST].sort((a, b) => a.SORT - b.SORT || a.id - b.id).map((v) => [String(v.id), v.VALUE]),
    );
  }
  return out;
}

function readSettings(value: unknown, current: Record<string, string>): Record<string, string> {
  const settings = { ...current };
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = k.toUpperCase();
      if (key in DEFAULT_SETTINGS) settings[key] = flag(v) ? 'Y' : 'N';
    }
  }
  return settings;
}

/**
 * The values of an L field: `LIST {key: {VALUE, SORT, DEF}}` plus `LIST_TEXT_VALUES "a\nb"`, with
 * `LIST_DEF [key]` marking defaults. Keys that are ids of existing values keep them (field.update);
 * other keys are temporary and get new ids.
 */
function readEnum(
  portal: Portal,
  fields: Record<string, unknown>,
  current: EnumValue[],
): EnumValue[] | undefined {
  const list = param(fields, 'LIST');
  const text = str(param(fields, 'LIST_TEXT_VALUES'));
  if ((list === undefined || list === '') && !text) return undefined;
  const defKeys = new Set(listParam(param(fields, 'LIST_DEF')).map(str));
  const byId = new Map(current.map((v) => [String(v.id), v]));
  const out: EnumValue[] = [];
  let sort = 0;
  if (list && typeof list === 'object') {
    for (const [key, raw] of Object.entries(list as Record<string, unknown>)) {
      const item = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : { VALUE: raw };
      const value = str(param(item, 'VALUE')).trim();
      if (!value) continue;
      sort = Number(param(item, 'SORT')) || sort + 10;
      out.push({
        id: byId.get(key)?.id ?? portal.store.nextId('lists_enum'),
        VALUE: value,
        SORT: sort,
        DEF: flag(param(item, 'DEF')) || defKeys.has(key) ? 'Y' : 'N',
      });
    }
  }
  for (const line of text.split('\n')) {
    const value = line.trim();
    if (!value || out.some((v) => v.VALUE === value)) continue;
    sort += 10;
    out.push({ id: portal.store.nextId('lists_enum'), VALUE: value, SORT: sort, DEF: 'N' });
  }
  return out;
}

interface FieldInput {
  name: string;
  type: string;
}

function readFieldInput(params: CallContext['params']): {
  fields: Record<string, unknown>;
  input: FieldInput;
} {
  const fields = objectParam(params, 'FIELDS');
  if (!fields) throw listsError.missing('FIELDS');
  const name = str(param(fields, 'NAME')).trim();
  if (!name) throw listsError.missing('NAME');
  const type = str(param(fields, 'TYPE')).trim();
  if (!type) throw listsError.missing('TYPE');
  return { fields, input: { name, type } };
}

/** Applies the settable parts of FIELDS to a field (shared by field.add and field.update). */
function applyFieldProps(
  portal: Portal,
  f: Omit<ListFieldDoc, 'id'>,
  fields: Record<string, unknown>,
  fail: (message: string) => RestError,
): void {
  const get = (name: string): unknown => param(fields, name);
  f.NAME = str(get('NAME')).trim() || f.NAME;
  if (get('SORT') !== undefined) f.SORT = Math.trunc(Number(get('SORT'))) || f.SORT;
  if (get('IS_REQUIRED') !== undefined) f.IS_REQUIRED = flag(get('IS_REQUIRED')) ? 'Y' : 'N';
  // System fields cannot be multiple (lists-field-add.md).
  if (get('MULTIPLE') !== undefined && isPropertyType(f.TYPE)) f.MULTIPLE = flag(get('MULTIPLE')) ? 'Y' : 'N';
  f.SETTINGS = readSettings(get('SETTINGS'), f.SETTINGS);
  if (get('USER_TYPE_SETTINGS') !== undefined) f.USER_TYPE_SETTINGS = get('USER_TYPE_SETTINGS');
  // A CRM binding keeps every switch, N unless given (lists-field-add.md: "If not passed — the system
  // will set default values": {VISIBLE, LEAD, CONTACT, COMPANY, DEAL} all N).
  if (f.TYPE === 'S:ECrm') f.USER_TYPE_SETTINGS = crmSettings(f.USER_TYPE_SETTINGS);
  if (get('ROW_COUNT') !== undefined) f.ROW_COUNT = Math.trunc(Number(get('ROW_COUNT'))) || 1;
  if (get('COL_COUNT') !== undefined) f.COL_COUNT = Math.trunc(Number(get('COL_COUNT'))) || 30;
  if (get('LINK_IBLOCK_ID') !== undefined) f.LINK_IBLOCK_ID = idParam(get('LINK_IBLOCK_ID')) ?? null;
  if (['E', 'G', 'E:EList'].includes(f.TYPE)) {
    if (f.LINK_IBLOCK_ID === null || !portal.store.get(IBLOCK_KIND, f.LINK_IBLOCK_ID))
      throw fail(`Incorrect lists specified for '${f.NAME}' property`);
  }
  if (f.TYPE === 'L') {
    const values = readEnum(portal, fields, f.LIST);
    if (values) f.LIST = values;
    f.DEFAULT_VALUE = String(f.LIST.find((v) => v.DEF === 'Y')?.id ?? '');
  } else if (get('DEFAULT_VALUE') !== undefined) {
    f.DEFAULT_VALUE = str(get('DEFAULT_VALUE'));
  }
  if (f.SETTINGS.ADD_READ_ONLY_FIELD === 'Y' && f.DEFAULT_VALUE === '')
    throw fail(`The default value of the field '${f.NAME}' is required`);
}

const isPropertyType = (type: string): boolean => PROPERTY_TYPES.includes(type);

const CRM_SWITCHES = ['VISIBLE', 'LEAD', 'CONTACT', 'COMPANY', 'DEAL'];

/** `{DEAL: 'Y'}` -> `{VISIBLE: 'N', LEAD: 'N', CONTACT: 'N', COMPANY: 'N', DEAL: 'Y'}` */
function crmSettings(value: unknown): Record<string, string> {
  const given = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return Object.fromEntries(CRM_SWITCHES.map((k) => [k, flag(param(given, k)) ? 'Y' : 'N']));
}

function newField(iblockId: number, fieldId: string, type: string, name: string): Omit<ListFieldDoc, 'id'> {
  return {
    IBLOCK_ID: iblockId,
    FIELD_ID: fieldId,
    TYPE: type,
    NAME: name,
    CODE: '',
    IS_REQUIRED: 'N',
    MULTIPLE: 'N',
    SORT: 500,
    DEFAULT_VALUE: '',
    SETTINGS: { ...DEFAULT_SETTINGS },
    USER_TYPE_SETTINGS: null,
    ROW_COUNT: 1,
    COL_COUNT: 30,
    LINK_IBLOCK_ID: null,
    LIST: [],
  };
}

// ---------------------------------------------------------------------------------------------------
// Element values

type ValueKind = 'text' | 'number' | 'date' | 'datetime';

function valueKind(type: string): ValueKind {
  if (type === 'S:Date') return 'date';
  if (type === 'S:DateTime') return 'datetime';
  if (['N', 'N:Sequence', 'L', 'E', 'G', 'E:EList', 'S:employee', 'F', 'S:DiskFile'].includes(type))
    return 'number';
  return 'text';
}

/** `{"n0": "a", "n1": "b"}`, `["a", "b"]` or `"a"` -> the values; `{VALUE: x}` rows unwrap to x. */
function rawValues(type: string, raw: unknown): unknown[] {
  if (raw === undefined || raw === null || raw === '') return [];
  // A single file may come as the pair itself: ["name.pdf", "<base64>"] (lists-element-update.md).
  if (type === 'F' && Array.isArray(raw) && raw.length === 2 && raw.every((v) => typeof v === 'string'))
    return [raw];
  const list =
    typeof raw === 'object' && !Array.isArray(raw) && ('VALUE' in raw || 'fileData' in raw)
      ? [raw]
      : listParam(raw);
  return list
    .map((v) => (v && typeof v === 'object' && !Array.isArray(v) && 'VALUE' in v ? v.VALUE : v))
    .filter((v) => v !== undefined && v !== null && v !== '');
}

function saveFile(portal: Portal, raw: unknown, field: ListFieldDoc): number {
  const pair = raw && typeof raw === 'object' && 'fileData' in raw ? raw.fileData : raw;
  const parts = typeof pair === 'string' ? ['file', pair] : listParam(pair).map(str);
  if (parts.length < 2 || /^\d+$/.test(str(pair))) {
    throw listsError.fieldValue('Writing file values by ID is not supported');
  }
  const [name = 'file', content = ''] = parts;
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content))
    throw listsError.fieldValue(`Incorrect file for the "${field.NAME}" field`);
  return portal.store.insert<Omit<DiskBlobDoc, 'id'>>(DISK_BLOB_KIND, {
    name,
    content: content.replace(/\s+/g, ''),
    token: randomBytes(16).toString('hex'),
  }).id;
}

/** One input value of a property in its stored form; throws ERROR_ELEMENT_FIELD_VALUE when it cannot be. */
function storedValue(portal: Portal, f: ListFieldDoc, raw: unknown): string | number {
  const kind = valueKind(f.TYPE);
  if (f.TYPE === 'F') return saveFile(portal, raw, f);
  if (kind === 'date' || kind === 'datetime') {
    const ms = parseListDate(portal, raw);
    if (ms === undefined) throw listsError.fieldValue(`Incorrect date in the "${f.NAME}" field`);
    return ms;
  }
  if (kind === 'number') {
    const n = Number(f.TYPE === 'S:DiskFile' ? str(raw).replace(/^n/i, '') : raw);
    if (!Number.isFinite(n)) throw listsError.fieldValue(`Incorrect number in the "${f.NAME}" field`);
    if (f.TYPE === 'L' && !f.LIST.some((v) => v.id === n))
      throw listsError.fieldValue(`Incorrect value of the list field "${f.NAME}"`);
    return n;
  }
  return str(raw);
}

function renderValue(portal: Portal, f: ListFieldDoc, v: string | number): string {
  const kind = valueKind(f.TYPE);
  if (kind === 'date') return portalFormat(portal, Number(v), false);
  if (kind === 'datetime') return portalFormat(portal, Number(v));
  return String(v);
}

function setPropertyValues(e: Omit<ElementDoc, 'id'>, f: ListFieldDoc, values: PropertyValue[]): void {
  e[`PV${f.id}`] = values;
  e[`P${f.id}`] = values.map((v) => v.value);
  e[`S${f.id}`] = values[0]?.value ?? null;
}

const valuesOf = (e: ElementDoc, f: ListFieldDoc): PropertyValue[] =>
  (e[`PV${f.id}`] as PropertyValue[] | undefined) ?? [];

/**
 * Writes FIELDS into an element the way lists.element.add/update do: NAME and the system columns,
 * then every property (a property not given is cleared: update overwrites the whole element).
 */
function applyElementFields(
  ctx: CallContext,
  iblock: IblockDoc,
  e: Omit<ElementDoc, 'id'>,
  fields: Record<string, unknown>,
  code: 'ERROR_ADD_ELEMENT' | 'ERROR_UPDATE_ELEMENT',
): void {
  const { portal } = ctx;
  const get = (name: string): unknown => param(fields, name);
  const problems: string[] = [];
  e.NAME = str(get('NAME')).trim();
  if (get('SORT') !== undefined) e.SORT = Math.trunc(Number(get('SORT'))) || 500;
  if (get('ACTIVE') !== undefined) e.ACTIVE = flag(get('ACTIVE')) === false ? 'N' : 'Y';
  if (get('PREVIEW_TEXT') !== undefined) e.PREVIEW_TEXT = str(get('PREVIEW_TEXT'));
  if (get('DETAIL_TEXT') !== undefined) e.DETAIL_TEXT = str(get('DETAIL_TEXT'));
  if (get('IBLOCK_SECTION_ID') !== undefined) e.IBLOCK_SECTION_ID = idParam(get('IBLOCK_SECTION_ID')) ?? null;
  for (const name of ['ACTIVE_FROM', 'ACTIVE_TO'] as const) {
    if (get(name) !== undefined) e[name] = parseListDate(portal, get(name)) ?? null;
  }
  const all = fieldsOf(portal, iblock.id);
  for (const f of all) {
    if (!isProperty(f)) continue;
    // A property is addressed by id (PROPERTY_12) or by its code (PROPERTY_CONTRACT_NO).
    let raw = get(f.FIELD_ID);
    if (raw === undefined && f.CODE) raw = get(`PROPERTY_${f.CODE}`);
    let inputs = rawValues(f.TYPE, raw);
    if (f.MULTIPLE === 'N') inputs = inputs.slice(0, 1);
    if (inputs.length === 0 && f.TYPE === 'N:Sequence') inputs = [nextSequence(portal, iblock.id, f)];
    const values = inputs.map((v) => ({
      id: portal.store.nextId('lists_value'),
      value: storedValue(portal, f, v),
    }));
    if (f.IS_REQUIRED === 'Y' && values.length === 0) problems.push(`The "${f.NAME}" field is required.`);
    setPropertyValues(e, f, values);
  }
  // An element always needs a name, whatever the NAME field is called in this list.
  if (e.NAME === '') {
    const label = all.find((f) => f.FIELD_ID === 'NAME')?.NAME ?? SYSTEM_FIELDS.NAME;
    problems.unshift(`The "${label}" field is required.`);
  }
  if (problems.length > 0) throw listsError.element(code, problems);
}

function nextSequence(portal: Portal, iblockId: number, f: ListFieldDoc): number {
  const last = portal.store
    .query<ElementDoc>(ELEMENT_KIND, {
      where: [{ field: 'IBLOCK_ID', op: '=', value: iblockId, kind: 'number' }],
      order: [{ field: `S${f.id}`, dir: 'DESC', kind: 'number' }],
      limit: 1,
    })
    .at(0);
  const top = Number(last?.[`S${f.id}`] ?? 0);
  return Math.max(top, 0) + 1;
}

type ElementColumn = [string, (portal: Portal, e: ElementDoc) => unknown];

const dateOrNull = (portal: Portal, ms: number | null): string | null =>
  ms === null ? null : portalFormat(portal, ms);

/** The element columns lists.element.get can select, in the order it prints them. */
const COLUMNS: ElementColumn[] = [
  ['ID', (_p, e) => String(e.id)],
  ['IBLOCK_ID', (_p, e) => String(e.IBLOCK_ID)],
  ['NAME', (_p, e) => e.NAME],
  ['IBLOCK_SECTION_ID', (_p, e) => (e.IBLOCK_SECTION_ID === null ? null : String(e.IBLOCK_SECTION_ID))],
  ['CREATED_BY', (_p, e) => String(e.CREATED_BY)],
  ['MODIFIED_BY', (_p, e) => String(e.MODIFIED_BY)],
  ['BP_PUBLISHED', () => 'Y'],
  ['CODE', (_p, e) => e.CODE],
  ['ACTIVE', (_p, e) => e.ACTIVE],
  ['SORT', (_p, e) => String(e.SORT)],
  ['DATE_CREATE', (p, e) => portalFormat(p, e.DATE_CREATE)],
  ['TIMESTAMP_X', (p, e) => portalFormat(p, e.TIMESTAMP_X)],
  ['ACTIVE_FROM', (p, e) => dateOrNull(p, e.ACTIVE_FROM)],
  ['ACTIVE_TO', (p, e) => dateOrNull(p, e.ACTIVE_TO)],
  ['PREVIEW_TEXT', (_p, e) => e.PREVIEW_TEXT],
  ['PREVIEW_TEXT_TYPE', () => 'text'],
  ['DETAIL_TEXT', (_p, e) => e.DETAIL_TEXT],
  ['DETAIL_TEXT_TYPE', () => 'text'],
];

/**
 * One element row. Worked example: a multiple employee property 951 with two values prints
 * `"PROPERTY_951": {"3743": "1269", "3745": "1271"}` (value-row id -> value); a property without
 * values is left out.
 */
function renderElement(
  portal: Portal,
  e: ElementDoc,
  props: ListFieldDoc[],
  select: Set<string> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, render] of COLUMNS) if (!select || select.has(name)) out[name] = render(portal, e);
  for (const f of props) {
    if (select && !select.has(f.FIELD_ID) && !(f.CODE && select.has(`PROPERTY_${f.CODE.toUpperCase()}`)))
      continue;
    const values = valuesOf(e, f);
    if (values.length === 0) continue;
    out[f.FIELD_ID] = Object.fromEntries(values.map((v) => [String(v.id), renderValue(portal, f, v.value)]));
  }
  return out;
}

function elementResolver(portal: Portal, props: ListFieldDoc[], forOrder: boolean): FieldResolver {
  const dateRef = (field: string): FieldRef => ({
    field,
    kind: 'number',
    toStored: (v) => parseListDate(portal, v) ?? null,
  });
  return (name) => {
    const key = name.toUpperCase();
    switch (key) {
      case 'ID':
        return { field: 'id', kind: 'number' };
      case 'NAME':
      case 'CODE':
      case 'ACTIVE':
      case 'PREVIEW_TEXT':
      case 'DETAIL_TEXT':
        return { field: key, kind: 'text' };
      case 'SORT':
      case 'CREATED_BY':
      case 'MODIFIED_BY':
      case 'IBLOCK_SECTION_ID':
        return { field: key, kind: 'number' };
      case 'DATE_CREATE':
      case 'TIMESTAMP_X':
      case 'ACTIVE_FROM':
      case 'ACTIVE_TO':
        return dateRef(key);
      default:
        break;
    }
    if (!key.startsWith('PROPERTY_')) return undefined;
    const ref = key.slice('PROPERTY_'.length);
    const f = props.find((p) => String(p.id) === ref || (p.CODE && p.CODE.toUpperCase() === ref));
    if (!f) return undefined;
    const kind = valueKind(f.TYPE);
    if (forOrder) {
      if (f.MULTIPLE === 'Y') return undefined;
      return { field: `S${f.id}`, kind: kind === 'text' ? 'text' : 'number' };
    }
    if (kind === 'date' || kind === 'datetime') return { ...dateRef(`P${f.id}`), multiple: true };
    return { field: `P${f.id}`, kind: kind === 'text' ? 'text' : 'number', multiple: true };
  };
}

/**
 * FILTER as CIBlockElement::GetList reads it: prefixes `= ! != > >= < <= @ !@ % =% !%`; a text value
 * with `%` and no prefix is a pattern (`{NAME: '%Test%'}`).
 */
function elementWhere(portal: Portal, props: ListFieldDoc[], filter: unknown): Where {
  if (!filter || typeof filter !== 'object') return [];
  const plain: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(filter as Record<string, unknown>)) {
    const { op, name } = splitOperator(key);
    if (op === '=' && !key.startsWith('=') && typeof raw === 'string' && raw.includes('%')) {
      plain[`%${name}`] = raw.replace(/%/g, '');
    } else plain[key] = raw;
  }
  return parseFilter(plain, elementResolver(portal, props, false), { unknown: 'ignore' });
}

function findElement(
  portal: Portal,
  iblockId: number,
  params: CallContext['params'],
): ElementDoc | undefined {
  const id = idParam(param(params, 'ELEMENT_ID'));
  const code = str(param(params, 'ELEMENT_CODE')).trim();
  if (id === undefined && !code) throw listsError.missing('ELEMENT_ID');
  const found =
    id !== undefined ? portal.store.get<ElementDoc>(ELEMENT_KIND, id) : elementByCode(portal, iblockId, code);
  return found && found.IBLOCK_ID === iblockId ? found : undefined;
}

function elementByCode(portal: Portal, iblockId: number, code: string): ElementDoc | undefined {
  return portal.store
    .query<ElementDoc>(ELEMENT_KIND, {
      where: [
        { field: 'IBLOCK_ID', op: '=', value: iblockId, kind: 'number' },
        { field: 'CODE', op: '=', value: code, kind: 'text' },
      ],
      limit: 1,
    })
    .at(0);
}

function touchIblock(portal: Portal, iblock: IblockDoc): void {
  const touched: IblockDoc = { ...iblock, TIMESTAMP_X: portal.now() };
  portal.store.put(IBLOCK_KIND, touched);
}

// ---------------------------------------------------------------------------------------------------

export const listsModule: MethodModule = {
  methods: scoped('lists', {
    'lists.get': ({ portal, params, start }) => {
      const type = requireType(params);
      const where: Where = [{ field: 'IBLOCK_TYPE_ID', op: '=', value: type, kind: 'text' }];
      const id = idParam(param(params, 'IBLOCK_ID'));
      const code = str(param(params, 'IBLOCK_CODE')).trim();
      if (id !== undefined) where.push({ field: 'id', op: '=', value: id, kind: 'number' });
      else if (code) where.push({ field: 'CODE', op: '=', value: code, kind: 'text' });
      const order = orderOf(param(params, 'IBLOCK_ORDER'), iblockOrderResolver);
      return listPage<IblockDoc>(portal.store, IBLOCK_KIND, start, { where, order }, (rows) =>
        rows.map((b) => renderIblock(portal, b)),
      );
    },
    'lists.add': (ctx) => {
      const { portal, params } = ctx;
      const type = requireType(params);
      const code = str(param(params, 'IBLOCK_CODE')).trim();
      if (!code) throw listsError.missing('IBLOCK_CODE');
      const fields = objectParam(params, 'FIELDS');
      if (!fields) throw listsError.missing('FIELDS');
      if (!isAdmin(ctx)) throw listsError.accessDenied();
      if (!IBLOCK_TYPES.includes(type)) throw listsError.addIblock('Invalid information block type');
      const taken = portal.store
        .query<IblockDoc>(IBLOCK_KIND, { where: [{ field: 'CODE', op: '=', value: code, kind: 'text' }] })
        .some((b) => b.IBLOCK_TYPE_ID === type);
      if (taken) throw listsError.iblockExists();
      const name = str(param(fields, 'NAME')).trim();
      if (!name) throw listsError.addIblock('Please enter the list name.');
      const messages = objectParam(params, 'MESSAGES') ?? {};
      const rights = objectParam(params, 'RIGHTS') ?? { [`U${ctx.userId}`]: 'X' };
      const iblock = portal.store.insert<Omit<IblockDoc, 'id'>>(IBLOCK_KIND, {
        IBLOCK_TYPE_ID: type,
        CODE: code,
        NAME: name,
        DESCRIPTION: str(param(fields, 'DESCRIPTION')),
        SORT: Math.trunc(Number(param(fields, 'SORT'))) || 500,
        BIZPROC: flag(param(fields, 'BIZPROC')) ? 'Y' : 'N',
        SOCNET_GROUP_ID: idParam(param(params, 'SOCNET_GROUP_ID')) ?? null,
        TIMESTAMP_X: portal.now(),
        MESSAGES: Object.fromEntries(Object.entries(messages).map(([k, v]) => [k.toUpperCase(), str(v)])),
        RIGHTS: Object.fromEntries(Object.entries(rights).map(([k, v]) => [k, str(v)])),
      });
      // Every list has the system field NAME from the start.
      portal.store.insert<Omit<ListFieldDoc, 'id'>>(LIST_FIELD_KIND, {
        ...newField(iblock.id, 'NAME', 'NAME', SYSTEM_FIELDS.NAME ?? 'NAME'),
        IS_REQUIRED: 'Y',
        SORT: 10,
      });
      return ok(iblock.id);
    },
    // lists-update.md: FIELDS.NAME is required; the code and the type stay.
    'lists.update': (ctx) => {
      const { portal, params } = ctx;
      const iblock = iblockOf(portal, params);
      const fields = objectParam(params, 'FIELDS');
      if (!fields) throw listsError.missing('FIELDS');
      if (!isAdmin(ctx)) throw listsError.accessDenied();
      const name = str(param(fields, 'NAME')).trim();
      if (!name) throw listsError.updateIblock('Please enter the list name.');
      const updated: IblockDoc = { ...iblock, NAME: name, TIMESTAMP_X: portal.now() };
      if (param(fields, 'DESCRIPTION') !== undefined) updated.DESCRIPTION = str(param(fields, 'DESCRIPTION'));
      if (param(fields, 'SORT') !== undefined)
        updated.SORT = Math.trunc(Number(param(fields, 'SORT'))) || iblock.SORT;
      if (param(fields, 'BIZPROC') !== undefined)
        updated.BIZPROC = flag(param(fields, 'BIZPROC')) ? 'Y' : 'N';
      portal.store.put(IBLOCK_KIND, updated);
      return ok(true);
    },
    // lists-delete.md: the list goes with its fields and elements.
    'lists.delete': (ctx) => {
      const { portal, params } = ctx;
      const iblock = iblockOf(portal, params);
      if (!isAdmin(ctx)) throw listsError.accessDenied();
      for (const f of fieldsOf(portal, iblock.id)) portal.store.delete(LIST_FIELD_KIND, f.id);
      const elements = portal.store.query<ElementDoc>(ELEMENT_KIND, {
        where: [{ field: 'IBLOCK_ID', op: '=', value: iblock.id, kind: 'number' }],
      });
      for (const e of elements) portal.store.delete(ELEMENT_KIND, e.id);
      portal.store.delete(IBLOCK_KIND, iblock.id);
      return ok(true);
    },
    'lists.field.add': ({ portal, params }) => {
      const iblock = iblockOf(portal, params);
      const { fields, input } = readFieldInput(params);
      const type = input.type;
      const system = type.toUpperCase() in SYSTEM_FIELDS && !isPropertyType(type);
      if (!system && !isPropertyType(type)) throw listsError.saveField('Error saving the field');
      const existing = fieldsOf(portal, iblock.id);
      let fieldId: string;
      let id: number;
      const draft = newField(iblock.id, '', system ? type.toUpperCase() : type, input.name);
      if (system) {
        fieldId = type.toUpperCase();
        if (existing.some((f) => f.FIELD_ID === fieldId))
          throw listsError.saveField('Property already exists');
        id = portal.store.nextId(LIST_FIELD_KIND);
      } else {
        const code = str(param(fields, 'CODE')).trim();
        if (!code) throw listsError.saveField('Please fill the code fields');
        if (existing.some((f) => f.CODE.toUpperCase() === code.toUpperCase()))
          throw listsError.saveField('Property already exists');
        draft.CODE = code;
        id = portal.store.nextId(LIST_FIELD_KIND);
        fieldId = `PROPERTY_${id}`;
      }
      draft.FIELD_ID = fieldId;
      applyFieldProps(portal, draft, fields, listsError.saveField);
      portal.store.insert(LIST_FIELD_KIND, draft, id);
      touchIblock(portal, iblock);
      return ok(fieldId);
    },
    'lists.field.get': ({ portal, params }) => {
      const iblock = iblockOf(portal, params);
      const fieldId = str(param(params, 'FIELD_ID')).trim();
      if (fieldId) {
        // Keyed by the field TYPE, not its id (lists-field-get.md; box `[$field['TYPE'] => $field]`).
        const f = findField(portal, iblock.id, fieldId);
        return ok(f ? { [f.TYPE]: renderField(f) } : []);
      }
      return ok(Object.fromEntries(fieldsOf(portal, iblock.id).map((f) => [f.FIELD_ID, renderField(f)])));
    },
    'lists.field.update': ({ portal, params }) => {
      const iblock = iblockOf(portal, params);
      const fieldId = str(param(params, 'FIELD_ID')).trim();
      if (!fieldId) throw listsError.missing('FIELD_ID');
      const { fields, input } = readFieldInput(params);
      const f = findField(portal, iblock.id, fieldId);
      if (!f) throw listsError.updateField('Error updating the field.');
      // The type of a field never changes (lists-field-update.md).
      if (input.type.toUpperCase() !== f.TYPE.toUpperCase())
        throw listsError.updateField('Error updating the field.');
      const code = str(param(fields, 'CODE')).trim();
      if (isProperty(f) && code && code.toUpperCase() !== f.CODE.toUpperCase()) {
        const clash = fieldsOf(portal, iblock.id).some(
          (o) => o.id !== f.id && o.CODE.toUpperCase() === code.toUpperCase(),
        );
        if (clash) throw listsError.updateField('Property already exists');
        f.CODE = code;
      }
      applyFieldProps(portal, f, fields, listsError.updateField);
      portal.store.put(LIST_FIELD_KIND, f);
      touchIblock(portal, iblock);
      return ok(true);
    },
    // lists-field-delete.md: FIELD_ID is PROPERTY_<id> or a system field's code; the values go too.
    'lists.field.delete': ({ portal, params }) => {
      const iblock = iblockOf(portal, params);
      const fieldId = str(param(params, 'FIELD_ID')).trim();
      if (!fieldId) throw listsError.missing('FIELD_ID');
      const f = findField(portal, iblock.id, fieldId);
      // lists-field-delete.md documents no "field not found": a field already gone is deleted.
      if (!f) return ok(true);
      portal.store.delete(LIST_FIELD_KIND, f.id);
      if (isProperty(f)) {
        const elements = portal.store.query<ElementDoc>(ELEMENT_KIND, {
          where: [{ field: 'IBLOCK_ID', op: '=', value: iblock.id, kind: 'number' }],
        });
        for (const e of elements) {
          delete e[`PV${f.id}`];
          delete e[`P${f.id}`];
          delete e[`S${f.id}`];
          portal.store.put(ELEMENT_KIND, e);
        }
      }
      touchIblock(portal, iblock);
      return ok(true);
    },
    'lists.element.add': (ctx) => {
      const { portal, params, userId } = ctx;
      const iblock = iblockOf(portal, params);
      const code = str(param(params, 'ELEMENT_CODE')).trim();
      if (!code) throw listsError.missing('ELEMENT_CODE');
      if (elementByCode(portal, iblock.id, code)) throw listsError.elementExists();
      const now = portal.now();
      const element: Omit<ElementDoc, 'id'> = {
        IBLOCK_ID: iblock.id,
        NAME: '',
        CODE: code,
        SORT: 500,
        ACTIVE: 'Y',
        IBLOCK_SECTION_ID: null,
        CREATED_BY: userId,
        MODIFIED_BY: userId,
        DATE_CREATE: now,
        TIMESTAMP_X: now,
        PREVIEW_TEXT: '',
        DETAIL_TEXT: '',
        ACTIVE_FROM: null,
        ACTIVE_TO: null,
      };
      applyElementFields(ctx, iblock, element, objectParam(params, 'FIELDS') ?? {}, 'ERROR_ADD_ELEMENT');
      return ok(portal.store.insert(ELEMENT_KIND, element).id);
    },
    'lists.element.get': ({ portal, params, start }): MethodOutput => {
      const iblock = iblockOf(portal, params);
      const props = fieldsOf(portal, iblock.id).filter(isProperty);
      const where: Where = [{ field: 'IBLOCK_ID', op: '=', value: iblock.id, kind: 'number' }];
      const id = idParam(param(params, 'ELEMENT_ID'));
      const code = str(param(params, 'ELEMENT_CODE')).trim();
      if (id !== undefined) where.push({ field: 'id', op: '=', value: id, kind: 'number' });
      else if (code) where.push({ field: 'CODE', op: '=', value: code, kind: 'text' });
      where.push(...elementWhere(portal, props, param(params, 'FILTER')));
      const order = orderOf(param(params, 'ELEMENT_ORDER'), elementResolver(portal, props, true));
      const selectList = listParam(param(params, 'SELECT')).map((s) => str(s).trim().toUpperCase());
      const select = selectList.length > 0 && !selectList.includes('*') ? new Set(selectList) : undefined;
      return listPage<ElementDoc>(portal.store, ELEMENT_KIND, start, { where, order }, (rows) =>
        rows.map((e) => renderElement(portal, e, props, select)),
      );
    },
    'lists.element.update': (ctx) => {
      const { portal, params, userId } = ctx;
      const iblock = iblockOf(portal, params);
      const element = findElement(portal, iblock.id, params);
      if (!element) throw listsError.elementNotFound();
      const fields = objectParam(params, 'FIELDS');
      if (!fields) throw listsError.missing('FIELDS');
      applyElementFields(ctx, iblock, element, fields, 'ERROR_UPDATE_ELEMENT');
      element.MODIFIED_BY = userId;
      element.TIMESTAMP_X = portal.now();
      portal.store.put(ELEMENT_KIND, element);
      return ok(true);
    },
    'lists.element.delete': ({ portal, params }) => {
      const iblock = iblockOf(portal, params);
      const element = findElement(portal, iblock.id, params);
      if (!element) throw listsError.elementNotFound();
      portal.store.delete(ELEMENT_KIND, element.id);
      return ok(true);
    },
  }),
};
