/**
 * Puts the generated company into a portal through the REST client, as an integrator's import would:
 * people first (department heads must exist before the structure is provisioned), then, after
 * `apply`, their departments, the clients, and the deals replayed day by day on the portal clock so
 * every deal has a real stage history spread over months. Runs against the local portal: it moves
 * the portal clock with the emulator-only `b24lab.clock.set`.
 */
import type { B24Client } from '../rest/client.js';
import type { BatchCall } from '../rest/batch.js';
import type { PortalSnapshot, SnapshotField, SnapshotPipeline } from '../provision/snapshot.js';
import type { DemoCompanyData, DemoDeal } from './generate-company.js';

const DAY = 86_400_000;

export interface SeedCounts {
  users: number;
  companies: number;
  contacts: number;
  deals: number;
  stageMoves: number;
  labItems: number;
  requests: number;
}

/** Runs calls as batches and fails loudly on the first refused call: a seed must be complete. */
async function runAll(client: B24Client, calls: BatchCall[], what: string): Promise<unknown[]> {
  if (calls.length === 0) return [];
  const outcomes = await client.batch(calls);
  return outcomes.map((o, i) => {
    if (!o.ok) throw new Error(`Seeding ${what} failed at ${calls[i]?.method}: ${o.error.message}`);
    return o.result;
  });
}

/** Step 1, before provisioning: the 90 people, all in the top department for now. */
export async function seedPeople(client: B24Client, data: DemoCompanyData): Promise<Map<string, number>> {
  const ids = await runAll(
    client,
    data.people.map((p) => ({
      method: 'user.add',
      params: {
        EMAIL: p.email,
        NAME: p.name,
        LAST_NAME: p.lastName,
        SECOND_NAME: p.secondName,
        PERSONAL_GENDER: p.gender,
        WORK_POSITION: p.position,
        UF_DEPARTMENT: [1],
      },
    })),
    'people',
  );
  return new Map(data.people.map((p, i) => [p.email, Number(ids[i])]));
}

function listId(field: SnapshotField | undefined, key: string): number | undefined {
  return field?.list.find((item) => item.key === key)?.id;
}

/** The deals that reach production: they carry their documents, for the project folder. */
function goesToProduction(deal: DemoDeal): boolean {
  return deal.moves.some((m) => m.stage.startsWith('PROD_') || m.stage === 'PRODUCTION');
}

/** A contract and a specification as file values (name, base64), the same for the same deal. */
function documentsOf(deal: DemoDeal): [string, string][] {
  const text = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [
    ['Договор.txt', text(`Договор на выполнение работ: ${deal.title}. Сумма ${deal.amount} руб.`)],
    ['Техническое задание.txt', text(`Техническое задание: ${deal.title}.`)],
  ];
}

function stageId(pipeline: SnapshotPipeline, code: string): string {
  const stage = pipeline.stages.find((s) => s.code === code);
  if (!stage) throw new Error(`Stage ${code} is not in pipeline ${pipeline.key}`);
  return stage.statusId;
}

/** Department ids by config key, matching the provisioned structure by name under the parent. */
function departmentIds(
  snapshot: PortalSnapshot,
  config: { key: string; name: string; root?: boolean | undefined; parent?: string | undefined }[],
): Map<string, number> {
  const ids = new Map<string, number>();
  const root = snapshot.departments.find((d) => d.parentId === null);
  for (const dep of config) {
    if (dep.root) {
      if (root) ids.set(dep.key, root.id);
      continue;
    }
    const parentId = dep.parent ? ids.get(dep.parent) : root?.id;
    const found = snapshot.departments.find((d) => d.name === dep.name && d.parentId === parentId);
    if (found) ids.set(dep.key, found.id);
  }
  return ids;
}

export interface SeedBusinessInput {
  data: DemoCompanyData;
  users: Map<string, number>;
  snapshot: PortalSnapshot;
  departments: { key: string; name: string; root?: boolean | undefined; parent?: string | undefined }[];
  /** Portal time (ms) of day 0 of the simulation. */
  start: number;
}

/**
 * Step 2, after provisioning: departments of the people, clients, deals replayed day by day, the
 * laboratory's items for deals that reached production, and the dismissed employees deactivated.
 */
