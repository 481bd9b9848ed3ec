import type { MethodModule, Portal } from '../portal.js';
import { categoriesOf, listStages, stageEntityId, stagePrefix, statusesOf } from '../crm/directory.js';
import type { CategoryDoc, StatusDoc, TypeDoc } from '../crm/model.js';
import { ENTITY_TYPE, STATUS_KIND, TYPE_KIND, itemKind } from '../crm/model.js';
import type { FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { errors } from '../protocol/rest-error.js';
import type { MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, objectParam, param, str } from './params.js';

/**
 * `crm.status.*`: the CRM directories (api-reference/crm/status/*.md). Pipeline stages are rows of
 * `DEAL_STAGE[_N]` / `DYNAMIC_{type}_STAGE_{category}`; other directories (SOURCE, DEAL_TYPE...) are
 * rows without a pipeline. Legacy style: UPPER_CASE keys, values as strings, errors with `error: ""`.
 */

interface StageTemplate {
  code: string;
  name: string;
  color: string;
  semantics: 'S' | 'F' | null;
  system: boolean;
}

/** The stages a new deal pipeline gets (crm-status-list.md example; Russian names of a ru portal). */
const DEAL_STAGES: StageTemplate[] = [
  { code: 'NEW', name: 'Новая', color: '#39A8EF', semantics: null, system: true },
  { code: 'PREPARATION', name: 'Подготовка документов', color: '#2FC6F6', semantics: null, system: false },
  {
    code: 'PREPAYMENT_INVOICE',
    name: 'Счёт на предоплату',
    color: '#55D0E0',
    semantics: null,
    system: false,
  },
  { code: 'EXECUTING', name: 'В работе', color: '#47E4C2', semantics: null, system: false },
  { code: 'FINAL_INVOICE', name: 'Финальный счёт', color: '#FFA900', semantics: null, system: false },
  { code: 'WON', name: 'Сделка успешна', color: '#7BD500', semantics: 'S', system: true },
  { code: 'LOSE', name: 'Сделка провалена', color: '#FF5752', semantics: 'F', system: true },
  { code: 'APOLOGY', name: 'Анализ причины провала', color: '#FF5752', semantics: 'F', system: false },
];

/** The stages a new smart-process pipeline gets (tutorials/crm/how-to-add-crm-objects/how-to-add-category-to-spa.md). */
const SPA_STAGES: StageTemplate[] = [
  { code: 'NEW', name: 'Начало', color: '#22B9FF', semantics: null, system: true },
  { code: 'PREPARATION', name: 'Подготовка', color: '#88B9FF', semantics: null, system: false },
  { code: 'CLIENT', name: 'Согласование', color: '#10E5FC', semantics: null, system: false },
  { code: 'SUCCESS', name: 'Успех', color: '#00FF00', semantics: 'S', system: true },
  { code: 'FAIL', name: 'Провал', color: '#FF0000', semantics: 'F', system: true },
];

/** Directories that are not pipelines, with the entries a fresh Russian-language portal has. */
const PLAIN_DIRECTORIES: { id: string; name: string; entries: [string, string][] }[] = [
  {
    id: 'SOURCE',
    name: 'Источники',
    entries: [
      ['CALL', 'Звонок'],
      ['EMAIL', 'Электронная почта'],
      ['WEB', 'Веб-сайт'],
      ['ADVERTISING', 'Реклама'],
      ['PARTNER', 'Существующий клиент'],
      ['RECOMMENDATION', 'По рекомендации'],
      ['TRADE_SHOW', 'Выставка'],
      ['WEBFORM', 'CRM-форма'],
      ['CALLBACK', 'Обратный звонок'],
      ['OTHER', 'Другое'],
    ],
  },
  {
    id: 'CONTACT_TYPE',
    name: 'Тип контакта',
    entries: [
      ['CLIENT', 'Клиенты'],
      ['SUPPLIER', 'Поставщики'],
      ['PARTNER', 'Партнеры'],
      ['OTHER', 'Другое'],
    ],
  },
  {
    id: 'COMPANY_TYPE',
    name: 'Тип компании',
    entries: [
      ['CUSTOMER', 'Клиент'],
      ['SUPPLIER', 'Поставщик'],
      ['COMPETITOR', 'Конкурент'],
      ['PARTNER', 'Партнер'],
      ['OTHER', 'Другое'],
    ],
  },
  {
    id: 'EMPLOYEES',
    name: 'Кол-во сотрудников',
    entries: [
      ['EMPLOYEES_1', 'менее 50'],
      ['EMPLOYEES_2', '50-250'],
      ['EMPLOYEES_3', '250-500'],
      ['EMPLOYEES_4', 'более 500'],
    ],
  },
  {
    id: 'INDUSTRY',
    name: 'Сфера деятельности',
    entries: [
      ['IT', 'Информационные технологии'],
      ['TELECOM', 'Телекоммуникации и связь'],
      ['MANUFACTURING', 'Производство'],
      ['BANKING', 'Банковские услуги'],
      ['CONSULTING', 'Консалтинг'],
      ['FINANCE', 'Финансы'],
      ['GOVERNMENT', 'Правительство'],
      ['DELIVERY', 'Доставка'],
      ['ENTERTAINMENT', 'Развлечения'],
      ['NOTPROFIT', 'Не для получения прибыли'],
      ['OTHER', 'Другое'],
    ],
  },
  {
    id: 'DEAL_TYPE',
    name: 'Тип сделки',
    entries: [
      ['SALE', 'Продажа'],
      ['COMPLEX', 'Комплексная продажа'],
      ['GOODS', 'Продажа товара'],
      ['SERVICES', 'Продажа услуги'],
      ['SERVICE', 'Сервисное обслуживание'],
    ],
  },
];

/** Colours for stages added without COLOR, by group. */
const DEFAULT_COLOR = { process: '#ACE9FB', S: '#DBF199', F: '#FFBEBD' };

/**
 * The longest STATUS_ID of a deal stage (crm-status-add.md: 22 for DEAL_STAGE; the pipeline prefix
 * eats into the limit of other pipelines, where default codes are cut to 21 characters, e.g.
 * `C10:PREPAYMENT_INVOIC` in tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md).
 */
const dealStageLimit = (categoryId: number): number => (categoryId === 0 ? 22 : 21);
const OTHER_STATUS_LIMIT = 50;

/** What an ENTITY_ID names: a pipeline's stages or a plain directory. */
type Directory =
  | { kind: 'stages'; entityTypeId: number; categoryId: number; category: CategoryDoc }
  | { kind: 'plain'; id: string };

export function resolveDirectory(portal: Portal, entityId: string): Directory | undefined {
  const plain = PLAIN_DIRECTORIES.find((d) => d.id === entityId);
  if (plain) return { kind: 'plain', id: plain.id };
  let entityTypeId: number | undefined;
  let categoryId: number | undefined;
  const deal = /^DEAL_STAGE(?:_(\d+))?$/.exec(entityId);
  const dynamic = /^DYNAMIC_(\d+)_STAGE_(\d+)$/.exec(entityId);
  if (deal) {
    entityTypeId = ENTITY_TYPE.deal;
    categoryId = deal[1] === undefined ? 0 : Number(deal[1]);
  } else if (dynamic) {
    entityTypeId = Number(dynamic[1]);
    categoryId = Number(dynamic[2]);
  }
  if (entityTypeId === undefined || categoryId === undefined) return undefined;
  const category = categoriesOf(portal, entityTypeId).find((c) => c.id === categoryId);
  if (!category || stageEntityId(entityTypeId, categoryId) !== entityId) return undefined;
  return { kind: 'stages', entityTypeId, categoryId, category };
}

/** Creates the default stages of a new pipeline (deals: 8 stages; smart processes: 5). */
export function createDefaultStages(portal: Portal, entityTypeId: number, categoryId: number): void {
  const deal = entityTypeId === ENTITY_TYPE.deal;
  const template = deal ? DEAL_STAGES : SPA_STAGES;
  const prefix = stagePrefix(entityTypeId, categoryId);
  template.forEach((stage, i) => {
    let statusId = prefix + stage.code;
    if (deal) statusId = statusId.slice(0, dealStageLimit(categoryId));
    const doc: Omit<StatusDoc, 'id'> = {
      ENTITY_ID: stageEntityId(entityTypeId, categoryId),
      STATUS_ID: statusId,
      NAME: stage.name,
      // Deal pipelines keep the initial name only on system stages; smart processes on every stage.
      NAME_INIT: deal && !stage.system ? '' : stage.name,
      SORT: (i + 1) * 10,
      SYSTEM: stage.system,
      CATEGORY_ID: categoryId,
      COLOR: stage.color,
      SEMANTICS: stage.semantics,
      entityTypeId,
    };
    portal.store.insert(STATUS_KIND, doc);
  });
}

/** Removes every stage of a pipeline (the pipeline is being deleted). */
export function deleteStagesOf(portal: Portal, entityTypeId: number, categoryId: number): void {
  for (const stage of listStages(portal, entityTypeId, categoryId))
    portal.store.delete(STATUS_KIND, stage.id);
}

function seedPlainDirectories(portal: Portal): void {
  for (const dir of PLAIN_DIRECTORIES) {
    dir.entries.forEach(([code, name], i) => {
      const doc: Omit<StatusDoc, 'id'> = {
        ENTITY_ID: dir.id,
        STATUS_ID: code,
        NAME: name,
        NAME_INIT: name,
        SORT: (i + 1) * 10,
        SYSTEM: true,
        CATEGORY_ID: null,
        COLOR: '',
        SEMANTICS: null,
        entityTypeId: null,
      };
      portal.store.insert(STATUS_KIND, doc);
    });
  }
}

/**
 * `EXTRA` of a deal stage (crm-status-list.md): process/success/failure/apology. The first failure
 * stage of a pipeline is the "failure", later ones are "apology" stages.
 */
function extraSemantics(portal: Portal, s: StatusDoc): string {
  if (s.SEMANTICS === 'S') return 'success';
  if (s.SEMANTICS !== 'F') return 'process';
  const firstFailure = statusesOf(portal, s.ENTITY_ID).find((row) => row.SEMANTICS === 'F');
  return firstFailure?.id === s.id ? 'failure' : 'apology';
}

/** A row as crm.status.list/get print it: every value a string, CATEGORY_ID null for deal pipeline 0. */
export function renderStatus(portal: Portal, s: StatusDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: String(s.id),
    ENTITY_ID: s.ENTITY_ID,
    STATUS_ID: s.STATUS_ID,
    NAME: s.NAME,
    NAME_INIT: s.NAME_INIT,
    SORT: String(s.SORT),
    SYSTEM: s.SYSTEM ? 'Y' : 'N',
    CATEGORY_ID: s.CATEGORY_ID === null || s.CATEGORY_ID === 0 ? null : String(s.CATEGORY_ID),
    COLOR: s.COLOR === '' ? null : s.COLOR,
    SEMANTICS: s.SEMANTICS,
  };
  // Only deal (and lead) stages carry EXTRA; smart-process stage rows do not.
  if (s.entityTypeId === ENTITY_TYPE.deal) {
    out.EXTRA = { SEMANTICS: extraSemantics(portal, s), COLOR: s.COLOR };
  }
  return out;
}

