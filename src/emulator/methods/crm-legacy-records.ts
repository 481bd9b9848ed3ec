import type { MethodModule, Portal } from '../portal.js';
import type { FieldDef, FieldTable } from '../crm/fields.js';
import { ufLabel } from '../crm/fields.js';
import type { ItemDoc } from '../crm/model.js';
import { ENTITY_TYPE } from '../crm/model.js';
import type { Multifield, Patch, RecordCore, StoredFile } from '../crm/records.js';
import {
  RecordError,
  createRecord,
  deleteRecord,
  fileUrl,
  getRecord,
  recordCore,
  saveRecord,
  setBindings,
  updateRecord,
} from '../crm/records.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import type { RestError } from '../protocol/rest-error.js';
import { errors } from '../protocol/rest-error.js';
import { parseDateInput, portalDate } from '../portal-clock.js';
import type { CallContext, MethodHandler } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, requireId, str } from './params.js';

/**
 * The legacy CRM record methods: `crm.deal.*`, `crm.contact.*`, `crm.company.*` (fields, list, get,
 * add, update, delete) and the deal's contact bindings `crm.deal.contact.*`
 * (api-reference/crm/deals/*.md, contacts/*.md, companies/*.md; reference/bitrix24-rest.md §6.5-6.6).
 *
 * This view prints the stored record the legacy way: UPPER_CASE keys, every scalar a string, money
 * as "1000.00", empty references as null, flags Y/N, datetimes ISO with the portal offset; errors
 * carry an empty code: `{"error":"","error_description":"Not found"}` (§2.4).
 */

type Getter = (doc: ItemDoc) => unknown;

const legacyError = (description: string): RestError => errors.legacy(description);
const badId = (): RestError => legacyError('ID is not defined or invalid.');

/** A record error in the legacy style (crm-deal-add.md: `Invalid value for the "Currency" field`). */
function translate(e: unknown): never {
  if (e instanceof RecordError) throw legacyError(`Invalid value for the "${e.field.legacyTitle}" field`);
  throw e;
}

function ufGetter(core: RecordCore, def: FieldDef): Getter {
  const uf = def.uf!;
  const k = def.key;
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    switch (uf.USER_TYPE_ID) {
      case 'boolean':
        return v ? '1' : '0';
      case 'date':
        return core.dateIso(String(v));
      case 'datetime':
        return core.iso(Number(v));
      case 'file': {
        // Legacy file values: {id, showUrl, downloadUrl} (the local portal serves both at one URL).
        const f = v as StoredFile;
        const url = fileUrl(core.portal, f);
        return { id: f.id, showUrl: url, downloadUrl: url };
      }
      default:
        return String(v);
    }
  };
  if (uf.MULTIPLE) return (d) => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(one) : []);
  if (uf.USER_TYPE_ID === 'boolean') return (d) => (d[k] === undefined ? null : one(d[k]));
  return (d) => one(d[k]);
}

/** How one field prints in the legacy view. */
function getter(core: RecordCore, def: FieldDef): Getter {
  const k = def.key;
  switch (def.kind) {
    case 'id':
      return (d) => String(d.id);
    case 'int':
    case 'user':
    case 'ref':
    case 'parent':
      return (d) => (d[k] === undefined || d[k] === null ? null : String(d[k]));
    case 'category':
      return (d) => String(d[k] ?? 0);
    case 'double':
    case 'money':
      // REVENUE prints as a plain number string ("0"), amounts with two decimals ("1000.00").
      return k === 'revenue'
        ? (d) => (typeof d[k] === 'number' ? String(d[k]) : null)
        : (d) => (typeof d[k] === 'number' ? d[k].toFixed(2) : null);
    case 'flag':
      return (d) => (d[k] ? 'Y' : 'N');
    case 'date':
      return (d) => (typeof d[k] === 'string' ? core.dateIso(d[k]) : '');
    case 'datetime':
      return (d) => (typeof d[k] === 'number' ? core.iso(d[k]) : '');
    case 'refs':
    case 'users':
      return (d) => (Array.isArray(d[k]) ? (d[k] as number[]).map(String) : []);
    case 'multifield': {
      const type = def.fmType!;
      return (d) =>
        (Array.isArray(d.fm) ? (d.fm as Multifield[]) : [])
          .filter((m) => m.typeId === type)
          .map((m) => ({ ID: String(m.id), VALUE_TYPE: m.valueType, VALUE: m.value, TYPE_ID: m.typeId }));
    }
    case 'uf':
      return ufGetter(core, def);
    default:
      return (d) => (d[k] === undefined ? null : d[k]);
  }
}

