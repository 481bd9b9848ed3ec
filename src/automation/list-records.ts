/**
 * Elements of a universal list as rule records (rule entity `{ list: <key> }`). A list provisioned from
 * config (`lists:` section) is found by its code; its elements are read with lists.element.get
 * (lists/elements/lists-element-get.md: properties as `PROPERTY_<id>: {valueId: value}`, dates in the
 * portal's site format, `DATE_CREATE` / `TIMESTAMP_X` as well) and turned into the Entity the rule
 * engine already works with:
 *
 *   entityTypeId  -<IBLOCK_ID>: lists have no CRM entity type; a negative number never meets one, and
 *                 the ledger, the state database and the event queue key records by it unchanged
 *   title         NAME (the element's name: the contract number)
 *   assignedById  the list's `responsible:` employee field (config), else CREATED_BY: the recipient
 *                 `responsible`, and `head` = the head of that employee's department
 *   fields        every property by its CODE (AMOUNT, STATUS ...), plus NAME, CREATED_BY, MODIFIED_BY,
 *                 DATE_CREATE, TIMESTAMP_X. A list field (L) holds its value's id (rules name values
 *                 by key or text, enum-values.ts), `<CODE>_TEXT` its text; a crm field (S:ECrm) holds
 *                 the binding as the portal keeps it (`D_42`, or `42` when the field binds deals only),
 *                 `<CODE>_ID` the record id and `<CODE>_URL` its page; a multiple field holds a list.
 *
 * Worked example (list 12, SUBMITTED_BY is the responsible field):
 *   { ID: '5', NAME: 'Д-17', CREATED_BY: '1', PROPERTY_31: {'88': 'D_42'}, PROPERTY_33: {'90': '7'},
 *     PROPERTY_36: {'93': '61'}, DATE_CREATE: '27.11.2026 10:00:00', ... }
 *   -> { entityTypeId: -12, id: 5, title: 'Д-17', assignedById: 7,
 *        fields: { DEAL: 'D_42', DEAL_ID: 42, DEAL_URL: '/crm/deal/details/42/', SUBMITTED_BY: '7',
 *                  STATUS: 61, STATUS_TEXT: 'На согласовании', ... } }
 *
 * Change detection is the sync job's (detect-changes.ts): elements are listed whole every run. A
 * lists.element.get filter on TIMESTAMP_X would have to be written in the portal's site date format,
 * which the REST API does not tell; a registry of contracts is a few hundred elements (pages of 50).
 */
import type { ListConfig } from '../config/sections/lists.js';
import type { LabConfig } from '../config/config-sections.js';
import type { B24Client } from '../rest/client.js';
import type { Catalog, TargetInfo } from './catalog.js';
import type { Entity, EntityRef } from './entity.js';
import type { EnumFields, EnumItem } from './enum-values.js';

type Row = Record<string, unknown>;

/** The information block type of universal lists (lists/lists/lists-add.md). */
export const LISTS_TYPE = 'lists';

export const isListEntityType = (entityTypeId: number): boolean => entityTypeId < 0;
export const listEntityTypeId = (iblockId: number): number => -iblockId;
export const iblockIdOf = (entityTypeId: number): number => -entityTypeId;

/** A property of the list as the engine needs it. */
export interface ListProperty {
  /** `PROPERTY_31` */
  fieldId: string;
  code: string;
  /** The portal's TYPE: `S`, `N`, `L`, `S:Date`, `S:ECrm`, `S:employee` ... */
  type: string;
  multiple: boolean;
  /** The CRM types a crm field binds (USER_TYPE_SETTINGS LEAD/CONTACT/COMPANY/DEAL = Y). */
  crmTypes: string[];
  /** A list field's values, with the config's key as XML_ID. */
  items: EnumItem[];
}

export interface ListInfo {
  iblockId: number;
  code: string;
  /** The employee field (a property code, or CREATED_BY) whose user is the element's responsible. */
  responsible: string;
  properties: ListProperty[];
}

