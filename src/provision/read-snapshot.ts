/**
 * Reads what the plan compares from a portal, through the REST client (lists stream; the per-type
 * reads go in batches). Shapes: reference/bitrix24-rest.md §6.1-6.4, §6.7, §6.8, §6.10.
 *
 * Requests for a portal with k smart processes: users, departments, deal pipelines, all crm.status rows
 * (one directory list), deal fields, types, then one batch per step for the k types (get, categories,
 * fields) and one for the enumeration fields' values.
 */
import type { B24Client } from '../rest/client.js';
import type { BatchCall } from '../rest/batch.js';
import { DEAL_ENTITY_TYPE_ID } from './plan-pipelines.js';
import { readLists } from './read-lists.js';
import type {
  PortalSnapshot,
  Semantics,
  SnapshotCategory,
  SnapshotField,
  SnapshotListItem,
  SnapshotRelation,
  SnapshotSmartProcess,
  SnapshotStage,
} from './snapshot.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const yes = (v: unknown): boolean => v === true || v === 'Y' || v === 'y' || v === 1 || v === '1';

/** The crm.status ENTITY_ID of a pipeline's stages (crm/status/index.md): DEAL_STAGE_3, DYNAMIC_1036_STAGE_7. */
export function stageEntityId(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === DEAL_ENTITY_TYPE_ID)
    return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
}

/** STATUS_ID prefix: C3: for deal pipeline 3, DT1036_7: for a smart process; '' for the default pipeline. */
export function stagePrefix(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === DEAL_ENTITY_TYPE_ID) return categoryId === 0 ? '' : `C${categoryId}:`;
  return `DT${entityTypeId}_${categoryId}:`;
}

async function collect<T = Row>(client: B24Client, method: string, params: Row = {}): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of client.list<T>(method, params)) rows.push(row);
  return rows;
}

/** Fails the whole read on the first refused call of a batch: a partial snapshot would plan deletes. */
async function batchAll<T>(client: B24Client, calls: BatchCall[]): Promise<T[]> {
  if (calls.length === 0) return [];
  const outcomes = await client.batch<T>(calls);
  return outcomes.map((o) => {
    if (!o.ok) throw o.error;
    return o.result;
  });
}

function stageOf(row: Row, prefix: string): SnapshotStage {
  const statusId = text(row.STATUS_ID);
  const semantics: Semantics =
    row.SEMANTICS === 'S' ? 'success' : row.SEMANTICS === 'F' ? 'failure' : 'process';
  return {
    id: num(row.ID),
    statusId,
    code: statusId.startsWith(prefix) ? statusId.slice(prefix.length) : statusId,
    name: text(row.NAME),
    sort: num(row.SORT),
    color: text(row.COLOR),
    semantics,
    system: yes(row.SYSTEM),
  };
}

function stagesOf(byEntity: Map<string, Row[]>, entityTypeId: number, categoryId: number): SnapshotStage[] {
  const prefix = stagePrefix(entityTypeId, categoryId);
  return (byEntity.get(stageEntityId(entityTypeId, categoryId)) ?? [])
    .map((r) => stageOf(r, prefix))
    .sort((a, b) => a.sort - b.sort || a.id - b.id);
}

/** A label printed as a string (list with LANG), a language map (get, userfieldconfig) or null. */
function labelOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const map = value as Record<string, unknown>;
    return text(map.ru) || text(Object.values(map).find((v) => typeof v === 'string' && v !== ''));
  }
  return '';
}

function legacyField(row: Row): SnapshotField {
  const fieldName = text(row.FIELD_NAME);
  return {
    id: num(row.ID),
    fieldName,
    code: fieldName.replace(/^UF_CRM_/, ''),
    type: text(row.USER_TYPE_ID),
    multiple: yes(row.MULTIPLE),
    mandatory: yes(row.MANDATORY),
    sort: num(row.SORT),
    label: labelOf(row.EDIT_FORM_LABEL),
    settings: (row.SETTINGS && typeof row.SETTINGS === 'object' ? row.SETTINGS : {}) as Record<
      string,
      unknown
    >,
    list: Array.isArray(row.LIST)
      ? (row.LIST as Row[]).map((i): SnapshotListItem => ({
          id: num(i.ID),
          key: text(i.XML_ID),
          value: text(i.VALUE),
          sort: num(i.SORT),
          default: yes(i.DEF),
        }))
      : [],
  };
}

function configField(row: Row, typeId: number): SnapshotField {
  const fieldName = text(row.fieldName);
  const prefix = `UF_CRM_${typeId}_`;
  return {
    id: num(row.id),
    fieldName,
    code: fieldName.startsWith(prefix) ? fieldName.slice(prefix.length) : fieldName,
    type: text(row.userTypeId),
    multiple: yes(row.multiple),
    mandatory: yes(row.mandatory),
    sort: num(row.sort),
    label: labelOf(row.editFormLabel),
    settings: (row.settings && typeof row.settings === 'object' ? row.settings : {}) as Record<
      string,
      unknown
    >,
    list: Array.isArray(row.enum)
      ? (row.enum as Row[]).map((i) => ({
          id: num(i.id),
          key: text(i.xmlId),
          value: text(i.value),
          sort: num(i.sort),
          default: yes(i.def),
        }))
      : [],
  };
}

