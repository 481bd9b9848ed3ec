import type { MethodModule, Portal } from '../portal.js';
import { categoriesOf, getType } from '../crm/directory.js';
import type { TypeDoc, UserFieldDoc } from '../crm/model.js';
import { ENTITY_TYPE, TYPE_KIND, USERFIELD_KIND, itemKind } from '../crm/model.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter } from '../protocol/filter.js';
import { pageArray } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Where } from '../store/store.js';
import { DEFAULT_SPA_CATEGORY_NAME, createCategory, missingParam, removeCategory } from './crm-category.js';
import type { CallContext, MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';

/**
 * Smart processes: `crm.type.*` (api-reference/crm/universal/user-defined-object-types/*.md).
 * A type has two ids: the small `id` (used in UF names `UF_CRM_{id}_...` and entity `CRM_{id}`) and
 * `entityTypeId` (used by crm.item / crm.category, 128-192 or an even number from 1030).
 */

/** The Y/N settings of a type, in the order crm.type prints them. */
export const TYPE_FLAGS = [
  'isCategoriesEnabled',
  'isStagesEnabled',
  'isBeginCloseDatesEnabled',
  'isClientEnabled',
  'isUseInUserfieldEnabled',
  'isLinkWithProductsEnabled',
  'isMycompanyEnabled',
  'isDocumentsEnabled',
  'isSourceEnabled',
  'isObserversEnabled',
  'isRecyclebinEnabled',
  'isAutomationEnabled',
  'isBizProcEnabled',
  'isSetOpenPermissions',
  'isPaymentsEnabled',
  'isCountersEnabled',
] as const;

/** Flags a client cannot set (crm-type-add.md lists them only in the answer). */
const READ_ONLY_FLAGS = new Set<string>(['isPaymentsEnabled', 'isCountersEnabled']);

/** The user fields a smart process can be offered in (crm-type-add.md, linkedUserFields). */
const LINKED_USER_FIELDS = [
  'CALENDAR_EVENT|UF_CRM_CAL_EVENT',
  'TASKS_TASK|UF_CRM_TASK',
  'TASKS_TASK_TEMPLATE|UF_CRM_TASK',
];

type Relation = TypeDoc['relations']['parent'][number];

const spaNotFound = (description = 'SPA not found'): RestError => new RestError(0, description, 400);

/** relations and linkedUserFields take "true"/"false" strings; Y/N do not work (crm-type-add.md). */
const trueString = (value: unknown): boolean =>
  value === true || value === 1 || (typeof value === 'string' && ['true', '1'].includes(value.toLowerCase()));

const yn = (b: boolean | undefined): 'Y' | 'N' => (b ? 'Y' : 'N');

/** entityTypeId ranges of crm-type-add.md: 128..192, or an even integer from 1030. */
const inAllowedRange = (n: number): boolean => (n >= 128 && n <= 192) || (n >= 1030 && n % 2 === 0);

function nextEntityTypeId(portal: Portal): number {
  const taken = new Set(portal.store.query<TypeDoc>(TYPE_KIND).map((t) => t.entityTypeId));
  for (let n = 128; n <= 192; n++) if (!taken.has(n)) return n;
  let n = 1030;
  while (taken.has(n)) n += 2;
  return n;
}

function parseRelations(value: unknown): Relation[] {
  const seen = new Set<number>();
  const out: Relation[] = [];
  for (const raw of listParam(value)) {
    if (!raw || typeof raw !== 'object') continue;
    const rel = raw as Record<string, unknown>;
    const entityTypeId = idParam(param(rel, 'entityTypeId'));
    if (entityTypeId === undefined || seen.has(entityTypeId)) continue;
    seen.add(entityTypeId);
    out.push({
      entityTypeId,
      isChildrenListEnabled: trueString(param(rel, 'isChildrenListEnabled')),
      isPredefined: false,
    });
  }
  return out;
}

/** With isClientEnabled the type has predefined parent links to contacts and companies. */
function renderRelations(t: TypeDoc): Record<string, unknown> {
  const predefined: Relation[] = t.flags.isClientEnabled
    ? [ENTITY_TYPE.contact, ENTITY_TYPE.company].map((entityTypeId) => ({
        entityTypeId,
        isChildrenListEnabled: true,
        isPredefined: true,
      }))
    : [];
  const show = (r: Relation) => ({
    entityTypeId: r.entityTypeId,
    isChildrenListEnabled: yn(r.isChildrenListEnabled),
    isPredefined: yn(r.isPredefined),
  });
  const parent = [
    ...predefined,
    ...t.relations.parent.filter((r) => !predefined.some((p) => p.entityTypeId === r.entityTypeId)),
  ];
  return { parent: parent.map(show), child: t.relations.child.map(show) };
}

/** The short form crm.type.list prints; get/add/update add relations and linkedUserFields. */
export function renderType(portal: Portal, t: TypeDoc, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: t.id,
    title: t.title,
    code: t.code ?? '',
    createdBy: t.createdBy,
    entityTypeId: t.entityTypeId,
    customSectionId: null,
  };
  for (const name of TYPE_FLAGS) out[name] = yn(t.flags[name]);
  out.createdTime = portal.iso(t.createdTime);
  out.updatedTime = portal.iso(t.updatedTime);
  out.updatedBy = t.updatedBy;
  if (full) {
    out.relations = renderRelations(t);
    out.linkedUserFields = Object.fromEntries(
      LINKED_USER_FIELDS.map((key) => [key, yn(t.linkedUserFields[key])]),
    );
    out.customSections = [];
  }
  return out;
}

