/**
 * A working day on the demo portal, after the sync job has taken its baseline: people do what they do
 * in the case study, so the business processes have something to react to.
 *
 *   morning    new requests come in (Продажи), clients pay invoices, public contracts are concluded,
 *              managers submit contracts to the registry
 *   afternoon  the laboratory's head distributes the new lab items, a head approves a contract, the
 *              procurement head appoints responsibles
 *
 * Everything is chosen from the portal's state in id order, so the same seed gives the same day. The
 * people act through the demo's webhook (the portal's administrator), as an integrator rehearsing would.
 */
import type { DemoCompanyData, DemoPerson } from './generate-company.js';
import type { B24Client } from '../rest/client.js';

const DEAL = 2;

export interface WorkingDayInput {
  data: DemoCompanyData;
  users: Map<string, number>;
}

export interface MorningCounts {
  newRequests: number;
  paidInvoices: number;
  concludedContracts: number;
  submittedContracts: number;
}

export interface AfternoonCounts {
  distributedLabItems: number;
  approvedContracts: number;
  appointedResponsibles: number;
}

interface Row {
  id: number;
  title?: string;
  opportunity?: number;
  assignedById?: number;
  companyId?: number;
  stageId?: string;
}

interface CategoryRow {
  id: number;
  originId?: string | null;
  code?: string | null;
}

async function categoryId(client: B24Client, entityTypeId: number, key: string): Promise<number | undefined> {
  for await (const c of client.list<CategoryRow>('crm.category.list', { entityTypeId })) {
    if (c.originId === key || c.code === key) return Number(c.id);
  }
  return undefined;
}

async function dealsAt(client: B24Client, pipeline: number, stage: string, limit: number): Promise<Row[]> {
  const answer = await client.call<{ items?: Row[] }>('crm.item.list', {
    entityTypeId: DEAL,
    filter: { categoryId: pipeline, stageId: `C${pipeline}:${stage}` },
    select: ['id', 'title', 'opportunity', 'assignedById', 'companyId', 'stageId'],
    order: { id: 'ASC' },
  });
  return (answer.items ?? []).slice(0, limit);
}

function peopleOf(input: WorkingDayInput, department: string): number[] {
  return input.data.people
    .filter((p: DemoPerson) => p.active && p.department === department && p.heads.length === 0)
    .map((p) => input.users.get(p.email))
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);
}

/** The morning: requests, payments, concluded public contracts, contracts for approval. */
export async function workingMorning(client: B24Client, input: WorkingDayInput): Promise<MorningCounts> {
  const sales = await categoryId(client, DEAL, 'sales');
  const procurement = await categoryId(client, DEAL, 'procurement');
  const counts: MorningCounts = {
    newRequests: 0,
    paidInvoices: 0,
    concludedContracts: 0,
    submittedContracts: 0,
  };
  if (sales === undefined || procurement === undefined) return counts;
  const managers = peopleOf(input, 'sales');
  const companies = await client.call<{ items?: Row[] }>('crm.item.list', {
    entityTypeId: 4,
    select: ['id', 'title'],
    order: { id: 'ASC' },
  });
  for (const [i, company] of (companies.items ?? []).slice(0, 4).entries()) {
    await client.call('crm.item.add', {
      entityTypeId: DEAL,
      fields: {
        title: `Экспертиза: ${company.title ?? `компания ${company.id}`}`,
        categoryId: sales,
        stageId: `C${sales}:NEW`,
        companyId: company.id,
        assignedById: managers[i % Math.max(managers.length, 1)] ?? 1,
        opportunity: 45_000 + i * 15_000,
      },
    });
    counts.newRequests++;
  }
  // The client pays the invoice in full: the paid sum reaches the amount.
  for (const deal of await dealsAt(client, sales, 'INVOICE_SENT', 4)) {
    await client.call('crm.item.update', {
      entityTypeId: DEAL,
      id: deal.id,
      fields: { UF_CRM_PAID_AMOUNT: deal.opportunity ?? 0 },
      useOriginalUfNames: 'Y',
    });
    counts.paidInvoices++;
  }
  // Two public contracts are concluded: requests waiting at «Новая заявка», or contracts won at an
  // auction that enter the pipeline concluded.
  const waiting = await dealsAt(client, procurement, 'NEW', 2);
  for (const deal of waiting) {
    await client.call('crm.item.update', {
      entityTypeId: DEAL,
      id: deal.id,
      fields: { stageId: `C${procurement}:CONTRACT` },
    });
    counts.concludedContracts++;
  }
  const clients = companies.items ?? [];
  for (let i = waiting.length; i < 2; i++) {
    const company = clients[clients.length - 1 - i];
    await client.call('crm.item.add', {
      entityTypeId: DEAL,
      fields: {
        title: `Госконтракт: ${company?.title ?? 'аукцион'}`,
        categoryId: procurement,
        stageId: `C${procurement}:CONTRACT`,
        ...(company ? { companyId: company.id } : {}),
        assignedById: peopleOf(input, 'procurement')[0] ?? 1,
        opportunity: 250_000 + i * 50_000,
      },
    });
    counts.newRequests++;
    counts.concludedContracts++;
  }
  // Managers in negotiations put their contracts into the registry for approval.
  const registry = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts' };
  const hasRegistry = await client
    .call<unknown[]>('lists.get', registry)
    .then((rows) => Array.isArray(rows) && rows.length > 0)
    .catch(() => false);
  if (hasRegistry) {
    for (const deal of await dealsAt(client, sales, 'NEGOTIATION', 3)) {
      const number = `Д-${deal.id}`;
      await client.call('lists.element.add', {
        ...registry,
        ELEMENT_CODE: `contract-${deal.id}`,
        FIELDS: {
          NAME: number,
          PROPERTY_DEAL: `D_${deal.id}`,
          PROPERTY_AMOUNT: deal.opportunity ?? 0,
          PROPERTY_SUBMITTED_BY: deal.assignedById ?? 1,
        },
      });
      counts.submittedContracts++;
    }
  }
  return counts;
}

