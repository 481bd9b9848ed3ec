import { createHash } from 'node:crypto';
import type { Portal } from '../portal.js';
import { ENTITY_TYPE, TYPE_KIND, USERFIELD_KIND } from '../crm/model.js';
import type { TypeDoc, UserFieldDoc, UserFieldEnumItem } from '../crm/model.js';
import { RestError, errors } from '../protocol/rest-error.js';
import { flag, idParam, listParam, param, str } from './params.js';

/**
 * What `crm.{deal,contact,company}.userfield.*` (UPPER_CASE) and `userfieldconfig.*` (camelCase)
 * share: both views read and write the same UserFieldDoc rows (api-reference/crm/deals/
 * user-defined-fields/*.md, api-reference/crm/universal/userfieldconfig/*.md).
 */

/** The languages of the portal: label maps are printed with one entry per language. */
export const PORTAL_LANGUAGES = ['ru', 'en'];

const ENUM_KIND = 'crm_userfield_enum';
const MAX_FIELD_NAME = 50;

/** Field types and their descriptions as userfieldconfig.getTypes prints them. */
export const USER_TYPES: Record<string, string> = {
  string: 'String',
  integer: 'Integer',
  double: 'Number',
  boolean: 'Yes/No',
  datetime: 'Date with time',
  date: 'Date',
  money: 'Money',
  url: 'Link',
  address: 'Address',
  enumeration: 'List',
  file: 'File',
  employee: 'Linked to employee',
  crm_status: 'Linked to CRM directories',
  iblock_section: 'Linked to information block sections',
  iblock_element: 'Linked to information block elements',
  crm: 'Linked to CRM entities',
  resourcebooking: 'Resource booking',
};

/** SETTINGS a new field of each type gets (crm-deal-userfield-add.md, userfieldconfig-add.md). */
export function defaultSettings(type: string): Record<string, unknown> {
  switch (type) {
    case 'string':
      return { SIZE: 20, ROWS: 1, REGEXP: '', MIN_LENGTH: 0, MAX_LENGTH: 0, DEFAULT_VALUE: '' };
    case 'integer':
      return { SIZE: 20, MIN_VALUE: 0, MAX_VALUE: 0, DEFAULT_VALUE: null };
    case 'double':
      return { PRECISION: 2, SIZE: 20, MIN_VALUE: 0, MAX_VALUE: 0, DEFAULT_VALUE: null };
    case 'boolean':
      return { DEFAULT_VALUE: 0, DISPLAY: 'CHECKBOX', LABEL: ['', ''], LABEL_CHECKBOX: '' };
    case 'date':
      return { DEFAULT_VALUE: { VALUE: '', TYPE: 'NONE' } };
    case 'datetime':
      return { DEFAULT_VALUE: { VALUE: '', TYPE: 'NONE' }, USE_SECOND: 'Y', USE_TIMEZONE: 'N' };
    case 'money':
      return { DEFAULT_VALUE: '' };
    case 'url':
      return { POPUP: 'Y', SIZE: 20, MIN_LENGTH: 0, MAX_LENGTH: 0, DEFAULT_VALUE: '', ROWS: 1 };
    case 'address':
      return { SHOW_MAP: 'Y' };
    case 'enumeration':
      return { DISPLAY: 'LIST', LIST_HEIGHT: 1, CAPTION_NO_VALUE: '', SHOW_NO_VALUE: 'Y' };
    case 'file':
      return {
        SIZE: 20,
        LIST_WIDTH: 0,
        LIST_HEIGHT: 0,
        MAX_SHOW_SIZE: 0,
        MAX_ALLOWED_SIZE: 0,
        EXTENSIONS: [],
        TARGET_BLANK: 'Y',
      };
    case 'crm_status':
      return { ENTITY_TYPE: '' };
    case 'crm':
      return { LEAD: 'N', CONTACT: 'N', COMPANY: 'N', DEAL: 'N' };
    case 'iblock_section':
    case 'iblock_element':
      return {
        IBLOCK_TYPE_ID: '',
        IBLOCK_ID: 0,
        DEFAULT_VALUE: '',
        DISPLAY: 'LIST',
        LIST_HEIGHT: 1,
        ACTIVE_FILTER: 'N',
      };
    default:
      return {};
  }
}

const CRM_BINDINGS = ['LEAD', 'CONTACT', 'COMPANY', 'DEAL'];

/**
 * Merges given SETTINGS over a base: known keys take the type of their default (numbers, Y/N);
 * unknown keys are ignored ("this method only supports those described"), except smart-process
 * bindings `DYNAMIC_{entityTypeId}` of `crm` fields and the free-form settings of resourcebooking.
 */
