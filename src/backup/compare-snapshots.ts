/**
 * Compares a snapshot with a snapshot of the portal it was restored into, entity by entity and field
 * by field: the source's rows go through the restore's mapping (remap-row.ts), the target's through
 * an identity map, both lose the fields a restore cannot keep (IDs, system dates: remap-rules.ts
 * `drop`, plus IGNORED below), and what is left must be equal. The proof a restore restores.
 */
import type { IdMap } from './id-map.js';
import { IdentityMap } from './id-map.js';
import type { ChainLink } from './effective-rows.js';
import { effectiveRows } from './effective-rows.js';
import type { PropertyTypes } from './remap-list-element.js';
import { normalizeList, propertyTypes, remapListElement } from './remap-list-element.js';
import { REMAP_RULES } from './remap-rules.js';
import type { RefSpec } from './remap-row.js';
import { enumRules, remapUfName, renameItemFields } from './remap-user-fields.js';
import { remapEntityType, remapRow, remapStage, remapStatusEntity } from './remap-row.js';
import type { Row } from './write-snapshot.js';

/** Values the portal sets by itself on creation: a new GUID, counters, who changed the status when. */
const IGNORED = new Set([
  'guid',
  'statusChangedBy',
  'statusChangedDate',
  'viewedDate',
  'DATE_REGISTER',
  'LAST_LOGIN',
  'IS_ONLINE',
]);

export interface EntityDifference {
  entity: string;
  source: number;
  target: number;
  /** The first differences found (at most 10 per entity). */
  problems: string[];
}

type KeyOf = (row: Row, map: IdMap) => string | undefined;

const byMap =
  (kind: string | ((row: Row) => string), field: string): KeyOf =>
  (row, map) => {
    const k = typeof kind === 'string' ? kind : kind(row);
    const id = map.get(k, String(row[field]));
    return id === undefined ? undefined : `${k}:${id}`;
  };

const KEYS: Record<string, KeyOf> = {
  departments: byMap('department', 'ID'),
  'smart-process-types': (row, map) => String(remapEntityType(Number(row.entityTypeId), map)),
  pipelines: byMap('category', 'id'),
  stages: (row, map) =>
    `${remapStatusEntity(String(row.ENTITY_ID), map)}|${remapStage(String(row.STATUS_ID), map)}`,
  fields: (row) => `${String(row.ENTITY_ID)}|${String(row.FIELD_NAME)}`,
  companies: byMap('company', 'ID'),
  contacts: byMap('contact', 'ID'),
  deals: byMap('deal', 'ID'),
  'deal-contacts': byMap('deal', 'DEAL_ID'),
  'smart-process-items': (row, map) => {
    const type = remapEntityType(Number(row.entityTypeId), map);
    const id = map.get(`item:${String(row.entityTypeId)}`, String(row.id));
    return type === undefined || id === undefined ? undefined : `${type}:${id}`;
  },
  tasks: byMap('task', 'id'),
  'timeline-comments': byMap('comment', 'ID'),
  files: byMap((row) => (row.TYPE === 'folder' ? 'folder' : 'file'), 'ID'),
  lists: byMap('list', 'ID'),
  'smart-process-fields': (row, map) =>
    `${remapUfName(String(row.entityId), map)}|${remapUfName(String(row.fieldName), map)}`,
  'list-elements': byMap('listElement', 'ID'),
};

/** The identity map's item keys use the target's own entityTypeId. */
function targetKey(entity: string, row: Row, identity: IdMap): string | undefined {
  if (entity === 'smart-process-items') return `${String(row.entityTypeId)}:${String(row.id)}`;
  return KEYS[entity]?.(row, identity);
}

interface Side {
  types: PropertyTypes;
  extra: Record<string, Record<string, RefSpec>>;
}

function normalize(entity: string, row: Row, map: IdMap, side: Side): Row {
  if (entity === 'lists') return normalizeList(row, map);
  if (entity === 'smart-process-fields') {
    const out: Row = { ...row, entityId: remapUfName(String(row.entityId), map) };
    out.fieldName = remapUfName(String(row.fieldName), map);
    delete out.id;
    if (Array.isArray(row.enum))
      out.enum = (row.enum as Row[]).map((i) => ({
        value: i.value,
        sort: i.sort,
        def: i.def,
        xmlId: i.xmlId,
      }));
    return out;
  }
  if (entity === 'fields' && Array.isArray(row.LIST)) {
    const out: Row = { ...row, LIST: (row.LIST as Row[]).map((i) => ({ ...i, ID: undefined })) };
    delete out.ID;
    return out;
  }
  const base = REMAP_RULES[entity];
  const rules = base && { ...base, fields: { ...base.fields, ...(side.extra[entity] ?? {}) } };
  let fields = rules ? remapRow(row, rules, map).fields : { ...row };
  if (entity === 'smart-process-items') fields = renameItemFields(fields, map);
  for (const key of Object.keys(fields)) if (IGNORED.has(key)) delete fields[key];
  if (entity === 'deal-contacts' && Array.isArray(fields.items)) {
    fields.items = (fields.items as Row[]).map((i) => ({
      ...i,
      CONTACT_ID: map.get('contact', String(i.CONTACT_ID)),
    }));
  }
  if (entity === 'list-elements') {
    for (const key of Object.keys(fields)) if (key.startsWith('PROPERTY_')) delete fields[key];
    const { fields: props } = remapListElement(row, side.types, map);
    for (const [key, value] of Object.entries(props)) if (key.startsWith('PROPERTY_')) fields[key] = value;
  }
  return fields;
}

async function rowsOf(chain: ChainLink[], entity: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of effectiveRows(chain, entity)) rows.push(row);
  return rows;
}

async function sideOf(chain: ChainLink[]): Promise<Side> {
  return {
    types: propertyTypes(await rowsOf(chain, 'lists')),
    extra: enumRules(await rowsOf(chain, 'fields'), await rowsOf(chain, 'smart-process-fields')),
  };
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Row).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export async function compareSnapshots(
  source: ChainLink[],
  target: ChainLink[],
  map: IdMap,
  entities: string[],
): Promise<EntityDifference[]> {
  const identity = new IdentityMap();
  const out: EntityDifference[] = [];
  const sourceSide = await sideOf(source);
  const targetSide = await sideOf(target);
  for (const entity of entities) {
    const keyOf = KEYS[entity];
    if (!keyOf) continue;
    const targetRows = new Map<string, Row>();
    for await (const row of effectiveRows(target, entity)) {
      const key = targetKey(entity, row, identity);
      if (key !== undefined) targetRows.set(key, row);
    }
    const diff: EntityDifference = { entity, source: 0, target: targetRows.size, problems: [] };
    for await (const row of effectiveRows(source, entity)) {
      diff.source++;
      const key = keyOf(row, map);
      const other = key === undefined ? undefined : targetRows.get(key);
      if (!other) {
        if (diff.problems.length < 10)
          diff.problems.push(`${entity} ${stable(row).slice(0, 80)}: missing on the target`);
        continue;
      }
      targetRows.delete(key!);
      const a = normalize(entity, row, map, sourceSide);
      const b = normalize(entity, other, identity, targetSide);
      for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (stable(a[field]) !== stable(b[field]) && diff.problems.length < 10) {
          diff.problems.push(`${entity} ${key}: ${field} ${stable(a[field])} != ${stable(b[field])}`);
        }
      }
    }
    for (const key of targetRows.keys()) {
      if (diff.problems.length < 10) diff.problems.push(`${entity} ${key}: only on the target`);
    }
    out.push(diff);
  }
  return out;
}