const yn = (value: unknown): unknown => (flag(value) ? 1 : 0);

const resolveStatusField: FieldResolver = (name) => {
  switch (name.toUpperCase()) {
    case 'ID':
      return { field: 'id', kind: 'number' };
    case 'ENTITY_ID':
    case 'STATUS_ID':
    case 'NAME':
    case 'NAME_INIT':
    case 'COLOR':
    case 'SEMANTICS':
      return { field: name.toUpperCase(), kind: 'text' };
    case 'SORT':
    case 'CATEGORY_ID':
      return { field: name.toUpperCase(), kind: 'number' };
    case 'SYSTEM':
      return { field: 'SYSTEM', kind: 'number', toStored: yn };
    default:
      return undefined;
  }
};

function statusById(portal: Portal, params: Record<string, unknown>): StatusDoc {
  const id = idParam(param(params, 'id'));
  if (id === undefined) throw errors.legacy('Invalid identifier.');
  const doc = portal.store.get<StatusDoc>(STATUS_KIND, id);
  if (!doc) throw errors.legacy('Status is not found.');
  return doc;
}

function parseSemantics(value: unknown): 'S' | 'F' | null {
  const text = str(value).toUpperCase();
  return text === 'S' ? 'S' : text === 'F' ? 'F' : null;
}