export function mergeSettings(
  type: string,
  base: Record<string, unknown>,
  given: unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  const template = defaultSettings(type);
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [rawKey, value] of Object.entries(given as Record<string, unknown>)) {
      const key = rawKey.toUpperCase();
      if (type === 'resourcebooking') out[rawKey] = value;
      else if (type === 'crm' && /^DYNAMIC_\d+$/.test(key)) out[key] = flag(value) ? 'Y' : 'N';
      else if (key in template) out[key] = coerceSetting(type, key, template[key], value);
    }
  }
  if (type === 'crm') {
    const bound = Object.entries(out).some(
      ([k, v]) => (CRM_BINDINGS.includes(k) || k.startsWith('DYNAMIC_')) && v === 'Y',
    );
    // crm-deal-userfield-add.md: with no binding at all, the field binds to leads.
    if (!bound) out.LEAD = 'Y';
  }
  return out;
}

function coerceSetting(type: string, key: string, template: unknown, value: unknown): unknown {
  if (key === 'DEFAULT_VALUE') {
    if (type === 'boolean') return Number(value) >= 1 || value === 'Y' ? 1 : 0;
    if (type === 'integer' || type === 'double') {
      if (value === null || value === undefined || value === '') return null;
      const n = Number(value);
      return Number.isFinite(n) ? (type === 'integer' ? Math.trunc(n) : n) : null;
    }
    if (type === 'date' || type === 'datetime') {
      const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      const kind = str(param(v, 'TYPE')).toUpperCase();
      return {
        VALUE: str(param(v, 'VALUE')),
        TYPE: ['NONE', 'NOW', 'FIXED'].includes(kind) ? kind : 'NONE',
      };
    }
    return str(value);
  }
  if (typeof template === 'number') {
    const n = Number(value);
    if (!Number.isFinite(n)) return template;
    // ROWS and LIST_HEIGHT must be positive, PRECISION non-negative.
    if ((key === 'ROWS' || key === 'LIST_HEIGHT') && n < 1) return 1;
    if (key === 'PRECISION' && n < 0) return 0;
    return Math.trunc(n);
  }
  if (template === 'Y' || template === 'N') return flag(value) ? 'Y' : 'N';
  if (Array.isArray(template)) return listParam(value).map(str);
  return str(value);
}

/** A label given as a string (every language) or a language map. */
export function labelMap(value: unknown, fallback?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [lang, text] of Object.entries(value as Record<string, unknown>)) {
      if (text !== undefined && text !== null) out[lang.toLowerCase()] = str(text);
    }
  } else if (value !== undefined && value !== null && str(value) !== '') {
    for (const lang of PORTAL_LANGUAGES) out[lang] = str(value);
  }
  if (fallback !== undefined) {
    for (const lang of PORTAL_LANGUAGES) if (!(lang in out)) out[lang] = fallback;
  }
  return out;
}

/** The languages a field's labels are printed in: the portal's plus any a label was given in. */
export function languagesOf(doc: UserFieldDoc): string[] {
  const langs = new Set(PORTAL_LANGUAGES);
  for (const map of [
    doc.EDIT_FORM_LABEL,
    doc.LIST_COLUMN_LABEL,
    doc.LIST_FILTER_LABEL,
    doc.ERROR_MESSAGE,
    doc.HELP_MESSAGE,
  ])
    for (const lang of Object.keys(map)) langs.add(lang);
  return [...langs];
}

/** The UF entity ids this portal knows: deals, contacts, companies and every smart process. */
export function knownUfEntity(portal: Portal, entityId: string): boolean {
  if (entityId === 'CRM_DEAL' || entityId === 'CRM_CONTACT' || entityId === 'CRM_COMPANY') return true;
  const m = /^CRM_(\d+)$/.exec(entityId);
  return m !== null && portal.store.get<TypeDoc>(TYPE_KIND, Number(m[1])) !== undefined;
}

/** The FIELD_NAME prefix of an entity: `UF_CRM_7_` for smart process 7, `UF_CRM_` otherwise. */
export function ufPrefix(entityId: string): string {
  const m = /^CRM_(\d+)$/.exec(entityId);
  return m ? `UF_CRM_${m[1]}_` : 'UF_CRM_';
}

/** The UF entity of a legacy `crm.{entity}.userfield.*` method. */
export const LEGACY_UF_ENTITY: Record<string, { entityId: string; entityTypeId: number }> = {
  deal: { entityId: 'CRM_DEAL', entityTypeId: ENTITY_TYPE.deal },
  contact: { entityId: 'CRM_CONTACT', entityTypeId: ENTITY_TYPE.contact },
  company: { entityId: 'CRM_COMPANY', entityTypeId: ENTITY_TYPE.company },
};

/** Length and charset of a FIELD_NAME (crm-deal-userfield-add.md); the message decides the code. */
export function checkFieldName(name: string, fail: (message: string) => RestError): void {
  if (name.length > MAX_FIELD_NAME)
    throw fail(`Field name is too long (more than ${MAX_FIELD_NAME} characters).`);
  if (!/^[A-Z0-9_]+$/.test(name))
    throw fail('Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.');
}