function relationsOf(rows: unknown): SnapshotRelation[] {
  if (!Array.isArray(rows)) return [];
  return (rows as Row[]).map((r) => ({
    entityTypeId: num(r.entityTypeId),
    childrenList: yes(r.isChildrenListEnabled),
    predefined: yes(r.isPredefined),
  }));
}

export interface ReadSnapshotOptions {
  /** Read the universal lists too (scope `lists`; only when the config manages lists). */
  lists?: boolean;
}

export async function readSnapshot(
  client: B24Client,
  options: ReadSnapshotOptions = {},
): Promise<PortalSnapshot> {
  const users = await collect(client, 'user.get', {});
  const departments = await collect(client, 'department.get', {});
  const dealCategories = await collect(client, 'crm.category.list', { entityTypeId: DEAL_ENTITY_TYPE_ID });
  const statuses = await collect(client, 'crm.status.list', {});
  const dealFieldRows = await collect(client, 'crm.deal.userfield.list', { filter: { LANG: 'ru' } });
  const types = await collect(client, 'crm.type.list', {});

  const byEntity = new Map<string, Row[]>();
  for (const row of statuses) {
    const id = text(row.ENTITY_ID);
    byEntity.set(id, [...(byEntity.get(id) ?? []), row]);
  }

  // Enumeration values are not in the lists: read each enumeration field once.
  const dealFields = dealFieldRows.map(legacyField);
  const dealEnums = dealFields.filter((f) => f.type === 'enumeration');
  const dealEnumRows = await batchAll<Row>(
    client,
    dealEnums.map((f) => ({ method: 'crm.deal.userfield.get', params: { id: f.id } })),
  );
  dealEnums.forEach((f, i) => {
    f.list = legacyField(dealEnumRows[i] ?? {}).list;
  });

  const typeIds = types.map((t) => ({ id: num(t.id), entityTypeId: num(t.entityTypeId) }));
  const typeRows = await batchAll<{ type: Row }>(
    client,
    typeIds.map((t) => ({ method: 'crm.type.get', params: { id: t.id } })),
  );
  const categoryRows = await batchAll<{ categories: Row[] }>(
    client,
    typeIds.map((t) => ({ method: 'crm.category.list', params: { entityTypeId: t.entityTypeId } })),
  );
  const fieldRows = await batchAll<{ fields: Row[] }>(
    client,
    typeIds.map((t) => ({
      method: 'userfieldconfig.list',
      params: { moduleId: 'crm', filter: { entityId: `CRM_${t.id}` }, select: { 0: '*', language: 'ru' } },
    })),
  );
  const spaFields = typeIds.map((t, i) => (fieldRows[i]?.fields ?? []).map((r) => configField(r, t.id)));
  const spaEnums = spaFields.flat().filter((f) => f.type === 'enumeration');
  const spaEnumRows = await batchAll<{ field: Row }>(
    client,
    spaEnums.map((f) => ({ method: 'userfieldconfig.get', params: { moduleId: 'crm', id: f.id } })),
  );
  spaEnums.forEach((f, i) => {
    f.list = configField(spaEnumRows[i]?.field ?? {}, 0).list;
  });

  const smartProcesses = typeIds.map((t, i): SnapshotSmartProcess => {
    const type = typeRows[i]?.type ?? {};
    const relations = (type.relations ?? {}) as Row;
    const flags: Record<string, boolean> = {};
    for (const [key, value] of Object.entries(type)) if (/^is[A-Z]/.test(key)) flags[key] = yes(value);
    const categories = (categoryRows[i]?.categories ?? []).map((c): SnapshotCategory => ({
      id: num(c.id),
      key: text(c.code),
      name: text(c.name),
      sort: num(c.sort),
      isDefault: yes(c.isDefault),
      stages: stagesOf(byEntity, t.entityTypeId, num(c.id)),
    }));
    return {
      id: t.id,
      entityTypeId: t.entityTypeId,
      key: text(type.code),
      title: text(type.title),
      flags,
      relations: { parents: relationsOf(relations.parent), children: relationsOf(relations.child) },
      categories,
      fields: spaFields[i] ?? [],
    };
  });

  return {
    users: users.map((u) => ({
      id: num(u.ID),
      email: text(u.EMAIL),
      active: u.ACTIVE !== false && u.ACTIVE !== 'N',
    })),
    departments: departments.map((d) => ({
      id: num(d.ID),
      name: text(d.NAME),
      parentId:
        d.PARENT === undefined || d.PARENT === null || d.PARENT === '' || d.PARENT === '0'
          ? null
          : num(d.PARENT),
      sort: num(d.SORT),
      headId:
        d.UF_HEAD === undefined || d.UF_HEAD === null || d.UF_HEAD === '' || d.UF_HEAD === '0'
          ? null
          : num(d.UF_HEAD),
    })),
    pipelines: dealCategories.map((c) => ({
      id: num(c.id),
      key: text(c.originId),
      name: text(c.name),
      sort: num(c.sort),
      isDefault: yes(c.isDefault),
      stages: stagesOf(byEntity, DEAL_ENTITY_TYPE_ID, num(c.id)),
    })),
    dealFields,
    smartProcesses,
    ...(options.lists ? { lists: await readLists(client) } : {}),
  };
}