/**
 * The sort rule of a pipeline (crm-status-add.md, "Restrictions for SORT"): in-progress stages come
 * before the success stage, which comes before the failure stages; there is one success stage.
 */
function checkStageOrder(siblings: StatusDoc[], semantics: 'S' | 'F' | null, sort: number): void {
  const success = siblings.find((s) => s.SEMANTICS === 'S');
  const failures = siblings.filter((s) => s.SEMANTICS === 'F').map((s) => s.SORT);
  const processes = siblings.filter((s) => s.SEMANTICS === null).map((s) => s.SORT);
  const afterFinal = (): never => {
    throw errors.legacy('Cannot create more stages after the final stage. Change the sort order.');
  };
  if (semantics === null) {
    if ((success && sort >= success.SORT) || failures.some((f) => sort >= f)) afterFinal();
  } else if (semantics === 'S') {
    if (success) throw errors.legacy('A pipeline can have only one success stage.');
    if (processes.some((p) => sort <= p) || failures.some((f) => sort >= f)) afterFinal();
  } else if ((success && sort <= success.SORT) || processes.some((p) => sort <= p)) {
    throw errors.legacy('Failure stages must follow the success stage. Change the sort order.');
  }
}

function checkStatusId(dir: Directory, statusId: string): void {
  if (dir.kind === 'stages' && dir.entityTypeId === ENTITY_TYPE.deal) {
    const limit = dealStageLimit(dir.categoryId);
    if (statusId.length > limit)
      throw errors.legacy(`The field STATUS_ID must not be longer than ${limit} characters.`);
    const code = statusId.slice(stagePrefix(dir.entityTypeId, dir.categoryId).length);
    if (!/^[A-Za-z0-9_-]+$/.test(code))
      throw errors.legacy(
        'The field STATUS_ID may contain only Latin letters, digits, hyphens and underscores.',
      );
  } else if (statusId.length > OTHER_STATUS_LIMIT) {
    throw errors.legacy(`The field STATUS_ID must not be longer than ${OTHER_STATUS_LIMIT} characters.`);
  }
}