/** A list as a rule target: entityTypeId -IBLOCK_ID, one pseudo-category 0, no stages. */
export interface ListTarget extends TargetInfo {
  list: ListInfo;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function positive(value: unknown): number | undefined {
  const n = Number(value);
  return value !== null && value !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** CRM binding prefixes of the types a list crm field can bind (crm/data-types.md#crm-binding-format). */
const CRM_PREFIX: Record<string, { prefix: string; entityTypeId: number; path: string }> = {
  LEAD: { prefix: 'L', entityTypeId: 1, path: 'lead' },
  DEAL: { prefix: 'D', entityTypeId: 2, path: 'deal' },
  CONTACT: { prefix: 'C', entityTypeId: 3, path: 'contact' },
  COMPANY: { prefix: 'CO', entityTypeId: 4, path: 'company' },
};

/**
 * The CRM record a binding value points at: `D_42` -> deal 42; a bare `42` when the field binds one
 * type only (the portal then keeps the id without a prefix) -> a record of that type.
 */
export function crmTarget(value: unknown, crmTypes: readonly string[]): EntityRef | undefined {
  const raw = text(value).trim();
  const prefixed = /^([A-Za-z][A-Za-z0-9]*)_(\d+)$/.exec(raw);
  if (prefixed) {
    const hit = Object.values(CRM_PREFIX).find((t) => t.prefix === prefixed[1]);
    if (hit) return { entityTypeId: hit.entityTypeId, id: Number(prefixed[2]) };
    // A smart process: T + hex entityTypeId (`T40c_3`).
    const spa = /^T([0-9a-f]+)$/i.exec(prefixed[1] ?? '');
    if (spa) return { entityTypeId: parseInt(spa[1] ?? '', 16), id: Number(prefixed[2]) };
    return undefined;
  }
  const id = positive(raw);
  if (id === undefined) return undefined;
  const only = crmTypes.length === 1 ? CRM_PREFIX[crmTypes[0] ?? ''] : undefined;
  // A bare id of a field that binds several types cannot be told apart: deals, the usual case.
  return { entityTypeId: only?.entityTypeId ?? 2, id };
}

const crmPath = (ref: EntityRef): string => {
  const known = Object.values(CRM_PREFIX).find((t) => t.entityTypeId === ref.entityTypeId);
  return known ? `/crm/${known.path}/details/${ref.id}/` : `/crm/type/${ref.entityTypeId}/details/${ref.id}/`;
};

/** The element's page on the portal. */
export const listElementPath = (ref: EntityRef): string =>
  `/company/lists/${iblockIdOf(ref.entityTypeId)}/element/0/${ref.id}/`;

/**
 * A date or date-time as a list prints it: the Russian site format `27.11.2026[ 10:00[:00]]`, the
 * English `11/27/2026[ 10:00:00 am]`, or ISO; in the portal's time zone. -> epoch ms.
 */
export function parseListDate(value: unknown, offsetMinutes: number): number | undefined {
  const raw = text(value).trim();
  if (raw === '') return undefined;
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(raw);
  const en = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?$/i.exec(raw);
  let parts: [number, number, number, number, number, number] | undefined;
  if (ru) parts = [+ru[3]!, +ru[2]!, +ru[1]!, +(ru[4] ?? 0), +(ru[5] ?? 0), +(ru[6] ?? 0)];
  else if (en) {
    let h = +(en[4] ?? 0) % (en[7] ? 12 : 24);
    if (en[7]?.toLowerCase() === 'pm') h += 12;
    parts = [+en[3]!, +en[1]!, +en[2]!, h, +(en[5] ?? 0), +(en[6] ?? 0)];
  }
  if (parts) {
    const [y, m, d, hh, mi, ss] = parts;
    return Date.UTC(y, m - 1, d, hh, mi, ss) - offsetMinutes * 60_000;
  }
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A date value for a list date field, in the format the element's own dates use (the site format:
 * lists parse dates with it): '2026-11-27' with sample '27.11.2026 10:00:00' -> '27.11.2026'.
 */
export function listDateInput(value: unknown, sample: string): unknown {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text(value));
  if (!m) return value;
  const [, y, mo, d, hh, mi, ss] = m;
  const time = hh !== undefined ? ` ${hh}:${mi}:${ss ?? '00'}` : '';
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(sample)) return `${mo}/${d}/${y}${time}`;
  return `${d}.${mo}.${y}${time}`;
}

/** `{'88': 'D_42'}` -> ['D_42']; a bare value (some portals print single values so) -> [value]. */
export function valuesOf(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '' || raw === false) return [];
  if (typeof raw === 'object')
    return Object.values(raw as Row)
      .map(text)
      .filter((v) => v !== '');
  return [text(raw)];
}

