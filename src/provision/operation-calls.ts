/**
 * The REST call that carries out one operation: the one place that knows which method and which
 * parameter shape each entity takes (reference/bitrix24-rest.md §6.1 department.*, §6.3 crm.category.*,
 * §6.4 crm.status.*, §6.7 crm.deal.userfield.*, §6.8 crm.type.*, §6.10 userfieldconfig.*).
 *
 * Owners and refs are resolved through `idOf`: apply passes portal ids, `--dry-run` passes
 * placeholders such as `<id of pipeline:sales>`.
 */
import type { BatchCall } from '../rest/batch.js';
import type { Operation, PortalRef, Ref } from './plan.js';
import { DEAL_ENTITY_TYPE_ID } from './plan-pipelines.js';
import { stageEntityId } from './read-snapshot.js';
import { listCall } from './list-calls.js';

export type Resolve = (address: string) => PortalRef | undefined;

/** An id, or a placeholder naming what it will be. */
type Id = number | string;

export interface CallIds {
  id(address: string): Id;
  entityTypeId(address: string): Id;
}

/** Ids from a map of portal refs; unknown addresses become placeholders (dry-run) or throw (apply). */
export function callIds(resolve: Resolve, strict: boolean): CallIds {
  const get = (address: string, field: 'id' | 'entityTypeId'): Id => {
    const ref = resolve(address);
    const value = ref?.[field];
    if (value !== undefined) return value;
    if (strict) throw new Error(`no portal ${field} for ${address} yet`);
    return `<${field} of ${address}>`;
  };
  return { id: (a) => get(a, 'id'), entityTypeId: (a) => get(a, 'entityTypeId') };
}

const yn = (v: unknown): 'Y' | 'N' => (v ? 'Y' : 'N');
const isRef = (v: unknown): v is Ref => typeof v === 'object' && v !== null && 'ref' in v;
const SEMANTICS: Record<string, string> = { process: '', success: 'S', failure: 'F' };

/** Only the keys present in `set`, renamed: pick({ name: 'X' }, { name: 'NAME', sort: 'SORT' }) -> { NAME: 'X' } */
function pick(set: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(names)) if (set[from] !== undefined) out[to] = set[from];
  return out;
}

export function callFor(op: Operation, ids: CallIds): BatchCall {
  const set = op.set ?? {};
  const self = (): Id => op.portalId ?? ids.id(op.address);
  switch (op.entity) {
    case 'department':
      return departmentCall(op, set, ids, self);
    case 'pipeline': {
      const fields = pick(set, { name: 'name', sort: 'sort', key: 'originId' });
      if (op.action === 'create')
        return { method: 'crm.category.add', params: { entityTypeId: DEAL_ENTITY_TYPE_ID, fields } };
      if (op.action === 'update')
        return {
          method: 'crm.category.update',
          params: { entityTypeId: DEAL_ENTITY_TYPE_ID, id: self(), fields },
        };
      return { method: 'crm.category.delete', params: { entityTypeId: DEAL_ENTITY_TYPE_ID, id: self() } };
    }
    case 'stage':
      return stageCall(op, set, ids, self);
    case 'field':
      return op.owner ? spaFieldCall(op, set, ids, self) : dealFieldCall(op, set, self);
    case 'smartProcess':
      return typeCall(op, set, self);
    case 'list':
    case 'listField':
      return listCall(op, set);
    case 'category': {
      const owner = op.owner ?? '';
      const entityTypeId = ids.entityTypeId(owner);
      const fields = pick(set, { name: 'name', sort: 'sort', key: 'code' });
      if (set.default !== undefined) fields.isDefault = yn(set.default);
      if (op.action === 'create') return { method: 'crm.category.add', params: { entityTypeId, fields } };
      if (op.action === 'update')
        return { method: 'crm.category.update', params: { entityTypeId, id: self(), fields } };
      return { method: 'crm.category.delete', params: { entityTypeId, id: self() } };
    }
  }
}