export async function seedBusiness(client: B24Client, input: SeedBusinessInput): Promise<SeedCounts> {
  const { data, users, snapshot } = input;
  let requests = 0;
  const counted = async (calls: BatchCall[], what: string): Promise<unknown[]> => {
    requests += Math.ceil(calls.length / 50);
    return runAll(client, calls, what);
  };
  const user = (email: string): number => {
    const id = users.get(email);
    if (id === undefined) throw new Error(`No user ${email}`);
    return id;
  };
  const deps = departmentIds(snapshot, input.departments);
  await counted(
    data.people
      .filter((p) => deps.has(p.department))
      .map((p) => ({
        method: 'user.update',
        params: { ID: user(p.email), UF_DEPARTMENT: [deps.get(p.department)] },
      })),
    'departments of people',
  );

  await client.call('b24lab.clock.set', { time: new Date(input.start).toISOString() });
  const companyIds = await counted(
    data.companies.map((c) => ({
      method: 'crm.company.add',
      params: {
        fields: {
          TITLE: c.title,
          ASSIGNED_BY_ID: user(c.responsible),
          PHONE: [{ VALUE: c.phone, VALUE_TYPE: 'WORK' }],
          EMAIL: [{ VALUE: c.email, VALUE_TYPE: 'WORK' }],
        },
      },
    })),
    'companies',
  );
  const companyId = new Map(data.companies.map((c, i) => [c.key, Number(companyIds[i])]));
  const contactIds = await counted(
    data.contacts.map((c) => ({
      method: 'crm.contact.add',
      params: {
        fields: {
          NAME: c.name,
          LAST_NAME: c.lastName,
          COMPANY_ID: companyId.get(c.company),
          ASSIGNED_BY_ID: user(c.responsible),
          PHONE: [{ VALUE: c.phone, VALUE_TYPE: 'MOBILE' }],
          EMAIL: [{ VALUE: c.email, VALUE_TYPE: 'WORK' }],
        },
      },
    })),
    'contacts',
  );
  const contactId = new Map(data.contacts.map((c, i) => [c.key, Number(contactIds[i])]));

  const pipelines = new Map(snapshot.pipelines.map((p) => [p.key, p]));
  const field = (code: string): SnapshotField | undefined => snapshot.dealFields.find((f) => f.code === code);
  const serviceField = field('SERVICE');
  const documentsField = field('DOCUMENTS');
  const dealId = new Map<string, number>();
  let stageMoves = 0;

  // Events per day: a deal is created on its first move's day and moved on the others.
  const byDay = new Map<number, { deal: DemoDeal; index: number }[]>();
  for (const deal of data.deals) {
    deal.moves.forEach((move, index) => {
      const list = byDay.get(move.day) ?? [];
      list.push({ deal, index });
      byDay.set(move.day, list);
    });
  }
  const paymentStages = new Set(['INVOICE_PAID', 'PAYMENT_RECEIVED', 'WON']);
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    await client.call('b24lab.clock.set', {
      time: new Date(input.start + day * DAY + 10 * 3_600_000).toISOString(),
    });
    const events = byDay.get(day) ?? [];
    const adds = events.filter((e) => e.index === 0);
    const ids = await counted(
      adds.map(({ deal }) => {
        const pipeline = pipelines.get(deal.pipeline);
        if (!pipeline) throw new Error(`Pipeline ${deal.pipeline} is not provisioned`);
        const fields: Record<string, unknown> = {
          TITLE: deal.title,
          CATEGORY_ID: pipeline.id,
          STAGE_ID: stageId(pipeline, deal.moves[0]!.stage),
          COMPANY_ID: companyId.get(deal.company),
          CONTACT_ID: contactId.get(deal.contact),
          ASSIGNED_BY_ID: user(deal.manager),
          OPPORTUNITY: deal.amount,
          CURRENCY_ID: 'RUB',
          UF_CRM_AUDIT_REQUIRED: deal.auditRequired ? 1 : 0,
        };
        const service = listId(serviceField, deal.service);
        if (service !== undefined) fields.UF_CRM_SERVICE = service;
        if (documentsField && goesToProduction(deal)) fields.UF_CRM_DOCUMENTS = documentsOf(deal);
        return { method: 'crm.deal.add', params: { fields } };
      }),
      'deals',
    );
    adds.forEach(({ deal }, i) => dealId.set(deal.key, Number(ids[i])));
    const moves = events.filter((e) => e.index > 0);
    stageMoves += moves.length;
    await counted(
      moves.map(({ deal, index }) => {
        const pipeline = pipelines.get(deal.pipeline)!;
        const code = deal.moves[index]!.stage;
        const fields: Record<string, unknown> = { STAGE_ID: stageId(pipeline, code) };
        if (paymentStages.has(code)) fields.UF_CRM_PAID_AMOUNT = Math.round(deal.amount * deal.paidShare);
        if (code === 'RESULTS_SENT')
          fields.UF_CRM_RESULTS_SENT_DATE = new Date(input.start + day * DAY).toISOString().slice(0, 10);
        return { method: 'crm.deal.update', params: { id: dealId.get(deal.key), fields } };
      }),
      'stage moves',
    );
  }

  // Laboratory items for deals that reached production, in the direction of their service.
  const lab = snapshot.smartProcesses.find((sp) => sp.key === 'laboratory');
  let labItems = 0;
  if (lab) {
    const assistants = data.people.filter((p) => p.department.startsWith('lab-') && p.heads.length === 0);
    const direction = (service: string): string => (service === 'ANALYTICS' ? 'analytics' : 'gti');
    const produced = data.deals.filter((d) =>
      d.moves.some((m) => m.stage.startsWith('PROD_') || m.stage === 'IN_PRODUCTION'),
    );
    const calls: BatchCall[] = [];
    produced.forEach((deal, i) => {
      const category = lab.categories.find((c) => c.key === direction(deal.service)) ?? lab.categories[0];
      const stage = category?.stages.find((s) => s.semantics === 'process');
      const assistant = assistants[i % Math.max(1, assistants.length)];
      if (!category || !stage || !assistant) return;
      calls.push({
        method: 'crm.item.add',
        params: {
          entityTypeId: lab.entityTypeId,
          fields: {
            title: `Проект: ${deal.title}`,
            categoryId: category.id,
            stageId: stage.statusId,
            assignedById: user(assistant.email),
            parentId2: dealId.get(deal.key),
            observers: [user(deal.manager)],
          },
        },
      });
    });
    labItems = (await counted(calls, 'laboratory items')).length;
  }

  await counted(
    data.people
      .filter((p) => !p.active)
      .map((p) => ({ method: 'user.update', params: { ID: user(p.email), ACTIVE: 'N' } })),
    'dismissals',
  );
  return {
    users: users.size,
    companies: data.companies.length,
    contacts: data.contacts.length,
    deals: dealId.size,
    stageMoves,
    labItems,
    requests,
  };
}