interface TaskRow {
  id: string | number;
  title?: string;
  status?: string | number;
}

/** The afternoon: the laboratory distributes, a head approves, the procurement head appoints. */
export async function workingAfternoon(client: B24Client, input: WorkingDayInput): Promise<AfternoonCounts> {
  const counts: AfternoonCounts = { distributedLabItems: 0, approvedContracts: 0, appointedResponsibles: 0 };
  const types = await client.call<{ types?: { entityTypeId: number; code?: string }[] }>('crm.type.list', {});
  const lab = (types.types ?? []).find((t) => t.code === 'laboratory');
  if (lab !== undefined) {
    const direction = await categoryId(client, lab.entityTypeId, 'new-request');
    const assistants = [...peopleOf(input, 'lab-gti'), ...peopleOf(input, 'lab-analytics')];
    if (direction !== undefined && assistants.length > 0) {
      const answer = await client.call<{ items?: Row[] }>('crm.item.list', {
        entityTypeId: lab.entityTypeId,
        filter: { categoryId: direction, stageId: `DT${lab.entityTypeId}_${direction}:DISTRIBUTION` },
        select: ['id', 'assignedById'],
        order: { id: 'ASC' },
      });
      for (const [i, item] of (answer.items ?? []).entries()) {
        const assistant = assistants[i % assistants.length]!;
        if (item.assignedById === assistant) continue;
        await client.call('crm.item.update', {
          entityTypeId: lab.entityTypeId,
          id: item.id,
          fields: { assignedById: assistant },
        });
        counts.distributedLabItems++;
      }
    }
  }
  // The first contract waiting for approval is approved: its head completes the task.
  const tasks = await client.call<{ tasks?: TaskRow[] }>('tasks.task.list', {
    filter: { '%TITLE': 'Согласовать договор', '<REAL_STATUS': 5 },
    select: ['ID', 'TITLE', 'STATUS'],
    order: { ID: 'ASC' },
  });
  const approval = (tasks.tasks ?? [])[0];
  if (approval !== undefined) {
    await client.call('tasks.task.complete', { taskId: approval.id });
    counts.approvedContracts++;
  }
  // The procurement head appoints a responsible for each concluded contract: his open tasks.
  const staff = peopleOf(input, 'procurement');
  const assign = await client.call<{ tasks?: (TaskRow & { ufCrmTask?: string[] })[] }>('tasks.task.list', {
    filter: { '%TITLE': 'Назначить ответственного', '<REAL_STATUS': 5 },
    select: ['ID', 'TITLE', 'UF_CRM_TASK'],
    order: { ID: 'ASC' },
  });
  for (const [i, task] of (assign.tasks ?? []).entries()) {
    const binding = (task.ufCrmTask ?? []).find((b) => b.startsWith('D_'));
    const person = staff[i % Math.max(staff.length, 1)];
    if (binding === undefined || person === undefined) continue;
    await client.call('crm.item.update', {
      entityTypeId: DEAL,
      id: Number(binding.slice(2)),
      fields: { assignedById: person },
    });
    counts.appointedResponsibles++;
  }
  return counts;
}
