import type { MethodModule, Portal } from '../portal.js';
import type { UserFieldDoc } from '../crm/model.js';
import { USERFIELD_KIND } from '../crm/model.js';
import type { FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import type { RestError } from '../protocol/rest-error.js';
import type { Sort } from '../store/store.js';
import { missingParam } from './crm-category.js';
import {
  USER_TYPES,
  alreadyExists,
  applyEnum,
  checkFieldName,
  defaultSettings,
  findByName,
  findUserField,
  insertUserField,
  knownUfEntity,
  labelMap,
  languagesOf,
  mergeSettings,
  parseEnumInput,
  showFilterInput,
  ufLegacyError,
  ufPrefix,
  ynInput,
} from './crm-userfield-core.js';
import type { MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, listParam, objectParam, param, str } from './params.js';

/**
 * `userfieldconfig.*` for the CRM module (api-reference/crm/universal/userfieldconfig/*.md): the
 * camelCase view of the same user-field rows crm.deal.userfield.* edits. Smart-process fields live
 * on entity `CRM_{type id}` and are named `UF_CRM_{type id}_...`.
 */

const LABELS = [
  ['editFormLabel', 'EDIT_FORM_LABEL'],
  ['listColumnLabel', 'LIST_COLUMN_LABEL'],
  ['listFilterLabel', 'LIST_FILTER_LABEL'],
  ['errorMessage', 'ERROR_MESSAGE'],
  ['helpMessage', 'HELP_MESSAGE'],
] as const;

const yn = (b: boolean): 'Y' | 'N' => (b ? 'Y' : 'N');

/**
 * A field as userfieldconfig prints it. Without a language every label is a map over the field's
 * languages (null where empty); with `select.language` only that language, or null when empty.
 */
export function renderConfigField(
  doc: UserFieldDoc,
  options: { language?: string; withEnum: boolean },
): Record<string, unknown> {
  const langs = options.language ? [options.language] : languagesOf(doc);
  const out: Record<string, unknown> = {
    id: String(doc.id),
    entityId: doc.ENTITY_ID,
    fieldName: doc.FIELD_NAME,
    userTypeId: doc.USER_TYPE_ID,
    xmlId: doc.XML_ID,
    sort: String(doc.SORT),
    multiple: yn(doc.MULTIPLE),
    mandatory: yn(doc.MANDATORY),
    showFilter: doc.SHOW_FILTER,
    showInList: yn(doc.SHOW_IN_LIST),
    editInList: yn(doc.EDIT_IN_LIST),
    isSearchable: yn(doc.IS_SEARCHABLE),
    settings: doc.SETTINGS,
    languageId: Object.fromEntries(langs.map((l) => [l, l])),
  };
  for (const [camel, upper] of LABELS) {
    const map = doc[upper];
    if (options.language) {
      const text = map[options.language];
      out[camel] = text ? { [options.language]: text } : null;
    } else {
      out[camel] = Object.fromEntries(langs.map((l) => [l, map[l] ? map[l] : null]));
    }
  }
  if (options.withEnum && doc.USER_TYPE_ID === 'enumeration') {
    out.enum = doc.LIST.map((i) => ({
      id: String(i.ID),
      userFieldId: String(doc.id),
      value: i.VALUE,
      def: yn(i.DEF),
      sort: String(i.SORT),
      xmlId: i.XML_ID,
    }));
  }
  return out;
}

/** Only the CRM module is configured for user-field access on this portal. */
function checkModule(params: Record<string, unknown>): void {
  const moduleId = param(params, 'moduleId');
  if (moduleId === undefined || moduleId === null || moduleId === '') throw missingParam('moduleId');
  if (str(moduleId).toLowerCase() !== 'crm') throw ufLegacyError('No settings for UserFieldAccess');
}

/** A CRM field by id, or the method's own "no access" error (also used for missing fields). */
function crmField(portal: Portal, params: Record<string, unknown>, denied: () => RestError): UserFieldDoc {
  const raw = param(params, 'id');
  if (raw === undefined || raw === null || raw === '') throw missingParam('id');
  const doc = findUserField(portal, raw);
  if (!doc || !knownUfEntity(portal, doc.ENTITY_ID)) throw denied();
  return doc;
}

/** Translates camelCase enum items (`value`, `def`, `sort`, `xmlId`, `id`, `del`) to LIST items. */
function enumInput(value: unknown): ReturnType<typeof parseEnumInput> {
  return parseEnumInput(
    listParam(value).map((raw) => {
      if (!raw || typeof raw !== 'object') return raw;
      const r = raw as Record<string, unknown>;
      return {
        ID: param(r, 'id'),
        VALUE: param(r, 'value'),
        SORT: param(r, 'sort'),
        DEF: param(r, 'def'),
        XML_ID: param(r, 'xmlId'),
        DEL: param(r, 'del'),
      };
    }),
  );
}

function configAdd(portal: Portal, params: Record<string, unknown>): MethodOutput {
  checkModule(params);
  const field = objectParam(params, 'field');
  if (!field) throw missingParam('field');
  const entityId = str(param(field, 'entityId')).trim();
  if (!entityId) throw ufLegacyError("The 'ENTITY_ID' field is not found.");
  const type = str(param(field, 'userTypeId')).trim();
  if (!type) throw ufLegacyError("The 'USER_TYPE_ID' field is not found.");
  const fieldName = str(param(field, 'fieldName')).trim();
  if (!fieldName) throw ufLegacyError("The 'FIELD_NAME' field is not found.");
  // The name must be UF_{ENTITY}_...: UF_CRM_7_... for smart process 7 (userfieldconfig-add.md).
  if (
    !knownUfEntity(portal, entityId) ||
    !fieldName.startsWith(ufPrefix(entityId)) ||
    fieldName === ufPrefix(entityId)
  )
    throw ufLegacyError('You cannot create custom fields');
  checkFieldName(fieldName, ufLegacyError);
  if (!(type in USER_TYPES)) throw ufLegacyError('Invalid custom type specified.');
  if (findByName(portal, entityId, fieldName)) throw ufLegacyError(alreadyExists(fieldName, entityId));
  const multiple = type !== 'boolean' && ynInput(param(field, 'multiple'), false);
  const sortRaw = Number(param(field, 'sort'));
  const xml = param(field, 'xmlId');
  // showInList, listColumnLabel, listFilterLabel, errorMessage, label are not processed by add.
  const doc = insertUserField(portal, {
    ENTITY_ID: entityId,
    FIELD_NAME: fieldName,
    USER_TYPE_ID: type,
    XML_ID: xml === undefined || xml === null || str(xml) === '' ? null : str(xml),
    SORT: Number.isFinite(sortRaw) && sortRaw > 0 ? Math.trunc(sortRaw) : 100,
    MULTIPLE: multiple,
    MANDATORY: ynInput(param(field, 'mandatory'), false),
    SHOW_FILTER: showFilterInput(param(field, 'showFilter'), 'N'),
    SHOW_IN_LIST: true,
    EDIT_IN_LIST: ynInput(param(field, 'editInList'), true),
    IS_SEARCHABLE: ynInput(param(field, 'isSearchable'), false),
    SETTINGS: mergeSettings(type, defaultSettings(type), param(field, 'settings')),
    EDIT_FORM_LABEL: labelMap(param(field, 'editFormLabel')),
    LIST_COLUMN_LABEL: {},
    LIST_FILTER_LABEL: {},
    ERROR_MESSAGE: {},
    HELP_MESSAGE: labelMap(param(field, 'helpMessage')),
    LIST: [],
  });
  if (type === 'enumeration') {
    doc.LIST = applyEnum(portal, fieldName, [], enumInput(param(field, 'enum')), multiple);
    portal.store.put(USERFIELD_KIND, doc);
  }
  return ok({ field: renderConfigField(doc, { withEnum: true }) });
}

function configUpdate(portal: Portal, params: Record<string, unknown>): MethodOutput {
  checkModule(params);
  const doc = crmField(portal, params, () =>
    ufLegacyError('You cannot change the settings of the user field'),
  );
  const field = objectParam(params, 'field') ?? {};
  const xml = param(field, 'xmlId');
  if (xml !== undefined) doc.XML_ID = xml === null || str(xml) === '' ? null : str(xml);
  const sortRaw = param(field, 'sort');
  if (sortRaw !== undefined && Number(sortRaw) > 0) doc.SORT = Math.trunc(Number(sortRaw));
  doc.MANDATORY = ynInput(param(field, 'mandatory'), doc.MANDATORY);
  doc.SHOW_FILTER = showFilterInput(param(field, 'showFilter'), doc.SHOW_FILTER);
  doc.IS_SEARCHABLE = ynInput(param(field, 'isSearchable'), doc.IS_SEARCHABLE);
  doc.SETTINGS = mergeSettings(doc.USER_TYPE_ID, doc.SETTINGS, param(field, 'settings'));
  // Labels are set per language: the given languages change, the others stay.
  for (const [camel, upper] of [
    ['editFormLabel', 'EDIT_FORM_LABEL'],
    ['helpMessage', 'HELP_MESSAGE'],
  ] as const) {
    const value = param(field, camel);
    if (value !== undefined) doc[upper] = { ...doc[upper], ...labelMap(value) };
  }
  // enum changes apply only when the request names the type enumeration (userfieldconfig-update.md).
  const items = param(field, 'enum');
  if (
    items !== undefined &&
    doc.USER_TYPE_ID === 'enumeration' &&
    str(param(field, 'userTypeId')) === 'enumeration'
  )
    doc.LIST = applyEnum(portal, doc.FIELD_NAME, doc.LIST, enumInput(items), doc.MULTIPLE);
  portal.store.put(USERFIELD_KIND, doc);
  return ok({ field: renderConfigField(doc, { withEnum: true }) });
}

const ynStored = (v: unknown): unknown => (flag(v) ? 1 : 0);

const resolveConfigField: FieldResolver = (name) => {
  switch (name) {
    case 'id':
      return { field: 'id', kind: 'number' };
    case 'sort':
      return { field: 'SORT', kind: 'number' };
    case 'entityId':
      return { field: 'ENTITY_ID', kind: 'text' };
    case 'fieldName':
      return { field: 'FIELD_NAME', kind: 'text' };
    case 'userTypeId':
      return { field: 'USER_TYPE_ID', kind: 'text' };
    case 'xmlId':
      return { field: 'XML_ID', kind: 'text' };
    case 'showFilter':
      return { field: 'SHOW_FILTER', kind: 'text' };
    case 'multiple':
      return { field: 'MULTIPLE', kind: 'number', toStored: ynStored };
    case 'mandatory':
      return { field: 'MANDATORY', kind: 'number', toStored: ynStored };
    case 'showInList':
      return { field: 'SHOW_IN_LIST', kind: 'number', toStored: ynStored };
    case 'editInList':
      return { field: 'EDIT_IN_LIST', kind: 'number', toStored: ynStored };
    case 'isSearchable':
      return { field: 'IS_SEARCHABLE', kind: 'number', toStored: ynStored };
    default:
      return undefined;
  }
};

function configList(
  portal: Portal,
  params: Record<string, unknown>,
  start: number | undefined,
): MethodOutput {
  checkModule(params);
  const select = param(params, 'select');
  const language =
    select && typeof select === 'object'
      ? str(param(select as Record<string, unknown>, 'language')).toLowerCase()
      : '';
  const where = [
    { field: 'ENTITY_ID', op: 'like' as const, value: 'CRM_', kind: 'text' as const },
    ...parseFilter(param(params, 'filter'), resolveConfigField, { unknown: 'ignore' }),
  ];
  let order: Sort[] = parseOrder(param(params, 'order'), resolveConfigField);
  if (order.length === 0)
    order = [
      { field: 'SORT', dir: 'ASC', kind: 'number' },
      { field: 'id', dir: 'ASC', kind: 'number' },
    ];
  return listPage<UserFieldDoc>(portal.store, USERFIELD_KIND, start, { where, order }, (rows) => ({
    fields: rows.map((r) =>
      renderConfigField(r, language ? { language, withEnum: false } : { withEnum: false }),
    ),
  }));
}

export const userfieldconfigModule: MethodModule = {
  methods: scoped('userfieldconfig', {
    'userfieldconfig.getTypes': ({ params }) => {
      checkModule(params);
      return ok({
        types: Object.fromEntries(
          Object.entries(USER_TYPES).map(([id, description]) => [id, { userTypeId: id, description }]),
        ),
      });
    },
    'userfieldconfig.list': ({ portal, params, start }) => configList(portal, params, start),
    'userfieldconfig.get': ({ portal, params }) => {
      checkModule(params);
      const doc = crmField(portal, params, () =>
        ufLegacyError('You do not have permission to view user field settings'),
      );
      return ok({ field: renderConfigField(doc, { withEnum: true }) });
    },
    'userfieldconfig.add': ({ portal, params }) => configAdd(portal, params),
    'userfieldconfig.update': ({ portal, params }) => configUpdate(portal, params),
    'userfieldconfig.delete': ({ portal, params }) => {
      checkModule(params);
      const doc = crmField(portal, params, () => ufLegacyError('You cannot delete the user field'));
      portal.store.delete(USERFIELD_KIND, doc.id);
      return ok(null);
    },
  }),
};