export function findByName(portal: Portal, entityId: string, fieldName: string): UserFieldDoc | undefined {
  return portal.store
    .query<UserFieldDoc>(USERFIELD_KIND, {
      where: [
        { field: 'ENTITY_ID', op: '=', value: entityId, kind: 'text' },
        { field: 'FIELD_NAME', op: '=', value: fieldName, kind: 'text' },
      ],
      limit: 1,
    })
    .at(0);
}

export const alreadyExists = (fieldName: string, entityId: string): string =>
  `Field "${fieldName}" for object "${entityId}" already exists.`;

export function findUserField(portal: Portal, id: unknown): UserFieldDoc | undefined {
  const n = idParam(id);
  return n === undefined ? undefined : portal.store.get<UserFieldDoc>(USERFIELD_KIND, n);
}

/** One item of LIST / enum as a client sends it, with the keys of either view. */
export interface EnumInput {
  ID?: number;
  VALUE?: string;
  SORT?: number;
  DEF?: boolean;
  XML_ID?: string;
  DEL?: boolean;
}

export function parseEnumInput(value: unknown): EnumInput[] {
  return listParam(value)
    .filter((raw): raw is Record<string, unknown> => !!raw && typeof raw === 'object')
    .map((raw) => {
      const item: EnumInput = {};
      const id = idParam(param(raw, 'ID'));
      if (id !== undefined) item.ID = id;
      const v = param(raw, 'VALUE');
      if (v !== undefined && v !== null) item.VALUE = str(v);
      const sort = param(raw, 'SORT');
      if (sort !== undefined && sort !== '' && Number.isFinite(Number(sort)))
        item.SORT = Math.max(0, Math.trunc(Number(sort)));
      const def = flag(param(raw, 'DEF'));
      if (def !== undefined) item.DEF = def;
      const xml = param(raw, 'XML_ID');
      if (xml !== undefined && xml !== null && str(xml) !== '') item.XML_ID = str(xml);
      if (flag(param(raw, 'DEL')) === true) item.DEL = true;
      return item;
    });
}

/**
 * Applies LIST / enum items (api-reference/data-types.md#uf_enum_element): items with ID update or,
 * with DEL=Y, delete an existing value; items without ID add one (empty VALUE is ignored); values
 * not mentioned stay. XML_ID is generated when absent and must stay unique within the field; a
 * single-value field keeps only the first default.
 */
export function applyEnum(
  portal: Portal,
  fieldName: string,
  current: UserFieldEnumItem[],
  inputs: EnumInput[],
  multiple: boolean,
): UserFieldEnumItem[] {
  let items = current.map((i) => ({ ...i }));
  let newDefault: number | undefined;
  for (const input of inputs) {
    if (input.ID !== undefined) {
      const existing = items.find((i) => i.ID === input.ID);
      if (!existing) continue;
      if (input.DEL) {
        items = items.filter((i) => i !== existing);
        continue;
      }
      if (input.VALUE !== undefined && input.VALUE !== '') existing.VALUE = input.VALUE;
      if (input.SORT !== undefined) existing.SORT = input.SORT;
      if (input.XML_ID !== undefined) existing.XML_ID = input.XML_ID;
      if (input.DEF !== undefined) existing.DEF = input.DEF;
      if (input.DEF && newDefault === undefined) newDefault = existing.ID;
      continue;
    }
    if (input.DEL || input.VALUE === undefined || input.VALUE.trim() === '') continue;
    const id = portal.store.nextId(ENUM_KIND);
    const item: UserFieldEnumItem = {
      ID: id,
      VALUE: input.VALUE,
      SORT: input.SORT ?? 0,
      DEF: input.DEF ?? false,
      XML_ID: input.XML_ID ?? createHash('md5').update(`${fieldName}:${id}:${input.VALUE}`).digest('hex'),
    };
    if (item.DEF && newDefault === undefined) newDefault = item.ID;
    items.push(item);
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.XML_ID))
      throw errors.core(`List item with value XML_ID='${item.XML_ID}' already exists.`);
    seen.add(item.XML_ID);
  }
  if (!multiple) {
    const keep = newDefault ?? items.find((i) => i.DEF)?.ID;
    for (const item of items) item.DEF = item.ID === keep;
  }
  return items.sort((a, b) => a.SORT - b.SORT || a.ID - b.ID);
}

/** The stored boolean of a Y/N input, or the fallback when absent. */
export const ynInput = (value: unknown, fallback: boolean): boolean => flag(value) ?? fallback;

/** SHOW_FILTER is stored as N|I|E|S; Y (and true) means the mask filter "E". */
export function showFilterInput(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  const text = str(value).toUpperCase();
  if (['N', 'I', 'E', 'S'].includes(text)) return text;
  return flag(value) ? 'E' : 'N';
}

/** Inserts a new field row; callers have validated name, type and entity. */
export function insertUserField(portal: Portal, doc: Omit<UserFieldDoc, 'id'>): UserFieldDoc {
  return portal.store.insert(USERFIELD_KIND, doc);
}

export const ufLegacyError = (message: string): RestError => new RestError('', message, 400);
