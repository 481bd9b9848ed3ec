/**
 * The IO edge of the reports: reads the portal through the REST client and yields the typed rows the
 * pure cores take. Every list streams (the chained fast path of src/rest/list.ts, 2,500 rows per
 * request) with server-side filters and a narrow `select`, so a report of 100,000 deals holds one
 * page in memory, not the portal.
 *
 * Deals and smart-process items are read with crm.item.list and `useOriginalUfNames: 'Y'`, so the
 * laboratory's user fields keep the names of config/deal-fields.yaml (UF_CRM_PAID_AMOUNT...) whatever
 * crm.item's camelCase rules would make of them (reference/bitrix24-rest.md §6.9).
 */
import type { B24Client } from '../rest/client.js';
import type { ListOptions } from '../rest/list.js';
import type { LedgerEntry } from '../state/ledger.js';
import type {
  DealRow,
  EscalationRow,
  LabItemRow,
  Period,
  Semantic,
  StageChangeRow,
  StageDirectory,
  TaskRow,
} from './rows.js';
import { DAY_MS } from './rows.js';

export const DEAL_ENTITY_TYPE = 2;

/** The deal fields of the laboratory (config/deal-fields.yaml): overridable for another portal. */
export interface DealFieldNames {
  paid: string;
  remaining: string;
  resultsSent: string;
  feedback: string;
}

export const DEFAULT_DEAL_FIELDS: DealFieldNames = {
  paid: 'UF_CRM_PAID_AMOUNT',
  remaining: 'UF_CRM_REMAINING_AMOUNT',
  resultsSent: 'UF_CRM_RESULTS_SENT_DATE',
  feedback: 'UF_CRM_FEEDBACK',
};

type Raw = Record<string, unknown>;

/** A number from a REST value: `"1000.00"`, `1000`, a money UF `"300|RUB"`; null when empty. */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value.split('|')[0]?.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/** Epoch ms of an ISO datetime (`2026-01-05T10:00:00+03:00`); null when empty or not a date. */
export function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** A filled text or list value (a feedback text, an enumeration id): empty strings and [] are not. */
function filled(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(filled);
  if (typeof value === 'string') return value.trim() !== '';
  return value !== null && value !== undefined && value !== false;
}

/**
 * Midnight (portal time) of a date field. Portals print a date field as a datetime whose clock part
 * depends on the server's offset (reference/bitrix24-rest.md §7: `2024-08-30T03:00:00+03:00`), so only
 * the calendar date is taken. Worked example (+180): "2026-01-05T03:00:00+03:00" -> 2026-01-04T21:00Z.
 */
export function dateOf(value: unknown, offsetMinutes: number): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - offsetMinutes * 60_000;
}

const semanticOf = (value: unknown): Semantic => (value === 'S' || value === 'F' ? value : 'P');

/** ISO text of an instant for a filter; the portal reads the offset, so UTC is exact. */
export function filterTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export interface DealQuery {
  /** Only deals created before this instant (server-side `<createdTime`). */
  createdBefore: number;
  createdFrom?: number;
  categoryId?: number;
  /** Server-side `>UF remaining: 0`: only deals with an unpaid remainder. */
  unpaidOnly?: boolean;
  fields?: DealFieldNames;
  /** The portal's UTC offset, for date fields. */
  offsetMinutes?: number;
  list?: ListOptions;
}

/**
 * Deals as DealRow. closedAt: a final deal's movedTime (when it entered the final stage): CLOSEDATE
 * of a deal is the planned close date, not the actual one. The client is left null here (resolved by
 * `withClients` for the reports that show it).
 */