function applyFields(t: TypeDoc, fields: Record<string, unknown>): void {
  for (const name of TYPE_FLAGS) {
    if (READ_ONLY_FLAGS.has(name)) continue;
    const value = flag(param(fields, name));
    if (value !== undefined) t.flags[name] = value;
  }
  const code = param(fields, 'code');
  if (code !== undefined) t.code = code === null || str(code) === '' ? null : str(code);
  // Relations are overwritten in full; a side that is not passed is kept (crm-type-update.md).
  const relations = objectParam(fields, 'relations');
  if (relations) {
    const parent = param(relations, 'parent');
    const child = param(relations, 'child');
    if (parent !== undefined) t.relations.parent = parseRelations(parent);
    if (child !== undefined) t.relations.child = parseRelations(child);
  }
  // linkedUserFields count only while the type may be used in user fields.
  const linked = objectParam(fields, 'linkedUserFields');
  if (linked && t.flags.isUseInUserfieldEnabled) {
    for (const key of LINKED_USER_FIELDS) {
      if (key in linked) t.linkedUserFields[key] = trueString(linked[key]);
    }
  }
  if (!t.flags.isUseInUserfieldEnabled)
    t.linkedUserFields = Object.fromEntries(LINKED_USER_FIELDS.map((k) => [k, false]));
}

function titleOf(value: unknown): string {
  const title = str(value).trim();
  if (!title) throw new RestError(0, 'The field "title" is required', 400);
  return title;
}

function typeAdd({ portal, params, userId }: CallContext): MethodOutput {
  const fields = objectParam(params, 'fields');
  if (!fields) throw missingParam('fields');
  const title = titleOf(param(fields, 'title'));
  const rawEntityTypeId = param(fields, 'entityTypeId');
  let entityTypeId: number;
  if (rawEntityTypeId === undefined || rawEntityTypeId === null || rawEntityTypeId === '') {
    entityTypeId = nextEntityTypeId(portal);
  } else {
    const n = Number(rawEntityTypeId);
    if (!Number.isInteger(n) || !inAllowedRange(n))
      throw errors.invalidArgValue('entityTypeId is out of allowed range');
    if (getType(portal, n)) throw errors.invalidArgValue(`entityTypeId ${n} is already in use`);
    entityTypeId = n;
  }
  const now = portal.now();
  const flags: Record<string, boolean> = Object.fromEntries(TYPE_FLAGS.map((f) => [f, false]));
  flags.isSetOpenPermissions = true;
  const draft: Omit<TypeDoc, 'id'> = {
    entityTypeId,
    title,
    code: null,
    createdBy: userId,
    updatedBy: userId,
    createdTime: now,
    updatedTime: now,
    flags,
    relations: { parent: [], child: [] },
    linkedUserFields: Object.fromEntries(LINKED_USER_FIELDS.map((k) => [k, false])),
  };
  applyFields(draft as TypeDoc, fields);
  const type = portal.store.insert(TYPE_KIND, draft);
  // Every smart process starts with one default pipeline and its stages.
  createCategory(portal, entityTypeId, { name: DEFAULT_SPA_CATEGORY_NAME, sort: 500, isDefault: true });
  return ok({ type: renderType(portal, type, true) });
}

