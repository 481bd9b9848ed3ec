import type { MethodModule, Portal } from '../portal.js';
import type { UserFieldDoc } from '../crm/model.js';
import { USERFIELD_KIND } from '../crm/model.js';
import type { FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Sort } from '../store/store.js';
import {
  LEGACY_UF_ENTITY,
  USER_TYPES,
  alreadyExists,
  applyEnum,
  checkFieldName,
  defaultSettings,
  findByName,
  findUserField,
  insertUserField,
  labelMap,
  languagesOf,
  mergeSettings,
  parseEnumInput,
  showFilterInput,
  ufLegacyError,
  ynInput,
} from './crm-userfield-core.js';
import type { MethodHandler, MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, objectParam, param, str } from './params.js';

/**
 * `crm.deal.userfield.*`, `crm.contact.userfield.*`, `crm.company.userfield.*`
 * (api-reference/crm/deals/user-defined-fields/*.md; [box-src CCrmUserFieldRestProxy]): UPPER_CASE,
 * numbers as strings, legacy errors. FIELD_NAME always gets the `UF_CRM_` prefix.
 */

const LABEL_KEYS = [
  'EDIT_FORM_LABEL',
  'LIST_COLUMN_LABEL',
  'LIST_FILTER_LABEL',
  'ERROR_MESSAGE',
  'HELP_MESSAGE',
] as const;

/** Labels as crm.deal.userfield.get prints them: every language, '' where no text was given. */
const fullMap = (doc: UserFieldDoc, map: Record<string, string>): Record<string, string> =>
  Object.fromEntries(languagesOf(doc).map((lang) => [lang, map[lang] ?? '']));

/**
 * A field row: `{ maps: true }` prints lang maps (get), `{ lang }` that language's text or null
 * (list with filter LANG), `{}` leaves labels out (list without LANG).
 */
export function renderLegacyField(
  doc: UserFieldDoc,
  labels: { maps?: boolean; lang?: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: String(doc.id),
    ENTITY_ID: doc.ENTITY_ID,
    FIELD_NAME: doc.FIELD_NAME,
    USER_TYPE_ID: doc.USER_TYPE_ID,
    XML_ID: doc.XML_ID,
    SORT: String(doc.SORT),
    MULTIPLE: doc.MULTIPLE ? 'Y' : 'N',
    MANDATORY: doc.MANDATORY ? 'Y' : 'N',
    SHOW_FILTER: doc.SHOW_FILTER,
    SHOW_IN_LIST: doc.SHOW_IN_LIST ? 'Y' : 'N',
    EDIT_IN_LIST: doc.EDIT_IN_LIST ? 'Y' : 'N',
    IS_SEARCHABLE: doc.IS_SEARCHABLE ? 'Y' : 'N',
    SETTINGS: doc.SETTINGS,
  };
  if (labels.maps) {
    for (const key of LABEL_KEYS) out[key] = fullMap(doc, doc[key]);
  } else if (labels.lang !== undefined) {
    for (const key of LABEL_KEYS) {
      const text = doc[key][labels.lang];
      out[key] = text === undefined || text === '' ? null : text;
    }
  }
  if (doc.USER_TYPE_ID === 'enumeration') {
    out.LIST = doc.LIST.map((i) => ({
      ID: String(i.ID),
      SORT: String(i.SORT),
      VALUE: i.VALUE,
      DEF: i.DEF ? 'Y' : 'N',
      XML_ID: i.XML_ID,
    }));
  }
  return out;
}

/**
 * FIELD_NAME of the legacy add (reference/bitrix24-rest.md §6.7): upper-cased, `UF_CRM_` always
 * applied: MANAGER_NOTE -> UF_CRM_MANAGER_NOTE, UF_X -> UF_CRM_X, UF_CRM_X stays.
 */
export function legacyFieldName(raw: string): string {
  const upper = raw.trim().toUpperCase();
  if (upper.startsWith('UF_CRM_')) return upper;
  if (upper.startsWith('UF_')) return `UF_CRM_${upper.slice(3)}`;
  return `UF_CRM_${upper}`;
}

const ynStored = (v: unknown): unknown => (flag(v) ? 1 : 0);

