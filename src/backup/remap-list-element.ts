/**
 * Universal lists (lists.get + lists.field.get) and their elements (lists.element.get), pure: the
 * shapes a restore writes and a comparison normalizes. Property fields are named by their ID
 * (PROPERTY_951), which the target gives anew, so a property is re-named through the map (kind
 * `listField`), and its values are remapped by the property's type (lists-field-types.md):
 *
 *   S:employee   a user ID                     -> `user`
 *   L            a value ID of the enumeration -> `listEnum` (matched by VALUE on restore)
 *   E, E:EList   an element of a list          -> `listElement`
 *   S:ECrm       CRM bindings "D_12", "CO_4"   -> as UF_CRM_TASK (remap-row.ts)
 *   S:DiskFile   a Drive file "n55"            -> `file` (Drive files are restored before elements)
 *   F            a file of the list itself: not kept as content by the backup, left out (unresolved)
 *
 * An element prints a property as `{"<value row id>": value}` (lists-element-get.md); value rows are
 * new on the target, so values are kept as a plain array in value-row order.
 */
import type { IdMap } from './id-map.js';
import type { Unresolved } from './remap-row.js';
import { remapRow } from './remap-row.js';
import type { Row } from './write-snapshot.js';

/** Property ID -> its TYPE, from the `lists` entity rows. */
export type PropertyTypes = Map<string, string>;

export function propertyTypes(lists: Iterable<Row>): PropertyTypes {
  const out: PropertyTypes = new Map();
  for (const list of lists) {
    for (const f of Object.values((list.FIELDS ?? {}) as Record<string, Row>)) {
      const m = /^PROPERTY_(\d+)$/.exec(String(f.FIELD_ID));
      if (m) out.set(m[1] ?? '', String(f.TYPE));
    }
  }
  return out;
}

/** The element columns lists.element.add takes besides properties (lists-element-add.md). */
const ELEMENT_FIELDS = ['NAME', 'SORT', 'ACTIVE', 'PREVIEW_TEXT', 'DETAIL_TEXT', 'ACTIVE_FROM', 'ACTIVE_TO'];

function specOf(type: string): Parameters<typeof remapRow>[1]['fields'][string] | undefined {
  if (type === 'S:employee') return { type: 'id', kind: 'user' };
  if (type === 'L') return { type: 'id', kind: 'listEnum' };
  if (type === 'E' || type === 'E:EList') return { type: 'id', kind: 'listElement' };
  if (type === 'S:ECrm') return { type: 'binding' };
  if (type === 'S:DiskFile') return { type: 'attachment' };
  return undefined;
}

export interface RemappedElement {
  /** Columns plus PROPERTY_<target id>: [values]. */
  fields: Row;
  unresolved: Unresolved[];
}

/** One element row -> the FIELDS of lists.element.add on the target (or its normalized form). */
export function remapListElement(row: Row, types: PropertyTypes, map: IdMap): RemappedElement {
  const fields: Row = {};
  const unresolved: Unresolved[] = [];
  for (const name of ELEMENT_FIELDS) {
    if (row[name] !== undefined && row[name] !== null) fields[name] = row[name];
  }
  for (const [key, value] of Object.entries(row)) {
    const m = /^PROPERTY_(\d+)$/.exec(key);
    if (!m) continue;
    const source = m[1] ?? '';
    const target = map.get('listField', source);
    if (target === undefined) {
      unresolved.push({ field: key, kind: 'listField', id: source });
      continue;
    }
    // File values are IDs of the source's file table, and lists.element.add takes only content.
    if (types.get(source) === 'F') {
      unresolved.push({ field: key, kind: 'listFile', id: source });
      continue;
    }
    const values = value !== null && typeof value === 'object' ? Object.values(value as Row) : [value];
    const spec = specOf(types.get(source) ?? '');
    if (!spec) {
      fields[`PROPERTY_${target}`] = values;
      continue;
    }
    const r = remapRow({ v: values }, { fields: { v: spec }, drop: [] }, map);
    fields[`PROPERTY_${target}`] = r.fields.v ?? [];
    for (const u of r.unresolved) unresolved.push({ ...u, field: key });
  }
  return { fields, unresolved };
}

/** What lists.field.add takes of a lists.field.get row (lists-field-add.md); LIST from its values. */
export function listFieldInput(f: Row, map: IdMap): Row {
  const out: Row = {};
  for (const key of ['NAME', 'TYPE', 'CODE', 'SORT', 'IS_REQUIRED', 'MULTIPLE', 'SETTINGS']) {
    if (f[key] !== undefined && f[key] !== null) out[key] = f[key];
  }
  for (const key of ['USER_TYPE_SETTINGS', 'ROW_COUNT', 'COL_COUNT']) {
    if (f[key] !== undefined && f[key] !== null && f[key] !== false) out[key] = f[key];
  }
  if (f.LINK_IBLOCK_ID !== null && f.LINK_IBLOCK_ID !== undefined) {
    const target = map.get('list', String(f.LINK_IBLOCK_ID));
    if (target !== undefined) out.LINK_IBLOCK_ID = target;
  }
  if (f.TYPE === 'L' && f.DISPLAY_VALUES_FORM && typeof f.DISPLAY_VALUES_FORM === 'object') {
    const list: Row = {};
    Object.entries(f.DISPLAY_VALUES_FORM as Row).forEach(([id, value], i) => {
      list[`n${i}`] = { VALUE: value, SORT: (i + 1) * 10, DEF: String(f.DEFAULT_VALUE) === id ? 'Y' : 'N' };
    });
    out.LIST = list;
  } else if (f.DEFAULT_VALUE !== undefined && f.DEFAULT_VALUE !== null && f.DEFAULT_VALUE !== '') {
    out.DEFAULT_VALUE = f.DEFAULT_VALUE;
  }
  return out;
}

/**
 * A list row, normalized for a comparison: its fields keyed by CODE (properties) or FIELD_ID (system
 * fields), without their IDs; enumeration values as a list, defaults and links through the map.
 */
export function normalizeList(row: Row, map: IdMap): Row {
  const out: Row = { ...row };
  delete out.ID;
  delete out.TIMESTAMP_X;
  const fields: Row = {};
  for (const f of Object.values((row.FIELDS ?? {}) as Record<string, Row>)) {
    const isProperty = String(f.FIELD_ID).startsWith('PROPERTY_');
    const key = isProperty ? `CODE:${String(f.CODE)}` : String(f.FIELD_ID);
    const n: Row = { ...f };
    delete n.ID;
    delete n.FIELD_ID;
    if (n.LINK_IBLOCK_ID !== null && n.LINK_IBLOCK_ID !== undefined)
      n.LINK_IBLOCK_ID = map.get('list', String(n.LINK_IBLOCK_ID)) ?? null;
    if (f.TYPE === 'L') {
      n.DISPLAY_VALUES_FORM = Object.values((f.DISPLAY_VALUES_FORM ?? {}) as Row);
      n.DEFAULT_VALUE =
        f.DEFAULT_VALUE === '' || f.DEFAULT_VALUE === null || f.DEFAULT_VALUE === undefined
          ? ''
          : (map.get('listEnum', String(f.DEFAULT_VALUE)) ?? null);
    }
    fields[key] = n;
  }
  out.FIELDS = fields;
  return out;
}
