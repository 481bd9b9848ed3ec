import type { MethodModule, Portal } from '../portal.js';
import type { FieldDef, FieldTable } from '../crm/fields.js';
import { itemName } from '../crm/fields.js';
import type { ItemDoc } from '../crm/model.js';
import type { Multifield, Patch, RecordCore, StoredFile } from '../crm/records.js';
import { downloadLink } from '../http/serve-download.js';
import {
  RecordError,
  createRecord,
  deleteRecord,
  fileUrl,
  getRecord,
  recordCore,
  updateRecord,
} from '../crm/records.js';
import type { FieldResolver } from '../protocol/filter.js';
import { parseFilter } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Sort } from '../store/store.js';
import { fieldRef } from './crm-legacy-records.js';
import type { CallContext, MethodHandler } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';

/**
 * The universal `crm.item.*` methods (api-reference/crm/universal/crm-item-*.md; reference §6.9):
 * deals (2), contacts (3), companies (4) and smart processes. The same stored records as the legacy
 * methods, printed camelCase with JSON numbers, flags Y/N, ISO datetimes, wrapped as `{item}` or
 * `{items}`; user fields camelCase (`ufCrm5Direction`) or, with `useOriginalUfNames=Y`, `UF_CRM_5_DIRECTION`.
 * Errors are Engine-controller style: NOT_FOUND, INVALID_ARG_VALUE, CRM_FIELD_ERROR_VALUE_NOT_VALID, 100.
 */

type Getter = (doc: ItemDoc) => unknown;

/** CRM types a real portal has that the local portal does not keep records of. */
const UNSUPPORTED: Record<number, string> = {
  1: 'LEAD',
  5: 'INVOICE',
  7: 'QUOTE',
  8: 'REQUISITE',
  14: 'ORDER',
  31: 'SMART_INVOICE',
  36: 'SMART_DOCUMENT',
};

/** An Engine controller's missing required parameter (reference §6.8: `100`). */
export const missingParam = (name: string): RestError =>
  new RestError(100, `Could not find value for parameter {${name}}`, 400);

function present(params: CallContext['params'], name: string): unknown {
  const value = param(params, name);
  if (value === undefined || value === null || value === '') throw missingParam(name);
  return value;
}