function departmentCall(
  op: Operation,
  set: Record<string, unknown>,
  ids: CallIds,
  self: () => Id,
): BatchCall {
  const fields = pick(set, { name: 'NAME', sort: 'SORT', head: 'UF_HEAD' });
  if (isRef(set.parent)) fields.PARENT = ids.id(set.parent.ref);
  if (op.action === 'create') return { method: 'department.add', params: fields };
  if (op.action === 'update') return { method: 'department.update', params: { ID: self(), ...fields } };
  return { method: 'department.delete', params: { ID: self() } };
}

function stageCall(op: Operation, set: Record<string, unknown>, ids: CallIds, self: () => Id): BatchCall {
  if (op.action === 'create') {
    const owner = op.owner ?? '';
    const entityTypeId = ids.entityTypeId(owner);
    const categoryId = ids.id(owner);
    const entityId =
      typeof entityTypeId === 'number' && typeof categoryId === 'number'
        ? stageEntityId(entityTypeId, categoryId)
        : `<ENTITY_ID of ${owner}>`;
    return {
      method: 'crm.status.add',
      params: {
        fields: {
          ENTITY_ID: entityId,
          // The pipeline prefix (C3:, DT1036_7:) is added by the portal (crm-status-add.md).
          STATUS_ID: set.code,
          NAME: set.name,
          SORT: set.sort,
          SEMANTICS: SEMANTICS[String(set.semantics)] ?? '',
          ...(set.color !== undefined ? { COLOR: set.color } : {}),
        },
      },
    };
  }
  if (op.action === 'update')
    return {
      method: 'crm.status.update',
      params: { id: self(), fields: pick(set, { name: 'NAME', sort: 'SORT', color: 'COLOR' }) },
    };
  // FORCED: system stages (NEW, WON, LOSE of a pipeline) refuse deletion without it (crm-status-delete.md).
  return { method: 'crm.status.delete', params: { id: self(), params: { FORCED: 'Y' } } };
}

interface ListItem {
  id?: number;
  key?: string;
  value?: string;
  sort?: number;
  default?: boolean;
  delete?: boolean;
}

/** Labels are set in Russian and English alike: the config's labels are the portal's data. */
const labels = (label: unknown): Record<string, unknown> => ({ ru: label, en: label });

function dealFieldCall(op: Operation, set: Record<string, unknown>, self: () => Id): BatchCall {
  const fields: Record<string, unknown> = {};
  if (op.action === 'create') {
    fields.FIELD_NAME = `UF_CRM_${String(set.code)}`;
    fields.USER_TYPE_ID = set.type;
    fields.MULTIPLE = yn(set.multiple);
  }
  if (set.label !== undefined) {
    fields.EDIT_FORM_LABEL = labels(set.label);
    fields.LIST_COLUMN_LABEL = labels(set.label);
    fields.LIST_FILTER_LABEL = labels(set.label);
  }
  if (set.mandatory !== undefined) fields.MANDATORY = yn(set.mandatory);
  if (set.sort !== undefined) fields.SORT = set.sort;
  if (set.settings !== undefined) fields.SETTINGS = set.settings;
  if (Array.isArray(set.list))
    fields.LIST = (set.list as ListItem[]).map((i) =>
      i.delete
        ? { ID: i.id, DEL: 'Y' }
        : {
            ...(i.id !== undefined ? { ID: i.id } : {}),
            VALUE: i.value,
            SORT: i.sort,
            DEF: yn(i.default),
            ...(i.key ? { XML_ID: i.key } : {}),
          },
    );
  if (op.action === 'create') return { method: 'crm.deal.userfield.add', params: { fields } };
  if (op.action === 'update') return { method: 'crm.deal.userfield.update', params: { id: self(), fields } };
  return { method: 'crm.deal.userfield.delete', params: { id: self() } };
}

