/**
 * How each list method pages: a table, not guesses (reference/peer-clients.md §2.B, §2.D: b24jssdk
 * #185 stopped after 50 tasks because of `ID` vs `id`; #483 reported bots because of `FILTER` vs
 * `filter`; fast_bitrix24 #132 tripped over `{tasks: [...]}`). Sources: reference/bitrix24-rest.md §5,
 * §6 and the method pages of bitrix24/b24restdocs named per row.
 *
 * Fields of a row:
 *   resultKey   where the rows are inside `result`: undefined = `result` is the array; `items` for
 *               crm.item.list, `tasks` for tasks.task.list ...
 *   idField     the id key in the rows (`ID` legacy, `id` camelCase)
 *   filterParam the filter parameter's name (`filter`; user.get documents `FILTER`)
 *   idFilter    the id name inside the filter (`ID`, or `id` for crm.item.list)
 *   order       how to ask for ascending ids: an `order` object, or user.get/department.get's
 *               `sort` + `order` pair
 *   selectId    the id name to add to a `select` that lacks it (the chain reads it from each page)
 *   chain       the method honours `start=-1` and a `>ID` filter, so the chained fast path works
 *               (settings/performance/huge-data.md); false = offset pages in batches
 *   required    parameters without which the method cannot list (`entityTypeId`)
 */
export interface ListSpec {
  method: string;
  resultKey?: string;
  idField: string;
  filterParam: string;
  idFilter: string;
  order: { kind: 'object'; param: string; field: string; dir: 'ASC' | 'asc' } | { kind: 'sort-order' };
  selectId?: string | undefined;
  chain: boolean;
  required?: string[];
}

const legacyCrm = (method: string): ListSpec => ({
  method,
  idField: 'ID',
  filterParam: 'filter',
  idFilter: 'ID',
  order: { kind: 'object', param: 'order', field: 'ID', dir: 'ASC' },
  selectId: 'ID',
  chain: true,
});