const resolveField: FieldResolver = (name) => {
  const upper = name.toUpperCase();
  switch (upper) {
    case 'ID':
      return { field: 'id', kind: 'number' };
    case 'SORT':
      return { field: 'SORT', kind: 'number' };
    case 'FIELD_NAME':
    case 'USER_TYPE_ID':
    case 'XML_ID':
    case 'SHOW_FILTER':
      return { field: upper, kind: 'text' };
    case 'MULTIPLE':
    case 'MANDATORY':
    case 'SHOW_IN_LIST':
    case 'EDIT_IN_LIST':
    case 'IS_SEARCHABLE':
      return { field: upper, kind: 'number', toStored: ynStored };
    default:
      return undefined;
  }
};

function fieldOfEntity(portal: Portal, entityId: string, params: Record<string, unknown>): UserFieldDoc {
  const raw = param(params, 'id');
  if (idParam(raw) === undefined) throw ufLegacyError('ID is not defined or invalid.');
  const doc = findUserField(portal, raw);
  if (!doc) throw new RestError('ERROR_NOT_FOUND', `The entity with ID '${str(raw)}' is not found.`, 400);
  // A field of another entity is refused as a permission problem (crm-deal-userfield-get.md).
  if (doc.ENTITY_ID !== entityId) throw errors.accessDenied('Access denied.');
  return doc;
}

function legacyAdd(portal: Portal, entityId: string, params: Record<string, unknown>): MethodOutput {
  // The box code also accepts the field keys at the top level, without `fields`.
  const fields = objectParam(params, 'fields') ?? params;
  const type = str(param(fields, 'USER_TYPE_ID')).trim();
  if (!type) throw ufLegacyError("The 'USER_TYPE_ID' field is not found.");
  const rawName = str(param(fields, 'FIELD_NAME')).trim();
  if (!rawName) throw ufLegacyError("The 'FIELD_NAME' field is not found.");
  const fieldName = legacyFieldName(rawName);
  checkFieldName(fieldName, (m) => errors.core(m));
  if (!(type in USER_TYPES)) throw errors.core('Invalid custom type specified.');
  if (findByName(portal, entityId, fieldName)) throw errors.core(alreadyExists(fieldName, entityId));
  const labelRaw = param(fields, 'LABEL');
  const label = labelRaw === undefined || labelRaw === null ? undefined : str(labelRaw);
  const multiple = type !== 'boolean' && ynInput(param(fields, 'MULTIPLE'), false);
  const sortRaw = Number(param(fields, 'SORT'));
  const xml = param(fields, 'XML_ID');
  const doc = insertUserField(portal, {
    ENTITY_ID: entityId,
    FIELD_NAME: fieldName,
    USER_TYPE_ID: type,
    XML_ID: xml === undefined || xml === null || str(xml) === '' ? null : str(xml),
    SORT: Number.isFinite(sortRaw) && sortRaw > 0 ? Math.trunc(sortRaw) : 100,
    MULTIPLE: multiple,
    MANDATORY: ynInput(param(fields, 'MANDATORY'), false),
    SHOW_FILTER: showFilterInput(param(fields, 'SHOW_FILTER'), 'N'),
    SHOW_IN_LIST: ynInput(param(fields, 'SHOW_IN_LIST'), true),
    EDIT_IN_LIST: ynInput(param(fields, 'EDIT_IN_LIST'), true),
    IS_SEARCHABLE: ynInput(param(fields, 'IS_SEARCHABLE'), false),
    SETTINGS: mergeSettings(type, defaultSettings(type), param(fields, 'SETTINGS')),
    // LABEL is the default of every label (crm-deal-userfield-add.md).
    EDIT_FORM_LABEL: labelMap(param(fields, 'EDIT_FORM_LABEL'), label),
    LIST_COLUMN_LABEL: labelMap(param(fields, 'LIST_COLUMN_LABEL'), label),
    LIST_FILTER_LABEL: labelMap(param(fields, 'LIST_FILTER_LABEL'), label),
    ERROR_MESSAGE: labelMap(param(fields, 'ERROR_MESSAGE'), label),
    HELP_MESSAGE: labelMap(param(fields, 'HELP_MESSAGE'), label),
    LIST: [],
  });
  if (type === 'enumeration') {
    doc.LIST = applyEnum(portal, fieldName, [], parseEnumInput(param(fields, 'LIST')), multiple);
    portal.store.put(USERFIELD_KIND, doc);
  }
  return ok(doc.id);
}