/** The record core of a call's entityTypeId; "Smart process not found" when there is no such type. */
export function entityCore(portal: Portal, params: CallContext['params']): RecordCore {
  const entityTypeId = idParam(present(params, 'entityTypeId'));
  const core = entityTypeId === undefined ? undefined : recordCore(portal, entityTypeId);
  if (core) return core;
  const name = entityTypeId === undefined ? undefined : UNSUPPORTED[entityTypeId];
  if (name) throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${name} is not supported`, 400);
  throw errors.notFound('Smart process not found');
}

function translate(e: unknown): never {
  if (e instanceof RecordError) {
    if (e.reason === 'iterable')
      throw new RestError(100, `Expected iterable value for multiple field, but got ${e.got} instead`, 400);
    throw new RestError('CRM_FIELD_ERROR_VALUE_NOT_VALID', `Invalid value for field "${e.field.title}"`, 400);
  }
  throw e;
}

function ufGetter(core: RecordCore, def: FieldDef): Getter {
  const uf = def.uf!;
  const k = def.key;
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    switch (uf.USER_TYPE_ID) {
      case 'boolean':
        return v ? 'Y' : 'N';
      case 'date':
        return core.dateIso(String(v));
      case 'datetime':
        return core.iso(Number(v));
      case 'file': {
        // crm.item file values: {id, url, urlMachine} (reference §6.9); urlMachine is the REST
        // download link an application fetches with its auth (http/serve-download.ts).
        const f = v as StoredFile;
        return {
          id: f.id,
          url: fileUrl(core.portal, f),
          urlMachine: downloadLink(core.portal, 'crm', f.id, f.token),
        };
      }
      default:
        return v;
    }
  };
  if (uf.MULTIPLE) return (d) => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(one) : []);
  return (d) => one(d[k]);
}

function getter(core: RecordCore, def: FieldDef): Getter {
  const k = def.key;
  switch (def.kind) {
    case 'flag':
      return (d) => (d[k] ? 'Y' : 'N');
    case 'date':
      return (d) => (typeof d[k] === 'string' ? core.dateIso(d[k]) : null);
    case 'datetime':
      return (d) => (typeof d[k] === 'number' ? core.iso(d[k]) : null);
    case 'refs':
    case 'users':
      return (d) => (Array.isArray(d[k]) ? (d[k] as number[]) : []);
    case 'category':
      return (d) => d[k] ?? 0;
    case 'fm':
      return (d) =>
        (Array.isArray(d.fm) ? (d.fm as Multifield[]) : []).map((m) => ({
          id: m.id,
          valueType: m.valueType,
          value: m.value,
          typeId: m.typeId,
        }));
    case 'uf':
      return ufGetter(core, def);
    default:
      return (d) => d[k] ?? null;
  }
}

interface Column {
  name: string;
  get: Getter;
}

/** Selected fields in table order; `*` = all (multifields `fm` only through `*`), `id` always. */
function columns(core: RecordCore, select: string[], original: boolean): Column[] {
  const t = core.table;
  const names = new Set(select);
  const all = names.size === 0 || names.has('*');
  const allUf = names.has('ufCrm*') || names.has('UF_*') || names.has('uf*');
  const out: Column[] = [];
  for (const def of t.fields) {
    if (def.item === undefined) continue;
    const name = itemName(def, original);
    const take =
      all ||
      def.key === 'id' ||
      (def.kind !== 'fm' &&
        (names.has(name) || names.has(def.item) || (def.uf !== undefined && (allUf || names.has(def.key)))));
    if (take) out.push({ name, get: getter(core, def) });
  }
  return out;
}

type Render = (doc: ItemDoc) => Record<string, unknown>;

/** The row printer of a select list, built once per core (an export reuses it page after page). */
function renderer(core: RecordCore, select: string[], original: boolean): Render {
  const key = `item:${original ? 'Y' : 'N'}:${select.join(',')}`;
  let render = core.memo.get(key) as Render | undefined;
  if (!render) core.memo.set(key, (render = buildRenderer(core, columns(core, select, original))));
  return render;
}

/**
 * Rows start as a copy of a template with every key, so they all share one object shape: filling
 * keys one by one into `{}` was half as fast to build and to serialise in a 100,000-row export.
 */
function buildRenderer(core: RecordCore, cols: Column[]): Render {
  const template: Record<string, unknown> = Object.fromEntries(cols.map((c) => [c.name, null]));
  template.entityTypeId = core.entityTypeId;
  const n = cols.length;
  return (doc) => {
    const row = { ...template };
    for (let i = 0; i < n; i++) {
      const c = cols[i]!;
      row[c.name] = c.get(doc);
    }
    return row;
  };
}

const originalNames = (params: CallContext['params']): boolean =>
  flag(param(params, 'useOriginalUfNames')) === true;

function fullRender(
  core: RecordCore,
  params: CallContext['params'],
): (doc: ItemDoc) => Record<string, unknown> {
  return renderer(core, [], originalNames(params));
}

function resolver(core: RecordCore): FieldResolver {
  return (name) => {
    const def = core.table.byItem.get(name);
    return def ? fieldRef(core, def) : undefined;
  };
}

/** `order: {id: "DESC"}`; an unknown field or direction is refused (crm-item-list.md errors). */
function parseItemOrder(core: RecordCore, raw: unknown): Sort[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'object') throw errors.invalidArgValue('Invalid order: order must be an object');
  const resolve = resolver(core);
  const sorts: Sort[] = [];
  for (const [name, dirRaw] of Object.entries(raw as Record<string, unknown>)) {
    const ref = resolve(name);
    if (!ref || ref.multiple)
      throw errors.invalidArgValue(`Invalid order: field '${name}' is not allowed in order`);
    const dir = str(dirRaw).toUpperCase();
    if (dir !== 'ASC' && dir !== 'DESC')
      throw errors.invalidArgValue(
        `Invalid order: allowed sort directions are ASC, DESC. But got '${str(dirRaw)}' for field '${name}'`,
      );
    sorts.push({ field: ref.field, kind: ref.kind, dir });
  }
  return sorts;
}

/** crm.item input: camelCase names or original UF_ names; unknown fields are ignored (crm-item-add.md). */
function patchOf(t: FieldTable, fields: Record<string, unknown>): Patch {
  const patch: Patch = new Map();
  for (const [name, value] of Object.entries(fields)) {
    const def = t.byItem.get(name);
    if (def && def.item !== undefined) patch.set(def, value);
  }
  return patch;
}

function descriptor(def: FieldDef, original: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: def.type,
    isRequired: def.required,
    isReadOnly: def.readOnly,
    isImmutable: false,
    isMultiple: def.multiple,
    isDynamic: def.kind === 'uf',
  };
  if (def.deprecated) out.isDeprecated = true;
  if (def.statusType !== undefined) out.statusType = def.statusType;
  out.title = def.title;
  if (def.uf) {
    out.settings = def.uf.SETTINGS;
    if (def.uf.USER_TYPE_ID === 'enumeration')
      out.items = def.uf.LIST.map((i) => ({ ID: i.ID, VALUE: i.VALUE }));
  } else if (def.settings !== undefined) out.settings = def.settings;
  out.upperName = def.upper;
  if (def.uf && original) out.upperName = def.uf.FIELD_NAME;
  return out;
}

function existing(core: RecordCore, params: CallContext['params']): ItemDoc {
  const id = idParam(present(params, 'id'));
  const doc = id === undefined ? undefined : getRecord(core, id);
  if (!doc) throw errors.notFound('Element not found');
  return doc;
}

function fieldsOf(params: CallContext['params']): Record<string, unknown> {
  const fields = objectParam(params, 'fields');
  if (!fields) throw missingParam('fields');
  return fields;
}

const handlers: Record<string, MethodHandler> = {
  'crm.item.fields': ({ portal, params }) => {
    const core = entityCore(portal, params);
    const original = originalNames(params);
    const out: Record<string, unknown> = {};
    for (const def of core.table.fields)
      if (def.item !== undefined) out[itemName(def, original)] = descriptor(def, original);
    return ok({ fields: out });
  },
  'crm.item.list': ({ portal, params, start }) => {
    const core = entityCore(portal, params);
    const where = parseFilter(param(params, 'filter'), resolver(core), { unknown: 'error' });
    const order = parseItemOrder(core, param(params, 'order'));
    const select = listParam(param(params, 'select')).map(str);
    const render = renderer(core, select, originalNames(params));
    return listPage<ItemDoc>(portal.store, core.kind, start, { where, order }, (rows) => ({
      items: rows.map(render),
    }));
  },
  'crm.item.get': ({ portal, params }) => {
    const core = entityCore(portal, params);
    return ok({ item: fullRender(core, params)(existing(core, params)) });
  },
  'crm.item.add': ({ portal, params, userId }) => {
    const core = entityCore(portal, params);
    const fields = fieldsOf(params);
    try {
      const doc = createRecord(core, patchOf(core.table, fields), userId, {
        strict: true,
        allowCategoryChange: true,
      });
      return ok({ item: fullRender(core, params)(doc) });
    } catch (e) {
      return translate(e);
    }
  },
  'crm.item.update': ({ portal, params, userId }) => {
    const core = entityCore(portal, params);
    const prev = existing(core, params);
    const fields = fieldsOf(params);
    try {
      // Here a deal may change its pipeline (crm-deal-update.md points to crm.item.update for it).
      const doc = updateRecord(core, prev, patchOf(core.table, fields), userId, {
        strict: true,
        allowCategoryChange: true,
      });
      return ok({ item: fullRender(core, params)(doc) });
    } catch (e) {
      return translate(e);
    }
  },
  'crm.item.delete': ({ portal, params }) => {
    const core = entityCore(portal, params);
    const doc = existing(core, params);
    deleteRecord(core, doc.id);
    return ok([]);
  },
};

export const crmItemModule: MethodModule = { methods: scoped('crm', handlers) };
