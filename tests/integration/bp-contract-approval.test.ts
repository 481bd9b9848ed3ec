import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionReport } from '../../src/automation/execute-actions.js';
import { runJob } from '../../src/jobs/run-job.js';
import { computePlan } from '../../src/provision/compute-plan.js';
import { callFor, callIds } from '../../src/provision/operation-calls.js';
import { emptySnapshot } from '../../src/provision/snapshot.js';
import { rawCall } from '../helpers/local-portal.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Process 2 of the case study, «Согласование договора», run from config/automation.yaml by the sync
 * job on the list «Реестр договоров» (config/lists.yaml): a new contract gives the submitter's head an
 * approval task and puts the deal «На согласовании»; completing the task approves it, setting the
 * status «Отклонен» rejects it; the approver, the date and the deal's contract status are written.
 */
describe('business process 2: contract approval', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  const list = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts' };
  let statusIds: Record<string, string>;
  let dealStatusIds: Record<string, number>;

  const contractActions = (reports: ActionReport[]): ActionReport[] =>
    reports.filter((r) => r.ruleId.startsWith('contract-'));
  /** The element with its properties by code (values as the portal prints them). */
  const element = async (id: number): Promise<Record<string, unknown>> => {
    const fields = (await lab.call('lists.field.get', list)) as Record<string, { CODE?: string }>;
    const [row] = (await lab.call('lists.element.get', { ...list, ELEMENT_ID: id })) as Record<
      string,
      unknown
    >[];
    const out: Record<string, unknown> = { NAME: row?.NAME, MODIFIED_BY: row?.MODIFIED_BY };
    for (const [fieldId, f] of Object.entries(fields)) {
      if (!f.CODE) continue;
      const values = Object.values((row?.[fieldId] ?? {}) as Record<string, string>);
      out[f.CODE] = values[0] ?? null;
    }
    return out;
  };
  const contractStatus = async (dealId: number): Promise<number | null> => {
    const { item } = (await lab.call('crm.item.get', {
      entityTypeId: 2,
      id: dealId,
      useOriginalUfNames: 'Y',
    })) as {
      item: Record<string, unknown>;
    };
    const value = item.UF_CRM_CONTRACT_STATUS;
    return value === null || value === undefined || value === '' ? null : Number(value);
  };
  const asUser = async (
    userId: number,
    method: string,
    params: Record<string, unknown>,
  ): Promise<unknown> => {
    const token = (await lab.call('b24lab.oauth.issue', { userId })) as { access_token: string };
    const answer = await rawCall(`${lab.local.url}/rest/`, method, { ...params, auth: token.access_token });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.result;
  };
  const today = async (): Promise<string> => {
    const iso = ((await lab.call('b24lab.clock.get')) as { time: string }).time;
    return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
  };
  const newContract = async (name: string, dealId: number, amount: number): Promise<number> =>
    Number(
      await lab.call('lists.element.add', {
        ...list,
        ELEMENT_CODE: name,
        FIELDS: {
          NAME: name,
          PROPERTY_DEAL: `D_${dealId}`,
          PROPERTY_AMOUNT: amount,
          PROPERTY_SUBMITTED_BY: lab.ids.users.manager,
        },
      }),
    );
  const newDeal = async (title: string): Promise<number> =>
    Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: lab.ids.pipelines.sales!.id,
          ASSIGNED_BY_ID: lab.ids.users.manager,
        },
      }),
    );

  beforeAll(async () => {
    lab = await labPortal();
    // The deal card's fields (CONTRACT_STATUS with its keys as XML_IDs), as `apply` makes them.
    const plan = computePlan({ dealFields: lab.config.dealFields ?? [] }, emptySnapshot());
    for (const op of plan.operations) {
      const c = callFor(
        op,
        callIds(() => undefined, false),
      );
      await lab.call(c.method, c.params);
    }
    const fields = (await lab.call('lists.field.get', list)) as Record<
      string,
      { CODE?: string; DISPLAY_VALUES_FORM?: Record<string, string> }
    >;
    const status = Object.values(fields).find((f) => f.CODE === 'STATUS')!;
    statusIds = Object.fromEntries(
      Object.entries(status.DISPLAY_VALUES_FORM ?? {}).map(([id, v]) => [v, id]),
    );
    const dealFields = (await lab.call('crm.deal.userfield.list', {
      filter: { FIELD_NAME: 'UF_CRM_CONTRACT_STATUS' },
    })) as {
      ID: string;
    }[];
    const full = (await lab.call('crm.deal.userfield.get', { id: dealFields[0]!.ID })) as {
      LIST: { ID: string; XML_ID: string }[];
    };
    dealStatusIds = Object.fromEntries(full.LIST.map((i) => [i.XML_ID, Number(i.ID)]));
    env = jobEnvironment(lab);
    await runJob('sync', env);
    await lab.advance(0.01);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('a new contract: an approval task for the head of the submitter, the deal «На согласовании»; once', async () => {
    const { manager, salesHead } = lab.ids.users;
    const dealId = await newDeal('Экспертиза ООО «Гео»');
    const id = await newContract('Д-17/2026', dealId, 150000);

    const dry = await runJob('sync', env, { dryRun: true });
    expect(contractActions(dry.actions).map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['contract-approval-request', 'task', 'would-do'],
      ['contract-approval-request', 'update', 'would-do'],
      ['contract-approval-request', 'update', 'would-do'],
    ]);
    expect((await lab.tasks(`D_${dealId}`)).length).toBe(0);

    const run = await runJob('sync', env);
    const done = contractActions(run.actions);
    expect(done.map((a) => [a.kind, a.entity, a.outcome])).toEqual([
      ['task', `-${await iblockId()}:${id}`, 'done'],
      ['update', `-${await iblockId()}:${id}`, 'done'],
      ['update', `2:${dealId}`, 'done'],
    ]);
    expect(done[2]?.summary).toBe(`set UF_CRM_CONTRACT_STATUS of deal ${dealId}`);

    const [task] = await lab.tasks(`D_${dealId}`);
    expect(task).toMatchObject({ title: 'Согласовать договор Д-17/2026', responsibleId: String(salesHead) });
    expect(task?.description).toContain('на сумму 150000 руб.');
    expect(task?.description).toContain(`[URL=/crm/deal/details/${dealId}/]`);
    expect(task?.description).toContain('Manager');
    expect(await element(id)).toMatchObject({
      NAME: 'Д-17/2026',
      DEAL: `D_${dealId}`,
      AMOUNT: '150000',
      SUBMITTED_BY: String(manager),
      STATUS: statusIds['На согласовании'],
      APPROVER: null,
      APPROVAL_DATE: null,
    });
    expect(await contractStatus(dealId)).toBe(dealStatusIds.ON_APPROVAL);

    await lab.advance(0.01);
    expect(contractActions((await runJob('sync', env)).actions)).toEqual([]);
    expect(await lab.tasks(`D_${dealId}`)).toHaveLength(1);
  });

  it('the head completes the task: approved, approver and date in the registry, the deal APPROVED; once', async () => {
    const { salesHead } = lab.ids.users;
    const dealId = await newDeal('Аналитика АО «Недра»');
    const id = await newContract('Д-18/2026', dealId, 90000);
    await runJob('sync', env);
    const [task] = await lab.tasks(`D_${dealId}`);
    await lab.advance(1);
    await asUser(salesHead, 'tasks.task.complete', { taskId: task!.id });

    const run = await runJob('sync', env);
    expect(contractActions(run.actions).map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['contract-approved', 'update', 'done'],
      ['contract-approved', 'update', 'done'],
    ]);
    expect(await element(id)).toMatchObject({
      STATUS: statusIds['Согласован'],
      APPROVER: String(salesHead),
      APPROVAL_DATE: await today(),
      AMOUNT: '90000',
      DEAL: `D_${dealId}`,
    });
    expect(await contractStatus(dealId)).toBe(dealStatusIds.APPROVED);

    await lab.advance(0.01);
    expect(contractActions((await runJob('sync', env)).actions)).toEqual([]);
    expect(await contractStatus(dealId)).toBe(dealStatusIds.APPROVED);
  });

  it('the head sets «Отклонен»: approver and date, the deal REJECTED, the approval task completed; once', async () => {
    const { salesHead, manager } = lab.ids.users;
    const dealId = await newDeal('ГТИ ООО «Бур»');
    const id = await newContract('Д-19/2026', dealId, 40000);
    await runJob('sync', env);
    await lab.advance(0.5);
    // The head edits the element in the list (the whole element, as the form sends it).
    const current = await element(id);
    await asUser(salesHead, 'lists.element.update', {
      ...list,
      ELEMENT_ID: id,
      FIELDS: {
        NAME: current.NAME,
        PROPERTY_DEAL: current.DEAL,
        PROPERTY_AMOUNT: current.AMOUNT,
        PROPERTY_SUBMITTED_BY: manager,
        PROPERTY_STATUS: statusIds['Отклонен'],
      },
    });

    const run = await runJob('sync', env);
    expect(contractActions(run.actions).map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['contract-rejected', 'update', 'done'],
      ['contract-rejected', 'update', 'done'],
      ['contract-rejected', 'complete_task', 'done'],
    ]);
    expect(await element(id)).toMatchObject({
      STATUS: statusIds['Отклонен'],
      APPROVER: String(salesHead),
      APPROVAL_DATE: await today(),
      SUBMITTED_BY: String(manager),
    });
    expect(await contractStatus(dealId)).toBe(dealStatusIds.REJECTED);
    const answer = (await lab.call('tasks.task.list', {
      filter: { UF_CRM_TASK: `D_${dealId}` },
      select: ['ID', 'STATUS'],
    })) as { tasks: { status: string }[] };
    expect(answer.tasks.map((t) => t.status)).toEqual(['5']);

    // The task b24lab closed is no approval: nothing more happens, now or later.
    await lab.advance(0.01);
    expect(contractActions((await runJob('sync', env)).actions)).toEqual([]);
    expect((await element(id)).STATUS).toBe(statusIds['Отклонен']);
    expect(await contractStatus(dealId)).toBe(dealStatusIds.REJECTED);
  });

  it('a run killed after the registry was written: the next run finds it there and writes nothing again', async () => {
    const { salesHead } = lab.ids.users;
    const dealId = await newDeal('Комплекс ООО «Керн»');
    const id = await newContract('Д-20/2026', dealId, 70000);
    await runJob('sync', env);
    const [task] = await lab.tasks(`D_${dealId}`);
    await lab.advance(0.2);
    await asUser(salesHead, 'tasks.task.complete', { taskId: task!.id });
    const dying = jobEnvironment(lab, {
      dir: env.dir,
      afterCall: (action) => {
        if (action.ruleId === 'contract-approved') throw new Error('killed');
      },
    });
    await expect(runJob('sync', dying)).rejects.toThrow('killed');
    dying.close();
    const written = await element(id);
    expect(written).toMatchObject({ STATUS: statusIds['Согласован'], APPROVER: String(salesHead) });
    const stamp = (await lab.call('lists.element.get', { ...list, ELEMENT_ID: id })) as {
      TIMESTAMP_X: string;
    }[];

    await lab.advance(0.01);
    const next = await runJob('sync', env);
    expect(contractActions(next.actions).map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['contract-approved', 'update', 'found'],
      ['contract-approved', 'update', 'done'],
    ]);
    // Found on the portal, not written a second time.
    const after = (await lab.call('lists.element.get', { ...list, ELEMENT_ID: id })) as {
      TIMESTAMP_X: string;
    }[];
    expect(after[0]?.TIMESTAMP_X).toBe(stamp[0]?.TIMESTAMP_X);
    expect(await contractStatus(dealId)).toBe(dealStatusIds.APPROVED);
  });

  const iblockId = async (): Promise<number> =>
    Number(((await lab.call('lists.get', list)) as { ID: string }[])[0]!.ID);
});