function typeById(portal: Portal, params: Record<string, unknown>, notFound?: string): TypeDoc {
  const raw = param(params, 'id');
  if (raw === undefined || raw === null || raw === '') throw missingParam('id');
  const id = idParam(raw);
  const doc = id === undefined ? undefined : portal.store.get<TypeDoc>(TYPE_KIND, id);
  if (!doc) throw spaNotFound(notFound);
  return doc;
}

function typeUpdate({ portal, params, userId }: CallContext): MethodOutput {
  const doc = typeById(portal, params);
  const fields = objectParam(params, 'fields') ?? {};
  const title = param(fields, 'title');
  if (title !== undefined) doc.title = titleOf(title);
  applyFields(doc, fields);
  doc.updatedBy = userId;
  doc.updatedTime = portal.now();
  portal.store.put(TYPE_KIND, doc);
  return ok({ type: renderType(portal, doc, true) });
}

function typeDelete({ portal, params }: CallContext): MethodOutput {
  const doc = typeById(portal, params, 'Smart process not found');
  if (portal.store.count(itemKind(doc.entityTypeId)) > 0)
    throw new RestError('BX_ERROR', 'You cannot delete an entity type that has elements', 400);
  for (const c of categoriesOf(portal, doc.entityTypeId)) removeCategory(portal, c);
  const fields = portal.store.query<UserFieldDoc>(USERFIELD_KIND, {
    where: [{ field: 'ENTITY_ID', op: '=', value: `CRM_${doc.id}`, kind: 'text' }],
  });
  for (const f of fields) portal.store.delete(USERFIELD_KIND, f.id);
  portal.store.delete(TYPE_KIND, doc.id);
  return ok([]);
}

// ---- crm.type.list: filters and order over the printed fields --------------------------------------

const flagValue = (v: unknown): unknown => (flag(v) ? 'Y' : 'N');

const resolveTypeField: FieldResolver = (name) => {
  if ((TYPE_FLAGS as readonly string[]).includes(name))
    return { field: name, kind: 'text', toStored: flagValue };
  switch (name) {
    case 'id':
    case 'entityTypeId':
    case 'createdBy':
    case 'updatedBy':
      return { field: name, kind: 'number' };
    case 'title':
    case 'code':
    case 'createdTime':
    case 'updatedTime':
      return { field: name, kind: 'text' };
    default:
      return undefined;
  }
};

function compareValues(a: unknown, b: unknown, kind: FieldRef['kind']): number {
  if (kind === 'number') return Number(a) - Number(b);
  return str(a).localeCompare(str(b));
}

/** Evaluates a parsed filter against a printed row (smart processes are few; no SQL needed). */
function matches(row: Record<string, unknown>, where: Where): boolean {
  return where.every((item) => {
    if ('or' in item) return item.or.some((group) => matches(row, group));
    const c = item;
    const value = row[c.field];
    const empty = value === null || value === undefined || value === '' || value === 0;
    switch (c.op) {
      case 'empty':
        return empty;
      case 'notempty':
        return !empty;
      case 'in':
        return (c.value as unknown[]).some((v) => compareValues(value, v, c.kind) === 0);
      case 'notin':
        return !(c.value as unknown[]).some((v) => compareValues(value, v, c.kind) === 0);
      case 'like':
        return str(value).toLocaleLowerCase('ru').includes(str(c.value).toLocaleLowerCase('ru'));
      case 'notlike':
        return !str(value).toLocaleLowerCase('ru').includes(str(c.value).toLocaleLowerCase('ru'));
      case '=':
        return compareValues(value, c.value, c.kind) === 0;
      case '!=':
        return compareValues(value, c.value, c.kind) !== 0;
      case '>':
        return compareValues(value, c.value, c.kind) > 0;
      case '>=':
        return compareValues(value, c.value, c.kind) >= 0;
      case '<':
        return compareValues(value, c.value, c.kind) < 0;
      case '<=':
        return compareValues(value, c.value, c.kind) <= 0;
      default:
        return false;
    }
  });
}