interface Column {
  name: string;
  get: Getter;
  /** Multifields in crm.*.get appear only when the record has values of that type. */
  skipEmpty: boolean;
}

/**
 * The columns of a legacy list or get, in the entity's field order. `*` = every system field except
 * multiple ones and multifields; `UF_*` = the user fields; other names select one field (crm-deal-list.md).
 * Without select a list prints `*` only: user fields come with `UF_*` (as clients of real portals see).
 */
function columns(core: RecordCore, select: string[], forGet: boolean): Column[] {
  const t = core.table;
  const names = new Set(select.map((s) => s.toUpperCase()));
  const star = forGet || names.has('*') || names.size === 0;
  const ufs = forGet || names.has('UF_*');
  const out: Column[] = [];
  for (const def of t.fields) {
    if (def.legacy === undefined) continue;
    let take = def.key === 'id' || names.has(def.legacy);
    if (def.kind === 'uf') take ||= ufs;
    else if (def.kind === 'multifield') take ||= forGet;
    else if (def.inLegacyStar) take ||= star;
    // CONTACT_IDS / COMPANY_IDS are not selectable in list and get (crm-deal-fields.md note).
    if (def.kind === 'refs') take = false;
    if (take)
      out.push({
        name: def.legacy,
        get: getter(core, def),
        skipEmpty: forGet && def.kind === 'multifield',
      });
  }
  return out;
}

type Render = (doc: ItemDoc) => Record<string, unknown>;

/** The row printer of a select list, built once per core (an export reuses it page after page). */
function renderer(core: RecordCore, select: string[], forGet: boolean): Render {
  const key = `legacy:${forGet ? 'get' : 'list'}:${select.join(',')}`;
  let render = core.memo.get(key) as Render | undefined;
  if (!render) core.memo.set(key, (render = buildRenderer(columns(core, select, forGet))));
  return render;
}

/**
 * List rows start as a copy of a template with every key, so they all share one object shape:
 * filling keys one by one into `{}` was half as fast to build and to serialise in a 100,000-row export.
 */