const ROWS: ListSpec[] = [
  // Legacy CRM: plain arrays, UPPER_CASE (crm/deals/crm-deal-list.md, contacts, companies, leads, quotes).
  legacyCrm('crm.deal.list'),
  legacyCrm('crm.contact.list'),
  legacyCrm('crm.company.list'),
  legacyCrm('crm.lead.list'),
  legacyCrm('crm.quote.list'),
  legacyCrm('crm.activity.list'),
  legacyCrm('crm.product.list'),
  legacyCrm('crm.requisite.list'),
  legacyCrm('crm.address.list'),
  // Universal items: { items: [...] }, camelCase ids, `>id` (crm/universal/crm-item-list.md).
  {
    method: 'crm.item.list',
    resultKey: 'items',
    idField: 'id',
    filterParam: 'filter',
    idFilter: 'id',
    order: { kind: 'object', param: 'order', field: 'id', dir: 'ASC' },
    selectId: 'id',
    chain: true,
    required: ['entityTypeId'],
  },
  // Stage history: { items: [...] } with UPPER keys (crm/crm-stage-history-list.md).
  {
    method: 'crm.stagehistory.list',
    resultKey: 'items',
    idField: 'ID',
    filterParam: 'filter',
    idFilter: 'ID',
    order: { kind: 'object', param: 'order', field: 'ID', dir: 'ASC' },
    selectId: 'ID',
    chain: true,
    required: ['entityTypeId'],
  },
  // Tasks: { tasks: [...] }; filter and select in UPPER_CASE, rows come back camelCase (`id`) (tasks/tasks-task-list.md).
  {
    method: 'tasks.task.list',
    resultKey: 'tasks',
    idField: 'id',
    filterParam: 'filter',
    idFilter: 'ID',
    order: { kind: 'object', param: 'order', field: 'ID', dir: 'asc' },
    selectId: 'ID',
    chain: true,
  },
  // Users: plain array; filter documented as FILTER; sort + order pair (user/user-get.md).
  {
    method: 'user.get',
    idField: 'ID',
    filterParam: 'FILTER',
    idFilter: 'ID',
    order: { kind: 'sort-order' },
    chain: true,
  },
  // Departments: filters are top-level exact keys (no `>ID`), few rows: offset pages (departments/department-get.md).
  {
    method: 'department.get',
    idField: 'ID',
    filterParam: '',
    idFilter: 'ID',
    order: { kind: 'sort-order' },
    chain: false,
  },
  // Directories: small, paged by offset.
  { ...legacyCrm('crm.status.list'), chain: false, selectId: undefined },
  {
    method: 'crm.category.list',
    resultKey: 'categories',
    idField: 'id',
    filterParam: 'filter',
    idFilter: 'id',
    order: { kind: 'object', param: 'order', field: 'id', dir: 'ASC' },
    chain: false,
    required: ['entityTypeId'],
  },
  {
    method: 'crm.type.list',
    resultKey: 'types',
    idField: 'id',
    filterParam: 'filter',
    idFilter: 'id',
    order: { kind: 'object', param: 'order', field: 'id', dir: 'ASC' },
    chain: false,
  },
  {
    method: 'userfieldconfig.list',
    resultKey: 'fields',
    idField: 'id',
    filterParam: 'filter',
    idFilter: 'id',
    order: { kind: 'object', param: 'order', field: 'id', dir: 'ASC' },
    chain: false,
    required: ['moduleId'],
  },
  { ...legacyCrm('crm.deal.userfield.list'), chain: false, selectId: undefined },
  { ...legacyCrm('crm.contact.userfield.list'), chain: false, selectId: undefined },
  { ...legacyCrm('crm.company.userfield.list'), chain: false, selectId: undefined },
  { ...legacyCrm('crm.timeline.comment.list'), chain: false, selectId: undefined },
  {
    method: 'lists.element.get',
    idField: 'ID',
    filterParam: 'FILTER',
    idFilter: 'ID',
    order: { kind: 'object', param: 'ELEMENT_ORDER', field: 'ID', dir: 'ASC' },
    chain: false,
    required: ['IBLOCK_TYPE_ID'],
  },
  { ...legacyCrm('disk.storage.getlist'), chain: false, selectId: undefined },
  { ...legacyCrm('disk.folder.getchildren'), chain: false, selectId: undefined, required: ['id'] },
  { ...legacyCrm('b24lab.notifications.list'), chain: false, selectId: undefined, idField: 'id' },
];

const TABLE = new Map(ROWS.map((r) => [r.method, r]));

/** The row of a list method, or undefined when b24lab does not know how it pages. */
export function listSpec(method: string): ListSpec | undefined {
  return TABLE.get(method.trim().toLowerCase());
}

export function knownListMethods(): string[] {
  return [...TABLE.keys()].sort();
}

/** The rows of one page, per the row's `resultKey`; undefined when the shape is not a list. */
export function rowsOf(spec: ListSpec, result: unknown): Record<string, unknown>[] | undefined {
  const holder =
    spec.resultKey !== undefined && result !== null && typeof result === 'object' && !Array.isArray(result)
      ? (result as Record<string, unknown>)[spec.resultKey]
      : result;
  if (Array.isArray(holder)) return holder as Record<string, unknown>[];
  // An empty PHP map may print as {} where a list was meant.
  if (holder !== null && typeof holder === 'object' && Object.keys(holder).length === 0) return [];
  return undefined;
}

/** A row's id as a number (ids are strings in legacy rows, numbers in camelCase ones). */
export function idOf(spec: ListSpec, row: Record<string, unknown>): number | undefined {
  const n = Number(row[spec.idField]);
  return Number.isFinite(n) ? n : undefined;
}

/** The batch reference to the id of the last row of page `cmd`: `$result[c3][items][49][id]`. */
export function lastIdReference(spec: ListSpec, cmd: string, pageSize: number): string {
  const key = spec.resultKey !== undefined ? `[${spec.resultKey}]` : '';
  return `$result[${cmd}]${key}[${pageSize - 1}][${spec.idField}]`;
}