interface EntityTypeRow {
  ID: string;
  NAME: string;
  [key: string]: unknown;
}

function dealStageTypes(portal: Portal): EntityTypeRow[] {
  return categoriesOf(portal, ENTITY_TYPE.deal)
    .sort((a, b) => a.id - b.id)
    .map((c) => {
      const stages = listStages(portal, ENTITY_TYPE.deal, c.id);
      const row: EntityTypeRow = {
        ID: stageEntityId(ENTITY_TYPE.deal, c.id),
        NAME: `Стадии сделок (${c.name})`,
      };
      if (c.id !== 0) row.PARENT_ID = 'DEAL_STAGE';
      row.SEMANTIC_INFO = {
        START_FIELD: stages.find((s) => s.SEMANTICS === null)?.STATUS_ID ?? '',
        FINAL_SUCCESS_FIELD: stages.find((s) => s.SEMANTICS === 'S')?.STATUS_ID ?? '',
        FINAL_UNSUCCESS_FIELD: stages.find((s) => s.SEMANTICS === 'F')?.STATUS_ID ?? '',
        FINAL_SORT: 0,
      };
      if (c.id !== 0) row.PREFIX = `C${c.id}`;
      row.FIELD_ATTRIBUTE_SCOPE = c.id === 0 ? '' : `category_${c.id}`;
      row.ENTITY_TYPE_ID = ENTITY_TYPE.deal;
      // crm-status-entity-types.md prints CATEGORY_ID 0 for the default pipeline and a string otherwise.
      row.CATEGORY_ID = c.id === 0 ? 0 : String(c.id);
      return row;
    });
}