function legacyUpdate(portal: Portal, entityId: string, params: Record<string, unknown>): MethodOutput {
  const doc = fieldOfEntity(portal, entityId, params);
  const fields = param(params, 'fields');
  if (!fields || typeof fields !== 'object' || Array.isArray(fields))
    throw ufLegacyError("Parameter 'fields' must be array.");
  const f = fields as Record<string, unknown>;
  doc.MANDATORY = ynInput(param(f, 'MANDATORY'), doc.MANDATORY);
  doc.SHOW_FILTER = showFilterInput(param(f, 'SHOW_FILTER'), doc.SHOW_FILTER);
  doc.SHOW_IN_LIST = ynInput(param(f, 'SHOW_IN_LIST'), doc.SHOW_IN_LIST);
  doc.EDIT_IN_LIST = ynInput(param(f, 'EDIT_IN_LIST'), doc.EDIT_IN_LIST);
  doc.IS_SEARCHABLE = ynInput(param(f, 'IS_SEARCHABLE'), doc.IS_SEARCHABLE);
  const xml = param(f, 'XML_ID');
  if (xml !== undefined) doc.XML_ID = xml === null || str(xml) === '' ? null : str(xml);
  const sortRaw = param(f, 'SORT');
  if (sortRaw !== undefined && Number(sortRaw) > 0) doc.SORT = Math.trunc(Number(sortRaw));
  // SETTINGS overwrites only the passed keys; labels are overwritten in full (crm-deal-userfield-update.md).
  doc.SETTINGS = mergeSettings(doc.USER_TYPE_ID, doc.SETTINGS, param(f, 'SETTINGS'));
  for (const key of LABEL_KEYS) {
    const value = param(f, key);
    if (value !== undefined) doc[key] = labelMap(value, '');
  }
  const list = param(f, 'LIST');
  if (doc.USER_TYPE_ID === 'enumeration' && list !== undefined)
    doc.LIST = applyEnum(portal, doc.FIELD_NAME, doc.LIST, parseEnumInput(list), doc.MULTIPLE);
  portal.store.put(USERFIELD_KIND, doc);
  return ok(true);
}

function legacyList(
  portal: Portal,
  entityId: string,
  params: Record<string, unknown>,
  start: number | undefined,
): MethodOutput {
  const filter = param(params, 'filter');
  let lang: string | undefined;
  const rest: Record<string, unknown> = {};
  if (filter && typeof filter === 'object' && !Array.isArray(filter)) {
    for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
      if (key.toUpperCase() === 'LANG') lang = str(value).toLowerCase() || undefined;
      else rest[key] = value;
    }
  } else if (filter !== undefined && filter !== '') {
    throw ufLegacyError("Parameter 'filter' must be array.");
  }
  const where = [
    { field: 'ENTITY_ID', op: '=' as const, value: entityId, kind: 'text' as const },
    ...parseFilter(rest, resolveField, { unknown: 'ignore' }),
  ];
  let order: Sort[] = parseOrder(param(params, 'order'), resolveField);
  if (order.length === 0)
    order = [
      { field: 'SORT', dir: 'ASC', kind: 'number' },
      { field: 'id', dir: 'ASC', kind: 'number' },
    ];
  return listPage<UserFieldDoc>(portal.store, USERFIELD_KIND, start, { where, order }, (rows) =>
    rows.map((r) => renderLegacyField(r, lang === undefined ? {} : { lang })),
  );
}

function familyFor(entity: string): Record<string, MethodHandler> {
  const { entityId } = LEGACY_UF_ENTITY[entity] ?? { entityId: '' };
  return {
    [`crm.${entity}.userfield.add`]: ({ portal, params }) => legacyAdd(portal, entityId, params),
    [`crm.${entity}.userfield.get`]: ({ portal, params }) =>
      ok(renderLegacyField(fieldOfEntity(portal, entityId, params), { maps: true })),
    [`crm.${entity}.userfield.list`]: ({ portal, params, start }) =>
      legacyList(portal, entityId, params, start),
    [`crm.${entity}.userfield.update`]: ({ portal, params }) => legacyUpdate(portal, entityId, params),
    [`crm.${entity}.userfield.delete`]: ({ portal, params }) => {
      const doc = fieldOfEntity(portal, entityId, params);
      portal.store.delete(USERFIELD_KIND, doc.id);
      return ok(true);
    },
  };
}

export const crmUserfieldModule: MethodModule = {
  methods: scoped('crm', {
    ...familyFor('deal'),
    ...familyFor('contact'),
    ...familyFor('company'),
  }),
};