function spaFieldCall(op: Operation, set: Record<string, unknown>, ids: CallIds, self: () => Id): BatchCall {
  if (op.action === 'delete')
    return { method: 'userfieldconfig.delete', params: { moduleId: 'crm', id: self() } };
  const field: Record<string, unknown> = {};
  if (op.action === 'create') {
    const typeId = ids.id(op.owner ?? '');
    // SPA fields live on CRM_<type id> and are named UF_CRM_<type id>_... (userfieldconfig-add.md).
    field.entityId = `CRM_${typeId}`;
    field.fieldName = `UF_CRM_${typeId}_${String(set.code)}`;
    field.multiple = yn(set.multiple);
  }
  if (set.type !== undefined || Array.isArray(set.list)) field.userTypeId = set.type ?? 'enumeration';
  if (set.label !== undefined) field.editFormLabel = labels(set.label);
  if (set.mandatory !== undefined) field.mandatory = yn(set.mandatory);
  if (set.sort !== undefined) field.sort = set.sort;
  if (set.settings !== undefined) field.settings = set.settings;
  if (Array.isArray(set.list))
    field.enum = (set.list as ListItem[]).map((i) =>
      i.delete
        ? { id: i.id, del: 'Y' }
        : {
            ...(i.id !== undefined ? { id: i.id } : {}),
            value: i.value,
            sort: i.sort,
            def: yn(i.default),
            ...(i.key ? { xmlId: i.key } : {}),
          },
    );
  if (op.action === 'create') return { method: 'userfieldconfig.add', params: { moduleId: 'crm', field } };
  return { method: 'userfieldconfig.update', params: { moduleId: 'crm', id: self(), field } };
}

interface RelationSet {
  entityTypeId: number;
  childrenList: boolean;
}

/** crm.type relations take "true"/"false" strings, not Y/N (crm-type-add.md). */
const relations = (list: unknown): unknown =>
  (list as RelationSet[]).map((r) => ({
    entityTypeId: r.entityTypeId,
    isChildrenListEnabled: r.childrenList ? 'true' : 'false',
  }));

function typeCall(op: Operation, set: Record<string, unknown>, self: () => Id): BatchCall {
  if (op.action === 'delete') return { method: 'crm.type.delete', params: { id: self() } };
  const fields = pick(set, { title: 'title', key: 'code' });
  for (const [flag, value] of Object.entries((set.flags ?? {}) as Record<string, unknown>))
    fields[flag] = yn(value);
  const rel = (set.relations ?? {}) as { parents?: unknown; children?: unknown };
  if (rel.parents !== undefined || rel.children !== undefined) {
    fields.relations = {
      ...(rel.parents !== undefined ? { parent: relations(rel.parents) } : {}),
      ...(rel.children !== undefined ? { child: relations(rel.children) } : {}),
    };
  }
  if (op.action === 'create') return { method: 'crm.type.add', params: { fields } };
  return { method: 'crm.type.update', params: { id: self(), fields } };
}

/**
 * The portal ref of what a create made, from its answer:
 * department.add / crm.status.add / crm.deal.userfield.add -> 18; crm.category.add -> { category: { id } };
 * crm.type.add -> { type: { id, entityTypeId } }; userfieldconfig.add -> { field: { id } }.
 */
export function createdRef(op: Operation, result: unknown, ids: CallIds): PortalRef | undefined {
  const r = result as Record<string, Record<string, unknown> | undefined> | number | string;
  // lists.field.add answers "PROPERTY_1151" (lists-field-add.md).
  if (typeof r === 'string' && r.startsWith('PROPERTY_')) return { id: Number(r.slice('PROPERTY_'.length)) };
  if (typeof r === 'number' || typeof r === 'string') return { id: Number(r) };
  if (r.category) {
    const entityTypeId = Number(
      r.category.entityTypeId ??
        (op.entity === 'pipeline' ? DEAL_ENTITY_TYPE_ID : ids.entityTypeId(op.owner ?? '')),
    );
    return { id: Number(r.category.id), entityTypeId };
  }
  if (r.type) return { id: Number(r.type.id), entityTypeId: Number(r.type.entityTypeId) };
  if (r.field) return { id: Number(r.field.id) };
  return undefined;
}