/** The properties of a list from lists.field.get, with the config's value keys. */
export function listPropertiesOf(fields: Row, config: ListConfig | undefined): ListProperty[] {
  const rows = Array.isArray(fields) ? [] : (Object.values(fields) as Row[]);
  return rows
    .filter((f) => text(f.FIELD_ID).startsWith('PROPERTY_'))
    .map((f) => {
      const code = text(f.CODE).toUpperCase();
      const configured = config?.fields.find((c) => c.code === code);
      const settings = (f.USER_TYPE_SETTINGS ?? {}) as Row;
      const shown = (f.DISPLAY_VALUES_FORM ?? {}) as Row;
      return {
        fieldId: text(f.FIELD_ID),
        code,
        type: text(f.TYPE),
        multiple: f.MULTIPLE === 'Y',
        crmTypes:
          settings && typeof settings === 'object'
            ? Object.keys(CRM_PREFIX).filter((t) => settings[t] === 'Y')
            : [],
        items: Object.entries(typeof shown === 'object' && shown !== null ? shown : {}).map(
          ([id, value]) => ({
            id: Number(id),
            value: text(value),
            xmlId:
              configured?.values?.find(
                (v) => v.value.trim().toLowerCase() === text(value).trim().toLowerCase(),
              )?.key ?? null,
          }),
        ),
      };
    });
}

/** One lists.element.get row as a rule record. */
export function entityFromElement(list: ListInfo, row: Row, offsetMinutes: number): Entity {
  const id = positive(row.ID);
  if (id === undefined) throw new TypeError('A list element without an ID');
  const fields: Record<string, unknown> = {};
  for (const name of ['NAME', 'CREATED_BY', 'MODIFIED_BY', 'DATE_CREATE', 'TIMESTAMP_X', 'CODE'])
    if (row[name] !== undefined) fields[name] = row[name];
  for (const p of list.properties) {
    const values = valuesOf(row[p.fieldId]);
    const one = (v: string): unknown => (p.type === 'L' ? Number(v) : v);
    fields[p.code] = p.multiple ? values.map(one) : values[0] === undefined ? null : one(values[0]);
    if (p.type === 'L') {
      const labels = values.map((v) => p.items.find((i) => String(i.id) === v)?.value ?? v);
      fields[`${p.code}_TEXT`] = labels.join(', ');
    }
    if (p.type === 'S:ECrm' && values[0] !== undefined) {
      const target = crmTarget(values[0], p.crmTypes);
      if (target) {
        fields[`${p.code}_ID`] = target.id;
        fields[`${p.code}_URL`] = crmPath(target);
      }
    }
  }
  const createdTime = parseListDate(row.DATE_CREATE, offsetMinutes) ?? 0;
  const responsible =
    list.responsible === 'CREATED_BY' ? row.CREATED_BY : (fields[list.responsible] ?? row.CREATED_BY);
  return {
    entityTypeId: listEntityTypeId(list.iblockId),
    id,
    title: text(row.NAME),
    categoryId: 0,
    stageId: '',
    assignedById: positive(Array.isArray(responsible) ? responsible[0] : responsible) ?? 0,
    observers: [],
    createdTime,
    updatedTime: parseListDate(row.TIMESTAMP_X, offsetMinutes) ?? createdTime,
    movedTime: null,
    fields,
  };
}

