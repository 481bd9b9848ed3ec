import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { ShippedLab } from './bp-shipped-portal.js';
import { done, shippedJobs, shippedLab } from './bp-shipped-portal.js';

/**
 * The project's end date becomes the «Лаборатория» projects' «Срок сдачи», run by the sync job from
 * the SHIPPED config/automation.yaml (sales-project-deadline, update_children): filling «Дата
 * окончания проекта» on the deal writes DEADLINE on its open items (a finished one keeps its own), a
 * second sync writes nothing, a new date is written again, and the control job's lab-project-overdue
 * then has a deadline to watch. A run killed after the writes does not write twice.
 */
describe('business process 1: the project end date is the laboratory deadline', () => {
  let lab: ShippedLab;
  let jobs: ReturnType<typeof shippedJobs>;

  const dayAfter = async (days: number): Promise<string> => {
    const today = await lab.today();
    return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  };
  const salesDeal = async (title: string): Promise<number> =>
    Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: lab.pipelines.sales!.id,
          STAGE_ID: lab.pipelines.sales!.stage('NEGOTIATION'),
          ASSIGNED_BY_ID: lab.users.manager,
        },
      }),
    );
  const labItem = async (dealId: number, title: string, stage: string): Promise<number> => {
    const answer = (await lab.call('crm.item.add', {
      entityTypeId: lab.lab.entityTypeId,
      fields: {
        title,
        categoryId: lab.lab.direction('gti').id,
        stageId: lab.lab.direction('gti').stage(stage),
        assignedById: lab.users.assistant,
        parentId2: dealId,
      },
    })) as { item: { id: number } };
    return Number(answer.item.id);
  };
  const deadlines = async (dealId: number): Promise<Record<number, string>> =>
    Object.fromEntries(
      (await lab.items(dealId)).map((i) => [i.id, String(i[lab.lab.field('DEADLINE')] ?? '').slice(0, 10)]),
    );
  const setEnd = (dealId: number, date: string): Promise<unknown> =>
    lab.call('crm.deal.update', { id: dealId, fields: { UF_CRM_PROJECT_END: date } });

  beforeAll(async () => {
    lab = await shippedLab();
    jobs = shippedJobs(lab);
    await jobs.sync(); // the baseline: the portal's existing records are not news
  }, 60_000);
  afterAll(async () => {
    jobs?.close();
    await lab?.close();
  });

  it('PROJECT_END -> DEADLINE of the open item only; a rerun writes nothing; a new date again; overdue notifies', async () => {
    const id = await salesDeal('Экспертиза: сроки');
    const open = await labItem(id, 'Проект ГТИ', 'IN_WORK');
    const finished = await labItem(id, 'Проект ГТИ (сдан)', 'SUCCESS');
    await jobs.sync();

    const end = await dayAfter(10);
    await setEnd(id, end);
    const run = await jobs.sync();
    const mine = run.actions.filter((a) => a.ruleId === 'sales-project-deadline');
    expect(mine.map((a) => `${a.kind} ${a.outcome}`)).toEqual(['update_children done']);
    expect(mine[0]!.result).toEqual({ updated: [open] });
    expect(await deadlines(id)).toEqual({ [open]: end, [finished]: '' });

    const again = await jobs.sync();
    expect(done(again).filter((line) => line.includes('project-deadline'))).toEqual([]);
    expect(await deadlines(id)).toEqual({ [open]: end, [finished]: '' });

    const later = await dayAfter(20);
    await setEnd(id, later);
    const moved = await jobs.sync();
    const second = moved.actions.filter((a) => a.ruleId === 'sales-project-deadline');
    expect(second.map((a) => `${a.kind} ${a.outcome}`)).toEqual(['update_children done']);
    expect(second[0]!.result).toEqual({ updated: [open] });
    expect(await deadlines(id)).toEqual({ [open]: later, [finished]: '' });

    // Past the deadline: the control job's lab-project-overdue tells the head of the item's
    // responsible (the assistant's «ГТИ» head); the finished project has no deadline.
    const before = (await lab.notifications('gtiHead')).length;
    await lab.advance(22);
    const control = await jobs.control();
    const overdue = control.actions.filter((a) => a.ruleId === 'lab-project-overdue');
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((a) => a.entity === `${lab.lab.entityTypeId}:${open}`)).toBe(true);
    expect(overdue.map((a) => a.outcome)).toContain('done');
    const told = (await lab.notifications('gtiHead')).slice(before);
    expect(told.some((m) => m.includes('не сдан в срок') && m.includes('Проект ГТИ'))).toBe(true);
  }, 60_000);

  it('a run killed after the update: the rerun finds the deadline written and writes nothing', async () => {
    const id = await salesDeal('Экспертиза: сбой');
    const open = await labItem(id, 'Проект ГТИ (сбой)', 'NEW');
    await jobs.sync();
    const end = await dayAfter(7);
    await setEnd(id, end);

    const crashing = {
      ...jobs,
      afterCall: (action: { kind: string }) => {
        if (action.kind === 'update_children') throw new Error('killed');
      },
    };
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    await lab.advance(0.001);
    const [entry] = jobs.state.ledger
      .all()
      .filter((e) => e.rule === 'sales-project-deadline' && e.entity === `2:${id}`);
    expect(entry).toMatchObject({ state: 'planned', action: 'update_children' });
    expect(await deadlines(id)).toEqual({ [open]: end });
    const written = (await lab.items(id))[0]!.updatedTime;

    const rerun = await jobs.sync();
    const mine = rerun.actions.filter((a) => a.ruleId === 'sales-project-deadline');
    expect(mine.map((a) => `${a.kind} ${a.outcome}`)).toEqual(['update_children found']);
    expect(await deadlines(id)).toEqual({ [open]: end });
    expect((await lab.items(id))[0]!.updatedTime).toBe(written);
    const settled = jobs.state.ledger
      .all()
      .filter((e) => e.rule === 'sales-project-deadline' && e.entity === `2:${id}`);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.state).toBe('done');
  }, 60_000);
});
