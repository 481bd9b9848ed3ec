/**
 * The IO edge of `doctor`: builds a PortalView over the REST client. Lookups (users, departments,
 * pipelines and their stages, list fields, the laboratory smart process) are read once; records
 * stream through the client's chained fast list each time a check walks them.
 *
 * Records come from crm.item.list (crm/universal/crm-item-list.md): camelCase names, user fields as
 * ufCrm..., contacts' and companies' phones and e-mails in `fm`, a deal's contacts in `contactIds`
 * (not part of `*`), a smart-process item's deal in `parentId2`.
 */
import type { B24Client } from '../rest/client.js';
import { B24Error } from '../rest/errors.js';
import type { Plan } from '../provision/plan.js';
import type {
  CrmRecord,
  DepartmentInfo,
  EnumField,
  PortalView,
  StageInfo,
  TaskRow,
  UserInfo,
  WorkflowRow,
} from './portal-view.js';
import { COMPANY, CONTACT, DEAL, stagesKey } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => {
  const n = Number(v);
  return v === null || v === undefined || v === '' || !Number.isFinite(n) ? 0 : n;
};
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const time = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const ms = Date.parse(String(v));
  return Number.isNaN(ms) ? null : ms;
};

/** The crm.status ENTITY_ID of a pipeline's stages (crm/status/index.md): DEAL_STAGE_3, DYNAMIC_1036_STAGE_7. */
export function stageEntityId(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === DEAL) return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
}

/** crm.status rows print semantics as SEMANTICS S/F (null: in progress) and EXTRA.SEMANTICS process/success/failure. */
function semanticsOf(row: Row): StageInfo['semantics'] {
  const extra = (row.EXTRA ?? {}) as Row;
  const s = text(row.SEMANTICS || extra.SEMANTICS).toLowerCase();
  return s === 's' || s === 'success' ? 'S' : s === 'f' || s === 'failure' ? 'F' : 'P';
}

function recordOf(row: Row, entityTypeId: number): CrmRecord {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (k.startsWith('ufCrm')) fields[k] = v;
  const title =
    entityTypeId === CONTACT
      ? [row.name, row.lastName].map(text).filter(Boolean).join(' ') || `#${text(row.id)}`
      : text(row.title) || `#${text(row.id)}`;
  const fm = Array.isArray(row.fm) ? (row.fm as Row[]) : [];
  const record: CrmRecord = {
    entityTypeId,
    id: num(row.id),
    title,
    assignedById: num(row.assignedById),
    fields,
  };
  if (typeof row.stageId === 'string') {
    record.stageId = row.stageId;
    record.categoryId = num(row.categoryId);
  }
  if (row.opportunity !== undefined) record.opportunity = num(row.opportunity);
  if (Array.isArray(row.contactIds)) record.contactIds = (row.contactIds as unknown[]).map(num);
  if (row.companyId !== undefined && row.companyId !== null) record.companyId = num(row.companyId);
  if (entityTypeId !== DEAL && entityTypeId !== CONTACT && entityTypeId !== COMPANY)
    record.parentDealId = num(row.parentId2);
  if (entityTypeId === CONTACT || entityTypeId === COMPANY) {
    record.phones = fm.filter((m) => m.typeId === 'PHONE').map((m) => text(m.value));
    record.emails = fm.filter((m) => m.typeId === 'EMAIL').map((m) => text(m.value));
  }
  return record;
}

async function* items(client: B24Client, entityTypeId: number, extra: string[]): AsyncGenerator<CrmRecord> {
  for await (const row of client.list<Row>('crm.item.list', { entityTypeId, select: ['*', 'uf*', ...extra] }))
    yield recordOf(row, entityTypeId);
}

/** bizproc.workflow.instances pages by offset, 50 a page (api-reference/bizproc/bizproc-workflow-instances.md). */
async function* workflows(client: B24Client): AsyncGenerator<WorkflowRow> {
  const select = [
    'ID',
    'MODIFIED',
    'OWNED_UNTIL',
    'MODULE_ID',
    'ENTITY',
    'DOCUMENT_ID',
    'STARTED_BY',
    'TEMPLATE_ID',
  ];
  for (let start: number | undefined = 0; start !== undefined;) {
    const page: { result: Row[]; next?: number } = await client.callEnvelope<Row[]>(
      'bizproc.workflow.instances',
      {
        select,
        order: { STARTED: 'ASC' },
        start,
      },
    );
    for (const w of page.result)
      yield {
        id: text(w.ID),
        documentId: text(w.DOCUMENT_ID),
        entity: text(w.ENTITY),
        moduleId: text(w.MODULE_ID),
        templateId: num(w.TEMPLATE_ID),
        startedBy: num(w.STARTED_BY),
        ownedUntil: time(w.OWNED_UNTIL),
        modified: time(w.MODIFIED) ?? 0,
      };
    start = page.next;
  }
}

async function* openTasks(client: B24Client): AsyncGenerator<TaskRow> {
  for await (const t of client.list<Row>('tasks.task.list', {
    select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'STATUS'],
  })) {
    const status = num(t.status);
    if (status === 5 || status === 6) continue;
    yield { id: num(t.id), title: text(t.title), responsibleId: num(t.responsibleId), status };
  }
}