/** The list field values of the catalog's enums: by property code. */
function enumsOf(properties: ListProperty[]): EnumFields {
  return Object.fromEntries(properties.filter((p) => p.type === 'L').map((p) => [p.code, p.items]));
}

/** Reads the lists the rules name (by code); a list the portal lacks is a problem (not provisioned). */
export async function readListCatalog(
  client: B24Client,
  keys: Iterable<string>,
  config: LabConfig,
): Promise<{ lists: Record<string, ListTarget>; problems: string[] }> {
  const lists: Record<string, ListTarget> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const configured = config.lists?.find((l) => l.key === key);
    const rows = await client.call<Row[]>('lists.get', { IBLOCK_TYPE_ID: LISTS_TYPE, IBLOCK_CODE: key });
    const row = Array.isArray(rows) ? rows[0] : undefined;
    if (!row) {
      problems.push(`The portal has no list "${key}"${configured ? ` («${configured.name}»)` : ''}`);
      continue;
    }
    const iblockId = Number(row.ID);
    const fields = await client.call<Row>('lists.field.get', {
      IBLOCK_TYPE_ID: LISTS_TYPE,
      IBLOCK_ID: iblockId,
    });
    const properties = listPropertiesOf(fields, configured);
    const name = text(row.NAME) || configured?.name || key;
    lists[key] = {
      key,
      entityTypeId: listEntityTypeId(iblockId),
      name,
      categories: [{ key, id: 0, name, stages: [] }],
      fields: {},
      enums: enumsOf(properties),
      list: { iblockId, code: key, responsible: configured?.responsible ?? 'CREATED_BY', properties },
    };
  }
  return { lists, problems };
}

/** The list target of a record type, from the catalog. */
export function listTargetOf(catalog: Catalog | undefined, entityTypeId: number): ListTarget | undefined {
  const lists = (catalog as { lists?: Record<string, ListTarget> } | undefined)?.lists ?? {};
  return Object.values(lists).find((l) => l.entityTypeId === entityTypeId);
}

/**
 * The elements of a list as records, streamed (lists.element.get pages of 50, offset paging); `ids`
 * restricts them (FILTER ID: [...], lists-element-get.md).
 */
export async function* readListRecords(
  client: B24Client,
  list: ListInfo,
  offsetMinutes: number,
  options: { ids?: number[]; signal?: AbortSignal } = {},
): AsyncGenerator<Entity> {
  const params: Row = { IBLOCK_TYPE_ID: LISTS_TYPE, IBLOCK_ID: list.iblockId };
  if (options.ids) params.FILTER = { ID: options.ids };
  for await (const row of client.list<Row>(
    'lists.element.get',
    params,
    options.signal ? { signal: options.signal } : {},
  )) {
    yield entityFromElement(list, row, offsetMinutes);
  }
}

/**
 * The task bindings of a list element: the CRM records its crm fields point at (a contract's deal),
 * so the approval task shows on the deal's card; none when it points at nothing.
 */
export function listTaskBindings(entity: Entity, catalog: Catalog): string[] {
  const target = listTargetOf(catalog, entity.entityTypeId);
  if (!target) return [];
  const out: string[] = [];
  for (const p of target.list.properties) {
    if (p.type !== 'S:ECrm') continue;
    const raw = entity.fields[p.code];
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const ref = crmTarget(v, p.crmTypes);
      if (!ref) continue;
      const known = Object.values(CRM_PREFIX).find((t) => t.entityTypeId === ref.entityTypeId);
      const binding = known ? `${known.prefix}_${ref.id}` : `T${ref.entityTypeId.toString(16)}_${ref.id}`;
      if (!out.includes(binding)) out.push(binding);
    }
  }
  return out;
}