const ID_LOWER_BOUND = /^(>=?)(id)$/i;

/**
 * Builds the parameters of one page request from the caller's params.
 *
 * Worked example (crm.deal.list, after id 2650):
 *   pageParams(spec, { filter: { STAGE_ID: 'NEW' }, select: ['TITLE'] }, { after: 2650, start: -1 })
 *   -> { filter: { STAGE_ID: 'NEW', '>ID': 2650 }, select: ['TITLE', 'ID'], order: { ID: 'ASC' }, start: -1 }
 * `after` may also be a batch reference string ('$result[c0][49][ID]').
 */
export function pageParams(
  spec: ListSpec,
  params: Record<string, unknown>,
  page: { after?: number | string; start: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const lower = key.toLowerCase();
    if (lower === 'start' || lower === 'order' || (spec.order.kind === 'sort-order' && lower === 'sort'))
      continue;
    if (spec.filterParam && lower === spec.filterParam.toLowerCase() && value && typeof value === 'object') {
      filter = { ...(value as Record<string, unknown>) };
      continue;
    }
    out[key] = value;
  }
  if (page.after !== undefined) {
    for (const key of Object.keys(filter)) if (ID_LOWER_BOUND.test(key)) delete filter[key];
    filter[`>${spec.idFilter}`] = page.after;
  }
  if (spec.filterParam && Object.keys(filter).length > 0) out[spec.filterParam] = filter;
  const select = Object.entries(out).find(([k]) => k.toLowerCase() === 'select');
  if (spec.selectId && select && Array.isArray(select[1])) {
    const fields = select[1] as unknown[];
    const has = fields.some(
      (f) => typeof f === 'string' && (f === '*' || f.toLowerCase() === spec.selectId?.toLowerCase()),
    );
    if (!has) out[select[0]] = [...fields, spec.selectId];
  }
  if (spec.order.kind === 'object') out[spec.order.param] = { [spec.order.field]: spec.order.dir };
  else {
    out.sort = spec.idField;
    out.order = 'ASC';
  }
  out.start = page.start;
  return out;
}

/**
 * The lower id bound the caller's filter already sets (`>ID: 100` -> 100, `>=ID: 100` -> 99), so the
 * chain starts there instead of overriding it.
 */
export function initialCursor(spec: ListSpec, params: Record<string, unknown>): number {
  const filterKey = Object.keys(params).find(
    (k) => spec.filterParam && k.toLowerCase() === spec.filterParam.toLowerCase(),
  );
  const filter = filterKey ? params[filterKey] : undefined;
  let cursor = 0;
  if (filter && typeof filter === 'object') {
    for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
      const m = ID_LOWER_BOUND.exec(key);
      const n = Number(value);
      if (!m || !Number.isFinite(n)) continue;
      cursor = Math.max(cursor, m[1] === '>=' ? Math.ceil(n) - 1 : Math.floor(n));
    }
  }
  return cursor;
}

/** Rejects what a streamed list cannot honour (a custom order: rows come in id order). */
export function checkListParams(spec: ListSpec, params: Record<string, unknown>): string | undefined {
  for (const r of spec.required ?? []) {
    if (!Object.keys(params).some((k) => k.toLowerCase() === r.toLowerCase()))
      return `${spec.method} needs the parameter ${r}`;
  }
  const order = Object.entries(params).find(([k]) => k.toLowerCase() === 'order')?.[1];
  if (spec.order.kind === 'object' && order !== undefined) {
    const entries = order && typeof order === 'object' ? Object.entries(order) : [];
    const idAsc =
      entries.length === 1 &&
      entries[0]?.[0].toLowerCase() === 'id' &&
      String(entries[0]?.[1]).toLowerCase() === 'asc';
    if (!idAsc) return 'lists stream in ascending id order; sort the rows afterwards';
  }
  return undefined;
}