function dynamicStageTypes(portal: Portal): EntityTypeRow[] {
  const rows: EntityTypeRow[] = [];
  const types = portal.store.query<TypeDoc>(TYPE_KIND, {
    order: [{ field: 'id', dir: 'ASC', kind: 'number' }],
  });
  for (const type of types) {
    for (const c of categoriesOf(portal, type.entityTypeId).sort((a, b) => a.id - b.id)) {
      rows.push({
        ID: stageEntityId(type.entityTypeId, c.id),
        NAME: `${type.title} (${c.name})`,
        SEMANTIC_INFO: [],
        PREFIX: stagePrefix(type.entityTypeId, c.id).replace(/:$/, ''),
        FIELD_ATTRIBUTE_SCOPE: `category_${c.id}`,
        ENTITY_TYPE_ID: type.entityTypeId,
        IS_ENABLED: true,
        CATEGORY_ID: c.id,
        CATEGORY_NAME: c.name,
        CATEGORY_SORT: c.sort,
        IS_DEFAULT_CATEGORY: c.isDefault,
      });
    }
  }
  return rows;
}

const fieldInfo = (type: string, title: string, extra: Record<string, boolean> = {}) => ({
  type,
  isRequired: false,
  isReadOnly: false,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title,
  ...extra,
});

function statusAdd(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const fields = objectParam(params, 'fields');
  if (!fields) throw errors.legacy('Invalid parameters.');
  const entityId = str(param(fields, 'ENTITY_ID')).trim();
  if (!entityId) throw errors.legacy('The field ENTITY_ID is required.');
  let statusId = str(param(fields, 'STATUS_ID')).trim();
  if (!statusId) throw errors.legacy('The field STATUS_ID is required.');
  const dir = resolveDirectory(portal, entityId);
  if (!dir) throw errors.legacy('Specified entity type is not supported.');
  const name = str(param(fields, 'NAME')).trim();
  if (!name) throw errors.legacy('The field Title is required.');
  const sortRaw = Number(param(fields, 'SORT'));
  const sort = Number.isFinite(sortRaw) && str(param(fields, 'SORT')) !== '' ? Math.trunc(sortRaw) : 10;
  let semantics: 'S' | 'F' | null = null;
  if (dir.kind === 'stages') {
    // The pipeline prefix is added when missing (crm-status-add.md: DECISION -> C1:DECISION).
    const prefix = stagePrefix(dir.entityTypeId, dir.categoryId);
    if (!statusId.startsWith(prefix)) statusId = prefix + statusId;
    semantics = parseSemantics(param(fields, 'SEMANTICS'));
    checkStageOrder(statusesOf(portal, entityId), semantics, sort);
  }
  checkStatusId(dir, statusId);
  if (statusesOf(portal, entityId).some((s) => s.STATUS_ID === statusId))
    throw errors.core('The specified status ID already exists.');
  const color = str(param(fields, 'COLOR')).trim();
  const doc: Omit<StatusDoc, 'id'> = {
    ENTITY_ID: entityId,
    STATUS_ID: statusId,
    NAME: name,
    NAME_INIT: '',
    SORT: sort,
    // crm.status.add always creates non-system rows.
    SYSTEM: false,
    CATEGORY_ID: dir.kind === 'stages' ? dir.categoryId : null,
    COLOR: color || (dir.kind === 'stages' ? DEFAULT_COLOR[semantics ?? 'process'] : ''),
    SEMANTICS: semantics,
    entityTypeId: dir.kind === 'stages' ? dir.entityTypeId : null,
  };
  return ok(portal.store.insert(STATUS_KIND, doc).id);
}