export async function* readDeals(
  client: B24Client,
  query: DealQuery,
): AsyncGenerator<DealRow & { companyId: number | null; contactId: number | null }> {
  const f = query.fields ?? DEFAULT_DEAL_FIELDS;
  const filter: Raw = { '<createdTime': filterTime(query.createdBefore) };
  if (query.createdFrom !== undefined) filter['>=createdTime'] = filterTime(query.createdFrom);
  if (query.categoryId !== undefined) filter.categoryId = query.categoryId;
  if (query.unpaidOnly) filter[`>${f.remaining}`] = 0;
  const select = [
    'id',
    'title',
    'categoryId',
    'stageId',
    'stageSemanticId',
    'assignedById',
    'createdTime',
    'movedTime',
    'opportunity',
    'companyId',
    'contactId',
    f.paid,
    f.remaining,
    f.resultsSent,
    f.feedback,
  ];
  const rows = client.list<Raw>(
    'crm.item.list',
    {
      entityTypeId: DEAL_ENTITY_TYPE,
      select,
      filter,
      useOriginalUfNames: 'Y',
    },
    query.list,
  );
  for await (const r of rows) {
    const semantic = semanticOf(r.stageSemanticId);
    const createdAt = timeOf(r.createdTime) ?? 0;
    const movedAt = timeOf(r.movedTime) ?? createdAt;
    yield {
      id: Number(r.id),
      title: typeof r.title === 'string' ? r.title : '',
      categoryId: Number(r.categoryId ?? 0),
      stageId: String(r.stageId ?? ''),
      semantic,
      assignedById: Number(r.assignedById ?? 0),
      createdAt,
      closedAt: semantic === 'P' ? null : movedAt,
      movedAt,
      amount: numberOf(r.opportunity) ?? 0,
      paid: numberOf(r[f.paid]),
      remaining: numberOf(r[f.remaining]),
      resultsSentAt: dateOf(r[f.resultsSent], query.offsetMinutes ?? 0),
      feedback: filled(r[f.feedback]),
      client: null,
      companyId: numberOf(r.companyId) || null,
      contactId: numberOf(r.contactId) || null,
    };
  }
}

/**
 * Fills `client` with the company title, or else the contact's name. Reads the companies and
 * contacts named by the rows in one batch (50 lists of up to 50 ids per request).
 */
export async function withClients(
  client: B24Client,
  deals: (DealRow & { companyId: number | null; contactId: number | null })[],
): Promise<DealRow[]> {
  const companyIds = [...new Set(deals.map((d) => d.companyId).filter((x): x is number => x !== null))];
  const contactIds = [
    ...new Set(
      deals
        .filter((d) => d.companyId === null)
        .map((d) => d.contactId)
        .filter((x): x is number => x !== null),
    ),
  ];
  const names = new Map<string, string>();
  const chunks = <T>(xs: T[]): T[][] =>
    Array.from({ length: Math.ceil(xs.length / 50) }, (_, i) => xs.slice(i * 50, i * 50 + 50));
  const calls = [
    ...chunks(companyIds).map((ids) => ({
      method: 'crm.company.list',
      params: { filter: { '@ID': ids }, select: ['ID', 'TITLE'] },
    })),
    ...chunks(contactIds).map((ids) => ({
      method: 'crm.contact.list',
      params: { filter: { '@ID': ids }, select: ['ID', 'NAME', 'LAST_NAME'] },
    })),
  ];
  if (calls.length > 0) {
    const outcomes = await client.batch<Raw[]>(calls);
    outcomes.forEach((o, i) => {
      if (!o.ok || !Array.isArray(o.result)) return;
      const company = calls[i]?.method === 'crm.company.list';
      for (const row of o.result) {
        const name = company
          ? String(row.TITLE ?? '')
          : [row.LAST_NAME, row.NAME].filter((x) => typeof x === 'string' && x !== '').join(' ');
        names.set(`${company ? 'CO' : 'C'}${String(row.ID)}`, name);
      }
    });
  }
  return deals.map(({ companyId, contactId, ...d }) => ({
    ...d,
    client:
      (companyId !== null ? names.get(`CO${companyId}`) : undefined) ??
      (contactId !== null ? names.get(`C${contactId}`) : undefined) ??
      null,
  }));
}