async function collect(client: B24Client, method: string, params: Row = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of client.list<Row>(method, params)) rows.push(row);
  return rows;
}

export interface ReadViewOptions {
  policy: RepairPolicy;
  now: number;
  /** The config's provisioning plan against this portal (config-drift), when a config was given. */
  plan?: Plan;
}

/**
 * The portal's own time (server.time): a stuck lock is measured against the clock that set it, so a
 * box whose clock differs from this machine's is judged right. Falls back to ours.
 */
async function portalNow(client: B24Client, fallback: number): Promise<number> {
  try {
    const ms = Date.parse(String(await client.call('server.time')));
    return Number.isNaN(ms) ? fallback : ms;
  } catch (e) {
    if (!(e instanceof B24Error)) throw e;
    return fallback;
  }
}

export async function readPortalView(client: B24Client, options: ReadViewOptions): Promise<PortalView> {
  const now = await portalNow(client, options.now);
  const users = new Map<number, UserInfo>();
  // user.get lists dismissed users too unless ACTIVE is filtered; ADMIN_MODE shows an administrator's
  // webhook every user, not only those it may see (api-reference/user/user-get.md).
  for (const u of await collect(client, 'user.get', { ADMIN_MODE: true })) {
    const id = num(u.ID);
    users.set(id, {
      id,
      active: u.ACTIVE === true || u.ACTIVE === 'Y' || u.ACTIVE === 'true',
      name: [u.NAME, u.LAST_NAME].map(text).filter(Boolean).join(' '),
      email: text(u.EMAIL),
      departments: Array.isArray(u.UF_DEPARTMENT) ? (u.UF_DEPARTMENT as unknown[]).map(num) : [],
    });
  }
  const departments = new Map<number, DepartmentInfo>();
  for (const d of await collect(client, 'department.get', {})) {
    const id = num(d.ID);
    departments.set(id, {
      id,
      name: text(d.NAME),
      parentId: d.PARENT ? num(d.PARENT) : null,
      headId: d.UF_HEAD ? num(d.UF_HEAD) : null,
    });
  }

  const types = await collect(client, 'crm.type.list', {});
  const wanted = options.policy.laboratory.toLowerCase();
  const labType =
    types.find((t) => text(t.code).toLowerCase() === wanted) ??
    types.find((t) => text(t.title).toLowerCase() === wanted);
  const lab = labType ? { entityTypeId: num(labType.entityTypeId), title: text(labType.title) } : undefined;

  const stages = new Map<string, StageInfo[]>();
  const enumFields = new Map<number, EnumField[]>();
  let amountFields: PortalView['amountFields'];
  const entityTypes = [DEAL, CONTACT, COMPANY, ...(lab ? [lab.entityTypeId] : [])];
  for (const entityTypeId of entityTypes) {
    if (entityTypeId === DEAL || entityTypeId === lab?.entityTypeId) {
      const categories = await client.call<{ categories: Row[] }>('crm.category.list', { entityTypeId });
      for (const c of categories.categories) {
        const categoryId = num(c.id);
        const rows = await collect(client, 'crm.status.list', {
          filter: { ENTITY_ID: stageEntityId(entityTypeId, categoryId) },
        });
        stages.set(
          stagesKey(entityTypeId, categoryId),
          rows
            .map((r) => ({
              statusId: text(r.STATUS_ID),
              code: text(r.STATUS_ID).replace(/^[^:]*:/, ''),
              name: text(r.NAME),
              categoryId,
              semantics: semanticsOf(r),
              sort: num(r.SORT),
            }))
            .sort((a, b) => a.sort - b.sort),
        );
      }
    }
    const { fields } = await client.call<{ fields: Record<string, Row> }>('crm.item.fields', {
      entityTypeId,
    });
    const list: EnumField[] = [];
    for (const [name, f] of Object.entries(fields)) {
      if (f.type !== 'enumeration' || !name.startsWith('ufCrm')) continue;
      const values = new Set(((f.items ?? []) as Row[]).map((i) => num(i.ID)));
      list.push({
        name,
        label: text(f.title) || name,
        multiple: f.isMultiple === true || f.isMultiple === 'Y',
        values,
      });
    }
    enumFields.set(entityTypeId, list);
    if (entityTypeId === DEAL) {
      const byUpper = (code: string): string | undefined =>
        Object.entries(fields).find(([, f]) => text(f.upperName) === `UF_CRM_${code}`)?.[0];
      const paid = byUpper(options.policy.paidField);
      const remaining = byUpper(options.policy.remainingField);
      if (paid && remaining) amountFields = { paid, remaining };
    }
  }

  const none = (): CrmRecord[] => [];
  return {
    portal: client.portal,
    now,
    deals: () => items(client, DEAL, ['contactIds']),
    contacts: () => items(client, CONTACT, ['fm']),
    companies: () => items(client, COMPANY, ['fm']),
    labItems: lab ? () => items(client, lab.entityTypeId, []) : none,
    openTasks: () => openTasks(client),
    workflows: () => workflows(client),
    users,
    departments,
    stages,
    enumFields,
    ...(lab ? { lab } : {}),
    ...(amountFields ? { amountFields } : {}),
    ...(options.plan ? { plan: options.plan } : {}),
  };
}