function statusUpdate(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const doc = statusById(portal, params);
  const fields = objectParam(params, 'fields');
  if (!fields) throw errors.legacy('Invalid parameters.');
  const name = param(fields, 'NAME');
  if (name !== undefined) {
    if (!str(name).trim()) throw errors.legacy('The field Title is required.');
    doc.NAME = str(name).trim();
  }
  // Re-sorting is not checked against the stage groups: a provisioning run moves stages one call
  // at a time, through orders the add-time rule would refuse (crm-status-update.md has no such error).
  const sortRaw = param(fields, 'SORT');
  if (sortRaw !== undefined && str(sortRaw) !== '' && Number.isFinite(Number(sortRaw)))
    doc.SORT = Math.trunc(Number(sortRaw));
  const color = param(fields, 'COLOR');
  if (color !== undefined && str(color).trim()) doc.COLOR = str(color).trim();
  portal.store.put(STATUS_KIND, doc);
  return ok(true);
}

function statusDelete(portal: Portal, params: Record<string, unknown>): MethodOutput {
  const doc = statusById(portal, params);
  const options = objectParam(params, 'params');
  const forced = options ? str(param(options, 'FORCED')).toUpperCase() === 'Y' : false;
  if (doc.SYSTEM && !forced)
    throw errors.legacy(
      'CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".',
    );
  if (doc.entityTypeId !== null) {
    const used = portal.store.count(itemKind(doc.entityTypeId), [
      { field: 'stageId', op: '=', value: doc.STATUS_ID, kind: 'text' },
    ]);
    if (used > 0) throw errors.legacy('There are active items in this status.');
  }
  portal.store.delete(STATUS_KIND, doc.id);
  return ok(true);
}

export const crmStatusModule: MethodModule = {
  seed: seedPlainDirectories,
  methods: scoped('crm', {
    'crm.status.fields': () =>
      ok({
        ID: fieldInfo('integer', 'ID', { isReadOnly: true }),
        ENTITY_ID: fieldInfo('string', 'Entity ID', { isRequired: true, isImmutable: true }),
        STATUS_ID: fieldInfo('string', 'Status', { isRequired: true, isImmutable: true }),
        SORT: fieldInfo('integer', 'Sorting'),
        NAME: fieldInfo('string', 'Name', { isRequired: true }),
        NAME_INIT: fieldInfo('string', 'Default Name', { isReadOnly: true }),
        SYSTEM: fieldInfo('char', 'System', { isReadOnly: true }),
        CATEGORY_ID: fieldInfo('integer', 'CATEGORY_ID', { isImmutable: true }),
        COLOR: fieldInfo('string', 'COLOR'),
        SEMANTICS: fieldInfo('char', 'SEMANTICS', { isImmutable: true }),
        EXTRA: fieldInfo('crm_status_extra', 'Additional Fields'),
      }),
    'crm.status.list': ({ portal, params, start }) => {
      const where = parseFilter(param(params, 'filter'), resolveStatusField, { unknown: 'ignore' });
      const order = parseOrder(param(params, 'order'), resolveStatusField);
      // Without an order, rows come in directory order (SORT), as the portal's UI shows them.
      if (order.length === 0) order.push({ field: 'SORT', dir: 'ASC', kind: 'number' });
      return listPage<StatusDoc>(portal.store, STATUS_KIND, start, { where, order }, (rows) =>
        rows.map((r) => renderStatus(portal, r)),
      );
    },
    'crm.status.get': ({ portal, params }) => ok(renderStatus(portal, statusById(portal, params))),
    'crm.status.add': ({ portal, params }) => statusAdd(portal, params),
    'crm.status.update': ({ portal, params }) => statusUpdate(portal, params),
    'crm.status.delete': ({ portal, params }) => statusDelete(portal, params),
    'crm.status.entity.types': ({ portal }) =>
      ok([
        ...PLAIN_DIRECTORIES.map((d) => ({ ID: d.id, NAME: d.name })),
        ...dealStageTypes(portal),
        ...dynamicStageTypes(portal),
      ]),
    'crm.status.entity.items': ({ portal, params }) => {
      const entityId = str(param(params, 'entityId', 'ENTITY_ID')).trim();
      if (!entityId) throw errors.legacy('The parameter entityId is not defined or invalid.');
      // SORT is an integer here, unlike crm.status.list (crm-status-entity-items.md).
      return ok(
        statusesOf(portal, entityId).map((s) => ({ NAME: s.NAME, SORT: s.SORT, STATUS_ID: s.STATUS_ID })),
      );
    },
  }),
};