/** crm.stagehistory.list rows of one entity type, in ID order (chronological per record). */
export async function* readStageHistory(
  client: B24Client,
  entityTypeId: number,
  query: { createdBefore: number; createdFrom?: number; categoryId?: number; list?: ListOptions },
): AsyncGenerator<StageChangeRow> {
  const filter: Raw = { '<CREATED_TIME': filterTime(query.createdBefore) };
  if (query.createdFrom !== undefined) filter['>=CREATED_TIME'] = filterTime(query.createdFrom);
  if (query.categoryId !== undefined) filter.CATEGORY_ID = query.categoryId;
  const rows = client.list<Raw>(
    'crm.stagehistory.list',
    {
      entityTypeId,
      filter,
      select: ['ID', 'OWNER_ID', 'CATEGORY_ID', 'STAGE_ID', 'STAGE_SEMANTIC_ID', 'CREATED_TIME'],
    },
    query.list,
  );
  for await (const r of rows) {
    yield {
      ownerId: Number(r.OWNER_ID),
      categoryId: Number(r.CATEGORY_ID ?? 0),
      stageId: String(r.STAGE_ID ?? ''),
      semantic: semanticOf(r.STAGE_SEMANTIC_ID),
      at: timeOf(r.CREATED_TIME) ?? 0,
    };
  }
}

/**
 * The tasks a period's metrics need, in two server-filtered lists: completed in the period, and due
 * in the period (not completed in it: those came with the first list). A task in both is read once.
 */
export async function* readTasks(client: B24Client, period: Period): AsyncGenerator<TaskRow> {
  const select = ['ID', 'RESPONSIBLE_ID', 'CREATED_DATE', 'DEADLINE', 'CLOSED_DATE'];
  const toRow = (r: Raw): TaskRow => ({
    id: Number(r.id),
    responsibleId: Number(r.responsibleId),
    createdAt: timeOf(r.createdDate) ?? 0,
    deadline: timeOf(r.deadline),
    closedAt: timeOf(r.closedDate),
  });
  const from = filterTime(period.from);
  const to = filterTime(period.to);
  for await (const r of client.list<Raw>('tasks.task.list', {
    filter: { '>=CLOSED_DATE': from, '<CLOSED_DATE': to },
    select,
  })) {
    yield toRow(r);
  }
  for await (const r of client.list<Raw>('tasks.task.list', {
    filter: { '>=DEADLINE': from, '<DEADLINE': to },
    select,
  })) {
    const t = toRow(r);
    if (t.closedAt !== null && t.closedAt >= period.from && t.closedAt < period.to) continue;
    yield t;
  }
}

/** user id -> "LAST_NAME NAME", all users (active or not: a dismissed manager's deals still count). */
export async function readUserNames(client: B24Client): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for await (const u of client.list<Raw>('user.get', { filter: {}, ADMIN_MODE: true })) {
    const name = [u.LAST_NAME, u.NAME].filter((x) => typeof x === 'string' && x !== '').join(' ');
    names.set(Number(u.ID), name || String(u.EMAIL ?? `#${String(u.ID)}`));
  }
  return names;
}

/**
 * Pipelines (or smart-process directions) and their stages in kanban order: crm.category.list, then
 * crm.status.list per category in one batch. The stage directory is `DEAL_STAGE` / `DEAL_STAGE_<id>`
 * for deals and `DYNAMIC_<entityTypeId>_STAGE_<id>` for a smart process (crm-status-list.md).
 */
export async function readStageDirectory(
  client: B24Client,
  entityTypeId: number,
  categoryId?: number,
): Promise<StageDirectory> {
  const answer = await client.call<{ categories: Raw[] }>('crm.category.list', { entityTypeId });
  const categories = answer.categories
    .map((c) => ({ id: Number(c.id), name: String(c.name ?? ''), sort: Number(c.sort ?? 0) }))
    .filter((c) => categoryId === undefined || c.id === categoryId)
    .sort((a, b) => a.sort - b.sort || a.id - b.id);
  const entityOf = (id: number): string =>
    entityTypeId === DEAL_ENTITY_TYPE
      ? id === 0
        ? 'DEAL_STAGE'
        : `DEAL_STAGE_${id}`
      : `DYNAMIC_${entityTypeId}_STAGE_${id}`;
  const outcomes = await client.batch<Raw[]>(
    categories.map((c) => ({
      method: 'crm.status.list',
      params: { filter: { ENTITY_ID: entityOf(c.id) }, order: { SORT: 'ASC' } },
    })),
  );
  const stages: StageDirectory['stages'] = [];
  outcomes.forEach((o, i) => {
    const category = categories[i];
    if (!category) return;
    if (!o.ok) throw o.error;
    const rows = [...(o.result ?? [])].sort((a, b) => Number(a.SORT) - Number(b.SORT));
    for (const s of rows) {
      const extra = s.EXTRA as Raw | undefined;
      const semantics =
        s.SEMANTICS ??
        (extra?.SEMANTICS === 'success'
          ? 'S'
          : extra?.SEMANTICS === 'failure' || extra?.SEMANTICS === 'apology'
            ? 'F'
            : null);
      stages.push({
        categoryId: category.id,
        id: String(s.STATUS_ID),
        name: String(s.NAME ?? s.STATUS_ID),
        semantic: semanticOf(semantics),
      });
    }
  });
  return { categories: categories.map(({ id, name }) => ({ id, name })), stages };
}

