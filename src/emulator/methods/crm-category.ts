import type { MethodModule, Portal } from '../portal.js';
import { categoriesOf, getCategory, getType, listStages, stageEntityId } from '../crm/directory.js';
import type { CategoryDoc } from '../crm/model.js';
import { CATEGORY_KIND, ENTITY_TYPE, itemKind } from '../crm/model.js';
import type { FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Cond, Where } from '../store/store.js';
import { createDefaultStages, deleteStagesOf, renderStatus } from './crm-status.js';
import type { MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';

/**
 * Pipelines: `crm.category.*` (api-reference/crm/universal/category/*.md; camelCase, Engine-style
 * errors) and the legacy `crm.dealcategory.*` (crm/outdated/category-old/*.md; UPPER_CASE, strings).
 * Both read the same CATEGORY_KIND rows; the default deal pipeline is id 0.
 */

export const DEFAULT_DEAL_CATEGORY_NAME = 'Общая';
/** The name of the pipeline a new smart process starts with. */
export const DEFAULT_SPA_CATEGORY_NAME = 'Общая';

/** CRM types that exist on a portal but have no pipelines here (ENTITY_TYPE_NOT_SUPPORTED). */
const UNSUPPORTED_TYPES: Record<number, string> = {
  1: 'LEAD',
  3: 'CONTACT',
  4: 'COMPANY',
  5: 'INVOICE',
  7: 'QUOTE',
  8: 'REQUISITE',
  14: 'ORDER',
  31: 'SMART_INVOICE',
  36: 'SMART_DOCUMENT',
};

/** An Engine controller's "parameter missing" error (reference/bitrix24-rest.md §2.2). */
export const missingParam = (name: string): RestError =>
  new RestError(100, `Could not find value for parameter {${name}}`, 400);

/** The entityTypeId of a crm.category call: deals or an existing smart process. */
function categoryEntity(portal: Portal, params: Record<string, unknown>): number {
  const raw = param(params, 'entityTypeId');
  if (raw === undefined || raw === null || raw === '') throw missingParam('entityTypeId');
  const entityTypeId = idParam(raw);
  if (entityTypeId === ENTITY_TYPE.deal) return entityTypeId;
  if (entityTypeId !== undefined && getType(portal, entityTypeId)) return entityTypeId;
  const name = entityTypeId === undefined ? undefined : UNSUPPORTED_TYPES[entityTypeId];
  if (name) throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${name} is not supported`, 400);
  throw errors.notFound('SPA not found');
}

export function renderCategory(c: CategoryDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    sort: c.sort,
    entityTypeId: c.entityTypeId,
    isDefault: c.isDefault ? 'Y' : 'N',
  };
  if (c.entityTypeId === ENTITY_TYPE.deal) {
    // crm-category-list.md: the default deal pipeline prints no origin fields.
    if (c.id !== 0) {
      out.originId = c.originId;
      out.originatorId = c.originatorId;
    }
  } else {
    out.isSystem = c.isSystem ? 'Y' : 'N';
    out.code = c.code;
  }
  return out;
}

export interface CategoryInput {
  name: string;
  sort: number;
  isDefault: boolean;
  code?: string | null;
  originId?: string;
  originatorId?: string;
}

/** Creates a pipeline and its default stages; a new default smart-process pipeline demotes the old one. */
export function createCategory(
  portal: Portal,
  entityTypeId: number,
  input: CategoryInput,
  id?: number,
): CategoryDoc {
  const isDeal = entityTypeId === ENTITY_TYPE.deal;
  if (input.isDefault && !isDeal) demoteDefault(portal, entityTypeId);
  const doc: Omit<CategoryDoc, 'id'> = {
    entityTypeId,
    name: input.name,
    sort: input.sort,
    isDefault: input.isDefault,
    code: isDeal ? null : (input.code ?? null),
    isSystem: false,
    originId: input.originId ?? '',
    originatorId: input.originatorId ?? '',
    createdAt: portal.now(),
  };
  const created = portal.store.insert(CATEGORY_KIND, doc, id);
  createDefaultStages(portal, entityTypeId, created.id);
  return created;
}

function demoteDefault(portal: Portal, entityTypeId: number): void {
  for (const c of categoriesOf(portal, entityTypeId)) {
    if (!c.isDefault) continue;
    const demoted: CategoryDoc = { ...c, isDefault: false };
    portal.store.put(CATEGORY_KIND, demoted);
  }
}

/** Removes a pipeline and its stages (the caller has checked it may go). */
export function removeCategory(portal: Portal, c: CategoryDoc): void {
  deleteStagesOf(portal, c.entityTypeId, c.id);
  portal.store.delete(CATEGORY_KIND, c.id);
}

export function countCategoryItems(portal: Portal, c: CategoryDoc): number {
  return portal.store.count(itemKind(c.entityTypeId), [
    { field: 'categoryId', op: '=', value: c.id, kind: 'number' },
  ]);
}

/** `name` rules of crm-category-add.md: "-" when absent; not empty, not blank, at most 255 characters. */
function categoryName(value: unknown, fallback: string | undefined): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    return '-';
  }
  const name = str(value);
  if (!name.trim()) throw new RestError(0, "Field 'NAME' is required", 400);
  if (name.length > 255) throw new RestError(0, "Field 'NAME' must not be longer than 255 characters", 400);
  return name;
}

/** `sort` rules: 500 when absent, negative values become 0. */
function categorySort(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) return fallback;
  return Math.max(0, n);
}

function requireFields(params: Record<string, unknown>): Record<string, unknown> {
  const fields = objectParam(params, 'fields');
  if (!fields) throw missingParam('fields');
  return fields;
}

function categoryById(portal: Portal, entityTypeId: number, params: Record<string, unknown>): CategoryDoc {
  const raw = param(params, 'id');
  if (raw === undefined || raw === null || raw === '') throw missingParam('id');
  const id = Number(raw);
  const doc = Number.isInteger(id) && id >= 0 ? getCategory(portal, entityTypeId, id) : undefined;
  if (!doc) throw errors.notFound('Element not found');
  return doc;
}

const descriptor = (type: string, upper: string, extra: Record<string, boolean> = {}) => ({
  type,
  isRequired: false,
  isReadOnly: false,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title: upper,
  upperName: upper,
  ...extra,
});

function categoryFields(entityTypeId: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: descriptor('integer', 'ID', { isReadOnly: true }),
    name: descriptor('string', 'NAME'),
    sort: descriptor('integer', 'SORT'),
    entityTypeId: descriptor('integer', 'ENTITY_TYPE_ID', { isRequired: true, isReadOnly: true }),
    isDefault: descriptor('boolean', 'IS_DEFAULT', { isReadOnly: entityTypeId === ENTITY_TYPE.deal }),
  };
  if (entityTypeId === ENTITY_TYPE.deal) {
    fields.originId = descriptor('string', 'ORIGIN_ID');
    fields.originatorId = descriptor('string', 'ORIGINATOR_ID');
  } else {
    fields.isSystem = descriptor('boolean', 'IS_SYSTEM', { isReadOnly: true });
    fields.code = descriptor('string', 'CODE');
  }
  return fields;
}

function categoryAdd(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const entityTypeId = categoryEntity(portal, params);
  const fields = requireFields(params);
  const isDeal = entityTypeId === ENTITY_TYPE.deal;
  // Deals: isDefault is read-only (crm-category-add.md); smart processes: Y demotes the old default.
  const isDefault = !isDeal && flag(param(fields, 'isDefault')) === true;
  const input: CategoryInput = {
    name: categoryName(param(fields, 'name'), undefined),
    sort: categorySort(param(fields, 'sort'), 500),
    isDefault,
  };
  const code = param(fields, 'code');
  if (!isDeal && code !== undefined && code !== null && str(code) !== '') input.code = str(code);
  if (isDeal) {
    input.originId = str(param(fields, 'originId'));
    input.originatorId = str(param(fields, 'originatorId'));
  }
  return ok({ category: renderCategory(createCategory(portal, entityTypeId, input)) });
}

function categoryUpdate(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const entityTypeId = categoryEntity(portal, params);
  const doc = categoryById(portal, entityTypeId, params);
  const fields = requireFields(params);
  doc.name = categoryName(param(fields, 'name'), doc.name);
  doc.sort = categorySort(param(fields, 'sort'), doc.sort);
  if (entityTypeId === ENTITY_TYPE.deal) {
    const originId = param(fields, 'originId');
    if (originId !== undefined) doc.originId = str(originId);
    const originatorId = param(fields, 'originatorId');
    if (originatorId !== undefined) doc.originatorId = str(originatorId);
  } else {
    // A default pipeline cannot be made non-default; another one taking the flag demotes it.
    if (flag(param(fields, 'isDefault')) === true && !doc.isDefault) {
      demoteDefault(portal, entityTypeId);
      doc.isDefault = true;
    }
    const code = param(fields, 'code');
    if (code !== undefined) doc.code = code === null || str(code) === '' ? null : str(code);
  }
  portal.store.put(CATEGORY_KIND, doc);
  return ok({ category: renderCategory(doc) });
}

function categoryDelete(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const entityTypeId = categoryEntity(portal, params);
  const doc = categoryById(portal, entityTypeId, params);
  const isDeal = entityTypeId === ENTITY_TYPE.deal;
  if (doc.isSystem)
    throw new RestError('REMOVING_DISABLED', 'Deletion of system category is prohibited', 400);
  if (doc.isDefault) {
    if (isDeal) throw new RestError(0, 'Default deal category cannot be deleted', 400);
    throw new RestError('BX_ERROR', 'This funnel is the default funnel', 400);
  }
  if (countCategoryItems(portal, doc) > 0) {
    if (isDeal) throw new RestError(0, `Deals related to the funnel ${doc.name} found`, 400);
    throw new RestError('BX_ERROR', 'Elements related to the funnel found', 400);
  }
  removeCategory(portal, doc);
  return ok(null);
}

// ---- legacy crm.dealcategory.* -------------------------------------------------------------------

function renderDealCategory(portal: Portal, c: CategoryDoc): Record<string, unknown> {
  return {
    ID: String(c.id),
    CREATED_DATE: portal.iso(c.createdAt),
    NAME: c.name,
    IS_LOCKED: 'N',
    SORT: String(c.sort),
  };
}

const resolveDealCategoryField: FieldResolver = (name) => {
  switch (name.toUpperCase()) {
    case 'ID':
      return { field: 'id', kind: 'number' };
    case 'NAME':
      return { field: 'name', kind: 'text' };
    case 'SORT':
      return { field: 'sort', kind: 'number' };
    case 'CREATED_DATE':
      return { field: 'createdAt', kind: 'number' };
    default:
      return undefined;
  }
};

/** The legacy id parameter: a positive pipeline id (the default pipeline 0 is not a row here). */
function dealCategoryById(portal: Portal, params: Record<string, unknown>): CategoryDoc {
  const id = idParam(param(params, 'id'));
  if (id === undefined) throw errors.legacy('ID is not defined or invalid.');
  const doc = getCategory(portal, ENTITY_TYPE.deal, id);
  if (!doc) throw errors.legacy('Not found');
  return doc;
}

function dealCategoryList(portal: Portal, params: Record<string, unknown>, start: number | undefined) {
  const filter = param(params, 'filter');
  // IS_LOCKED is always N on this portal: filtering on Y matches nothing, N everything.
  const rest: Record<string, unknown> = {};
  let none = false;
  if (filter && typeof filter === 'object' && !Array.isArray(filter)) {
    for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
      if (key.replace(/^[=!]+/, '').toUpperCase() === 'IS_LOCKED') {
        const negated = key.startsWith('!');
        const wantsY = str(value).toUpperCase() === 'Y';
        if (wantsY !== negated) none = true;
      } else rest[key] = value;
    }
  }
  const where: Where = [
    { field: 'entityTypeId', op: '=', value: ENTITY_TYPE.deal, kind: 'number' },
    { field: 'id', op: '>', value: 0, kind: 'number' },
    ...parseFilter(rest, resolveDealCategoryField, { unknown: 'ignore' }),
  ];
  if (none) where.push({ field: 'id', op: '<', value: 0, kind: 'number' } satisfies Cond);
  const order = parseOrder(param(params, 'order'), resolveDealCategoryField);
  const select = listParam(param(params, 'select')).map((s) => str(s).toUpperCase());
  const pick = (row: Record<string, unknown>): Record<string, unknown> => {
    if (select.length === 0 || select.includes('*')) return row;
    return Object.fromEntries(Object.entries(row).filter(([k]) => select.includes(k)));
  };
  return listPage<CategoryDoc>(portal.store, CATEGORY_KIND, start, { where, order }, (rows) =>
    rows.map((r) => pick(renderDealCategory(portal, r))),
  );
}

function legacyName(value: unknown): string {
  const name = str(value).trim();
  if (!name) throw errors.legacy("The 'NAME' field is required.");
  return name;
}

function dealCategoryAdd(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const fields = objectParam(params, 'fields');
  if (!fields) throw errors.legacy("The parameter 'fields' must be array.");
  const input: CategoryInput = {
    name: legacyName(param(fields, 'NAME')),
    sort: categorySort(param(fields, 'SORT'), 500),
    isDefault: false,
  };
  return ok(createCategory(portal, ENTITY_TYPE.deal, input).id);
}

function dealCategoryUpdate(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const doc = dealCategoryById(portal, params);
  const fields = objectParam(params, 'fields');
  if (!fields) throw errors.legacy("The parameter 'fields' must be array.");
  const name = param(fields, 'NAME');
  if (name !== undefined) doc.name = legacyName(name);
  doc.sort = categorySort(param(fields, 'SORT'), doc.sort);
  portal.store.put(CATEGORY_KIND, doc);
  return ok(true);
}

function dealCategoryDelete(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const doc = dealCategoryById(portal, params);
  if (countCategoryItems(portal, doc) > 0)
    throw errors.legacy(`Deals related to the funnel ${doc.name} found`);
  removeCategory(portal, doc);
  return ok(true);
}

/** `id` of crm.dealcategory.status / stage.list: 0 or absent means the default pipeline. */
function legacyCategoryId(portal: Portal, params: Record<string, unknown>): number {
  const raw = param(params, 'id');
  if (raw === undefined || raw === null || raw === '' || str(raw) === '0') return 0;
  return dealCategoryById(portal, params).id;
}

const legacyField = (type: string, title: string, extra: Record<string, boolean> = {}) => ({
  type,
  isRequired: false,
  isReadOnly: false,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title,
  ...extra,
});

function defaultDealCategory(portal: Portal): CategoryDoc {
  const doc = getCategory(portal, ENTITY_TYPE.deal, 0);
  if (!doc) throw errors.internal();
  return doc;
}

export const crmCategoryModule: MethodModule = {
  seed: (portal) => {
    createCategory(
      portal,
      ENTITY_TYPE.deal,
      { name: DEFAULT_DEAL_CATEGORY_NAME, sort: 500, isDefault: true },
      0,
    );
  },
  methods: scoped('crm', {
    'crm.category.fields': ({ portal, params }) =>
      ok({ fields: categoryFields(categoryEntity(portal, params)) }),
    'crm.category.list': ({ portal, params, start }) => {
      const entityTypeId = categoryEntity(portal, params);
      return listPage<CategoryDoc>(
        portal.store,
        CATEGORY_KIND,
        start,
        {
          where: [{ field: 'entityTypeId', op: '=', value: entityTypeId, kind: 'number' }],
          order: [{ field: 'sort', dir: 'ASC', kind: 'number' }],
        },
        (rows) => ({ categories: rows.map(renderCategory) }),
      );
    },
    'crm.category.get': ({ portal, params }) => {
      const entityTypeId = categoryEntity(portal, params);
      return ok({ category: renderCategory(categoryById(portal, entityTypeId, params)) });
    },
    'crm.category.add': ({ portal, params }) => categoryAdd(portal, params),
    'crm.category.update': ({ portal, params }) => categoryUpdate(portal, params),
    'crm.category.delete': ({ portal, params }) => categoryDelete(portal, params),

    'crm.dealcategory.fields': () =>
      ok({
        ID: legacyField('integer', 'ID', { isReadOnly: true }),
        CREATED_DATE: legacyField('datetime', 'Created on', { isReadOnly: true }),
        NAME: legacyField('string', 'Name', { isRequired: true }),
        IS_LOCKED: legacyField('char', 'Locked', { isReadOnly: true }),
        SORT: legacyField('integer', 'Sort'),
      }),
    'crm.dealcategory.list': ({ portal, params, start }) => dealCategoryList(portal, params, start),
    'crm.dealcategory.get': ({ portal, params }) =>
      ok(renderDealCategory(portal, dealCategoryById(portal, params))),
    'crm.dealcategory.add': ({ portal, params }) => dealCategoryAdd(portal, params),
    'crm.dealcategory.update': ({ portal, params }) => dealCategoryUpdate(portal, params),
    'crm.dealcategory.delete': ({ portal, params }) => dealCategoryDelete(portal, params),
    'crm.dealcategory.status': ({ portal, params }) =>
      ok(stageEntityId(ENTITY_TYPE.deal, legacyCategoryId(portal, params))),
    'crm.dealcategory.stage.list': ({ portal, params }) => {
      const stages = listStages(portal, ENTITY_TYPE.deal, legacyCategoryId(portal, params));
      return { result: stages.map((s) => renderStatus(portal, s)), total: stages.length };
    },
    'crm.dealcategory.default.get': ({ portal }) => {
      const doc = defaultDealCategory(portal);
      return ok({ ID: 0, NAME: doc.name });
    },
    'crm.dealcategory.default.set': ({ portal, params }) => {
      const doc = defaultDealCategory(portal);
      doc.name = legacyName(param(params, 'name', 'NAME'));
      portal.store.put(CATEGORY_KIND, doc);
      return ok(true);
    },
  }),
};