/** Engine-controller order: unknown fields and directions are refused (crm-type-list.md). */
function typeOrder(order: unknown): { field: string; kind: FieldRef['kind']; desc: boolean }[] {
  if (order === undefined || order === null || order === '') return [];
  if (typeof order !== 'object') throw errors.invalidArgValue('Invalid order');
  return Object.entries(order as Record<string, unknown>).map(([field, dir]) => {
    const ref = resolveTypeField(field);
    if (!ref) throw errors.invalidArgValue(`Invalid order: field '${field}' is not allowed in order`);
    const direction = str(dir).toUpperCase();
    if (direction !== 'ASC' && direction !== 'DESC')
      throw errors.invalidArgValue(
        `Invalid order: allowed sort directions are ASC, DESC. But got '${str(dir)}' for field '${field}'`,
      );
    return { field, kind: ref.kind, desc: direction === 'DESC' };
  });
}

function typeList({ portal, params, start }: CallContext): MethodOutput {
  const where = parseFilter(param(params, 'filter'), resolveTypeField, { unknown: 'error' });
  const order = typeOrder(param(params, 'order'));
  const rows = portal.store
    .query<TypeDoc>(TYPE_KIND, { order: [{ field: 'id', dir: 'ASC', kind: 'number' }] })
    .map((t) => renderType(portal, t, false))
    .filter((row) => matches(row, where));
  rows.sort((a, b) => {
    for (const o of order) {
      const d = compareValues(a[o.field], b[o.field], o.kind);
      if (d !== 0) return o.desc ? -d : d;
    }
    return 0;
  });
  const page = pageArray(rows, start);
  const out: MethodOutput = { result: { types: page.rows }, total: page.total };
  if (page.next !== undefined) out.next = page.next;
  return out;
}

const descriptor = (type: string, title: string, extra: Record<string, boolean> = {}) => ({
  type,
  isRequired: false,
  isReadOnly: false,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title,
  ...extra,
});

function typeFields(): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: descriptor('integer', 'ID', { isReadOnly: true }),
    title: descriptor('string', 'Title', { isRequired: true }),
    code: descriptor('string', 'Code'),
    createdBy: descriptor('user', 'Created by', { isReadOnly: true }),
    entityTypeId: descriptor('integer', 'Entity type ID', { isImmutable: true }),
    customSectionId: descriptor('integer', 'Digital workplace'),
  };
  for (const name of TYPE_FLAGS)
    fields[name] = descriptor('boolean', name, { isReadOnly: READ_ONLY_FLAGS.has(name) });
  fields.createdTime = descriptor('datetime', 'Created on', { isReadOnly: true });
  fields.updatedTime = descriptor('datetime', 'Updated on', { isReadOnly: true });
  fields.updatedBy = descriptor('user', 'Updated by', { isReadOnly: true });
  fields.relations = descriptor('relations', 'Relations');
  fields.linkedUserFields = descriptor('linkedUserFields', 'Linked user fields');
  return { fields };
}

export const crmTypeModule: MethodModule = {
  methods: scoped('crm', {
    'crm.type.fields': () => ok(typeFields()),
    'crm.type.list': (ctx) => typeList(ctx),
    'crm.type.get': ({ portal, params }) => ok({ type: renderType(portal, typeById(portal, params), true) }),
    'crm.type.getByEntityTypeId': ({ portal, params }) => {
      const raw = param(params, 'entityTypeId');
      if (raw === undefined || raw === null || raw === '') throw missingParam('entityTypeId');
      const id = idParam(raw);
      const doc = id === undefined ? undefined : getType(portal, id);
      if (!doc) throw spaNotFound();
      return ok({ type: renderType(portal, doc, true) });
    },
    'crm.type.add': (ctx) => typeAdd(ctx),
    'crm.type.update': (ctx) => typeUpdate(ctx),
    'crm.type.delete': (ctx) => typeDelete(ctx),
  }),
};