/** The smart process's entityTypeId and type id, found by its code (b24lab keeps the key there) or title. */
export async function findSmartProcess(
  client: B24Client,
  key: { code: string; title: string },
): Promise<{ entityTypeId: number; id: number } | undefined> {
  const answer = await client.call<{ types: Raw[] }>('crm.type.list', {});
  const type =
    answer.types.find((t) => t.code === key.code) ?? answer.types.find((t) => t.title === key.title);
  return type ? { entityTypeId: Number(type.entityTypeId), id: Number(type.id) } : undefined;
}

/**
 * Items of the laboratory's smart process. The planned end is the item's «Срок сдачи» field when set
 * (UF_CRM_<type id>_DEADLINE, config/smart-processes.yaml), else its closedate; either counts to the
 * end of that day. finishedAt is the movedTime of an item in a final stage.
 */
export async function* readLabItems(
  client: B24Client,
  type: { entityTypeId: number; id: number },
  directory: StageDirectory,
  query: { createdBefore: number; offsetMinutes?: number; list?: ListOptions },
): AsyncGenerator<LabItemRow> {
  const deadlineField = `UF_CRM_${type.id}_DEADLINE`;
  const semantics = new Map(directory.stages.map((s) => [s.id, s.semantic]));
  const rows = client.list<Raw>(
    'crm.item.list',
    {
      entityTypeId: type.entityTypeId,
      select: [
        'id',
        'title',
        'categoryId',
        'stageId',
        'assignedById',
        'createdTime',
        'movedTime',
        'closedate',
        deadlineField,
      ],
      filter: { '<createdTime': filterTime(query.createdBefore) },
      useOriginalUfNames: 'Y',
    },
    query.list,
  );
  for await (const r of rows) {
    const stageId = String(r.stageId ?? '');
    const semantic = semantics.get(stageId) ?? 'P';
    const createdAt = timeOf(r.createdTime) ?? 0;
    const offset = query.offsetMinutes ?? 0;
    const day = dateOf(r[deadlineField], offset) ?? dateOf(r.closedate, offset);
    yield {
      id: Number(r.id),
      title: typeof r.title === 'string' ? r.title : '',
      categoryId: Number(r.categoryId ?? 0),
      stageId,
      semantic,
      assignedById: Number(r.assignedById ?? 0),
      createdAt,
      deadline: day === null ? null : day + DAY_MS - 1,
      finishedAt: semantic === 'P' ? null : (timeOf(r.movedTime) ?? createdAt),
    };
  }
}

/**
 * Escalations from the automation ledger: settled notifications about deals by the rules that
 * escalate, one per firing (rule, deal, occurrence) however many heads were told.
 */
export function* escalationsFromLedger(
  entries: Iterable<LedgerEntry>,
  isEscalationRule: (ruleId: string) => boolean,
): Generator<EscalationRow> {
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.state !== 'done' || !isEscalationRule(e.rule)) continue;
    const [type, id] = e.entity.split(':');
    if (Number(type) !== DEAL_ENTITY_TYPE) continue;
    const firing = `${e.rule}|${e.entity}|${e.occurrence}`;
    if (seen.has(firing)) continue;
    seen.add(firing);
    yield { dealId: Number(id), at: e.finishedAt ?? e.plannedAt };
  }
}