function buildRenderer(cols: Column[]): Render {
  if (!cols.some((c) => c.skipEmpty)) {
    const template: Record<string, unknown> = Object.fromEntries(cols.map((c) => [c.name, null]));
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
  return (doc) => {
    const row: Record<string, unknown> = {};
    for (const c of cols) {
      const v = c.get(doc);
      if (c.skipEmpty && Array.isArray(v) && v.length === 0) continue;
      row[c.name] = v;
    }
    return row;
  };
}

/** The stored key and comparison of a field in filters and sorts (shared with crm.item). */
export function fieldRef(core: RecordCore, def: FieldDef): FieldRef | undefined {
  const offset = core.offsetMinutes;
  const toDate = (v: unknown): unknown => {
    const ms = parseDateInput(v, offset);
    return ms === undefined ? null : portalDate(ms, offset);
  };
  const toMs = (v: unknown): unknown => parseDateInput(v, offset) ?? null;
  const toFlag = (v: unknown): unknown => (flag(v) ? 1 : 0);
  const multiple = def.multiple ? { multiple: true } : {};
  if (def.kind === 'uf') {
    switch (def.uf!.USER_TYPE_ID) {
      case 'integer':
      case 'double':
      case 'enumeration':
      case 'employee':
        return { field: def.key, kind: 'number', ...multiple };
      case 'boolean':
        return { field: def.key, kind: 'number', toStored: toFlag, ...multiple };
      case 'date':
        return { field: def.key, kind: 'text', toStored: toDate, ...multiple };
      case 'datetime':
        return { field: def.key, kind: 'number', toStored: toMs, ...multiple };
      case 'file':
        return undefined;
      default:
        return { field: def.key, kind: 'text', ...multiple };
    }
  }
  switch (def.kind) {
    case 'id':
      return { field: 'id', kind: 'number' };
    case 'int':
    case 'user':
    case 'ref':
    case 'parent':
    case 'category':
    case 'double':
    case 'money':
      return { field: def.key, kind: 'number' };
    case 'refs':
    case 'users':
      return { field: def.key, kind: 'number', multiple: true };
    case 'flag':
      return { field: def.key, kind: 'number', toStored: toFlag };
    case 'date':
      return { field: def.key, kind: 'text', toStored: toDate };
    case 'datetime':
      return { field: def.key, kind: 'number', toStored: toMs };
    case 'multifield':
      return { field: def.key, kind: 'text', multiple: true };
    case 'fm':
      return undefined;
    default:
      return { field: def.key, kind: 'text' };
  }
}

function resolver(core: RecordCore): FieldResolver {
  return (name) => {
    const def = core.table.byLegacy.get(name.toUpperCase());
    // crm-deal-list.md: CONTACT_IDS is not filterable in the legacy list.
    if (!def || def.kind === 'refs') return undefined;
    return fieldRef(core, def);
  };
}

/** Legacy input: UPPER names, case-insensitive; unknown keys are ignored (crm-deal-update.md). */
function legacyPatch(t: FieldTable, fields: Record<string, unknown>): Patch {
  const patch: Patch = new Map();
  for (const [name, value] of Object.entries(fields)) {
    const def = t.byLegacy.get(name.toUpperCase());
    if (def) patch.set(def, value);
  }
  return patch;
}

function descriptor(def: FieldDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: def.legacyType,
    isRequired: def.required,
    isReadOnly: def.readOnly,
    isImmutable: def.immutable,
    isMultiple: def.multiple,
    isDynamic: def.kind === 'uf',
  };
  if (def.deprecated) out.isDeprecated = true;
  if (def.statusType !== undefined) out.statusType = def.statusType;
  out.title = def.legacyTitle;
  if (def.uf) {
    // crm-deal-fields.md: a user field's title is its name; the labels come separately.
    const label = ufLabel(def.uf);
    const pick = (m: Record<string, string>): string => m.ru || m.en || label;
    out.listLabel = pick(def.uf.LIST_COLUMN_LABEL);
    out.formLabel = pick(def.uf.EDIT_FORM_LABEL);
    out.filterLabel = pick(def.uf.LIST_FILTER_LABEL);
    out.settings = def.uf.SETTINGS;
    if (def.uf.USER_TYPE_ID === 'enumeration')
      out.items = def.uf.LIST.map((i) => ({ ID: String(i.ID), VALUE: i.VALUE }));
  } else if (def.settings !== undefined) out.settings = def.settings;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Handlers per entity

function coreOf(portal: Portal, entityTypeId: number): RecordCore {
  const core = recordCore(portal, entityTypeId);
  if (!core) throw errors.internal();
  return core;
}

function fieldsParam(params: CallContext['params']): Record<string, unknown> {
  const fields = objectParam(params, 'fields', 'FIELDS', 'arFields');
  if (!fields) throw legacyError("Parameter 'fields' must be array.");
  return fields;
}

function existing(core: RecordCore, params: CallContext['params']): ItemDoc {
  const id = requireId(param(params, 'id', 'ID'), badId);
  const doc = getRecord(core, id);
  if (!doc) throw legacyError('Not found');
  return doc;
}

function listHandler(entityTypeId: number): MethodHandler {
  return ({ portal, params, start }) => {
    const core = coreOf(portal, entityTypeId);
    const filter = param(params, 'filter', 'FILTER');
    if (filter !== undefined && filter !== '' && (typeof filter !== 'object' || filter === null))
      throw legacyError("Parameter 'filter' must be array.");
    const where = parseFilter(filter, resolver(core), { unknown: 'ignore' });
    const order = parseOrder(param(params, 'order', 'ORDER'), resolver(core));
    const select = listParam(param(params, 'select', 'SELECT')).map(str);
    const render = renderer(core, select, false);
    return listPage<ItemDoc>(portal.store, core.kind, start, { where, order }, (rows) => rows.map(render));
  };
}

function entityMethods(prefix: string, entityTypeId: number): Record<string, MethodHandler> {
  return {
    [`${prefix}.fields`]: ({ portal }) => {
      const core = coreOf(portal, entityTypeId);
      const out: Record<string, unknown> = {};
      for (const def of core.table.fields) if (def.legacy !== undefined) out[def.legacy] = descriptor(def);
      return ok(out);
    },
    [`${prefix}.list`]: listHandler(entityTypeId),
    [`${prefix}.get`]: ({ portal, params }) => {
      const core = coreOf(portal, entityTypeId);
      return ok(renderer(core, [], true)(existing(core, params)));
    },
    [`${prefix}.add`]: ({ portal, params, userId }) => {
      const core = coreOf(portal, entityTypeId);
      const fields = fieldsParam(params);
      try {
        const doc = createRecord(core, legacyPatch(core.table, fields), userId, {
          strict: false,
          allowCategoryChange: false,
        });
        return ok(doc.id);
      } catch (e) {
        return translate(e);
      }
    },
    [`${prefix}.update`]: ({ portal, params, userId }) => {
      const core = coreOf(portal, entityTypeId);
      const prev = existing(core, params);
      const fields = fieldsParam(params);
      try {
        // CATEGORY_ID is immutable here: moving a deal to another pipeline is crm.item.update's job.
        updateRecord(core, prev, legacyPatch(core.table, fields), userId, {
          strict: false,
          allowCategoryChange: false,
        });
      } catch (e) {
        translate(e);
      }
      return ok(true);
    },
    [`${prefix}.delete`]: ({ portal, params }) => {
      const core = coreOf(portal, entityTypeId);
      const doc = existing(core, params);
      deleteRecord(core, doc.id);
      return ok(true);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// crm.deal.contact.* (api-reference/crm/deals/contacts/*.md): the deal's contact bindings, ints here.

interface Binding {
  CONTACT_ID: number;
  SORT: number;
  ROLE_ID: number;
  IS_PRIMARY: 'Y' | 'N';
}

function bindingsOf(doc: ItemDoc): Binding[] {
  const ids = Array.isArray(doc.contactIds) ? (doc.contactIds as number[]) : [];
  const sorts = Array.isArray(doc.contactIdsSort) ? (doc.contactIdsSort as number[]) : [];
  return ids.map((id, i) => ({
    CONTACT_ID: id,
    SORT: sorts[i] ?? (i + 1) * 10,
    ROLE_ID: 0,
    IS_PRIMARY: id === doc.contactId ? 'Y' : 'N',
  }));
}

/** Stores bindings ordered by SORT; the primary one is the first marked Y, else the first given. */
function writeBindings(core: RecordCore, doc: ItemDoc, list: Binding[]): void {
  const primary = list.find((b) => b.IS_PRIMARY === 'Y') ?? list[0];
  const sorted = [...list].sort((a, b) => a.SORT - b.SORT);
  setBindings(
    doc,
    'contactIds',
    sorted.map((b) => b.CONTACT_ID),
    primary?.CONTACT_ID,
    sorted.map((b) => b.SORT),
  );
  saveRecord(core, doc);
}

function dealOf(
  portal: Portal,
  params: CallContext['params'],
  quoted: boolean,
): { core: RecordCore; doc: ItemDoc } {
  const core = coreOf(portal, ENTITY_TYPE.deal);
  const id = idParam(param(params, 'id', 'ID'));
  if (id === undefined)
    throw legacyError(
      quoted
        ? "The parameter 'ownerEntityID' is invalid or not defined."
        : 'The parameter ownerEntityID is invalid or not defined.',
    );
  const doc = getRecord(core, id);
  if (!doc) throw legacyError('Not found.');
  return { core, doc };
}

function bindingFields(params: CallContext['params']): Record<string, unknown> {
  const fields = objectParam(params, 'fields', 'FIELDS');
  if (!fields) throw legacyError("The parameter 'fields' must be array.");
  return fields;
}

function contactIdOf(fields: Record<string, unknown>): number {
  const id = idParam(param(fields, 'CONTACT_ID'));
  if (id === undefined) throw legacyError("The parameter 'fields' is not valid.");
  return id;
}

const dealContactMethods: Record<string, MethodHandler> = {
  'crm.deal.contact.fields': () =>
    ok({
      CONTACT_ID: {
        type: 'integer',
        isRequired: true,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: 'Contact',
      },
      SORT: {
        type: 'integer',
        isRequired: false,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: 'Sort index',
      },
      ROLE_ID: {
        type: 'integer',
        isRequired: false,
        isReadOnly: true,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: 'Role',
      },
      IS_PRIMARY: {
        type: 'char',
        isRequired: false,
        isReadOnly: false,
        isImmutable: false,
        isMultiple: false,
        isDynamic: false,
        title: 'Primary',
      },
    }),
  'crm.deal.contact.items.get': ({ portal, params }) => ok(bindingsOf(dealOf(portal, params, false).doc)),
  'crm.deal.contact.items.set': ({ portal, params }) => {
    const { core, doc } = dealOf(portal, params, false);
    const raw = param(params, 'items', 'ITEMS');
    if (raw !== undefined && raw !== '' && (typeof raw !== 'object' || raw === null))
      throw legacyError('The parameter items must be array.');
    const list: Binding[] = [];
    listParam(raw).forEach((entry, i) => {
      if (!entry || typeof entry !== 'object') return;
      const e = entry as Record<string, unknown>;
      const id = idParam(param(e, 'CONTACT_ID'));
      if (id === undefined || list.some((b) => b.CONTACT_ID === id)) return;
      const sort = Number(param(e, 'SORT'));
      list.push({
        CONTACT_ID: id,
        SORT: Number.isFinite(sort) && str(param(e, 'SORT')) !== '' ? Math.trunc(sort) : (i + 1) * 10,
        ROLE_ID: 0,
        IS_PRIMARY: flag(param(e, 'IS_PRIMARY')) ? 'Y' : 'N',
      });
    });
    writeBindings(core, doc, list);
    return ok(true);
  },
  'crm.deal.contact.items.delete': ({ portal, params }) => {
    const { core, doc } = dealOf(portal, params, false);
    writeBindings(core, doc, []);
    return ok(true);
  },
  'crm.deal.contact.add': ({ portal, params }) => {
    const { core, doc } = dealOf(portal, params, true);
    const fields = bindingFields(params);
    const id = contactIdOf(fields);
    const list = bindingsOf(doc);
    if (list.some((b) => b.CONTACT_ID === id)) return ok(false);
    const sortRaw = param(fields, 'SORT');
    const sort =
      sortRaw !== undefined && sortRaw !== '' && Number.isFinite(Number(sortRaw))
        ? Math.trunc(Number(sortRaw))
        : Math.max(0, ...list.map((b) => b.SORT)) + 10;
    const primary = flag(param(fields, 'IS_PRIMARY')) === true || list.length === 0;
    const next: Binding[] = list.map((b) => ({ ...b, IS_PRIMARY: primary ? 'N' : b.IS_PRIMARY }));
    next.push({ CONTACT_ID: id, SORT: sort, ROLE_ID: 0, IS_PRIMARY: primary ? 'Y' : 'N' });
    writeBindings(core, doc, next);
    return ok(true);
  },
  'crm.deal.contact.delete': ({ portal, params }) => {
    const { core, doc } = dealOf(portal, params, true);
    const id = contactIdOf(bindingFields(params));
    const list = bindingsOf(doc);
    if (!list.some((b) => b.CONTACT_ID === id)) return ok(false);
    writeBindings(
      core,
      doc,
      list.filter((b) => b.CONTACT_ID !== id),
    );
    return ok(true);
  },
};

export const crmLegacyRecordsModule: MethodModule = {
  methods: scoped('crm', {
    ...entityMethods('crm.deal', ENTITY_TYPE.deal),
    ...entityMethods('crm.contact', ENTITY_TYPE.contact),
    ...entityMethods('crm.company', ENTITY_TYPE.company),
    ...dealContactMethods,
  }),
};
