import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * The control rules of the laboratory against the local portal, its clock moved forward with
 * b24lab.clock.advance: «Квалификация пройдена» 15/30 days, a move on and back, an overdue project.
 */
describe('control job: deals forgotten at «Квалификация пройдена»', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  let dealId: number;
  const escalations = async (): Promise<string[]> =>
    (await lab.notifications(lab.ids.users.salesHead)).map((n) => n.message);

  beforeAll(async () => {
    lab = await labPortal();
    env = jobEnvironment(lab);
    const sales = lab.ids.pipelines.sales!;
    dealId = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Экспертиза подписи',
          CATEGORY_ID: sales.id,
          STAGE_ID: sales.stage('QUALIFIED'),
          ASSIGNED_BY_ID: lab.ids.users.manager,
        },
      }),
    );
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('gets nothing at 14 days', async () => {
    await lab.advance(14);
    const result = await runJob('control', env);
    expect(result.status).toBe('completed');
    expect(result.scanned).toBeGreaterThanOrEqual(1);
    expect(result.counts.done).toBe(0);
    expect(await escalations()).toEqual([]);
  });

  it('at 16 days its head is notified once', async () => {
    await lab.advance(2);
    const result = await runJob('control', env);
    expect(result.actions).toEqual([
      expect.objectContaining({
        ruleId: 'sales-qualified-control',
        entity: `2:${dealId}`,
        kind: 'notify',
        outcome: 'done',
      }),
    ]);
    const messages = await escalations();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`[URL=/crm/deal/details/${dealId}/]Экспертиза подписи[/URL]`);
    expect(messages[0]).toContain('уже 16 дн.');
    // The manager himself is not the one told: the head of his department's parent is.
    expect(await lab.notifications(lab.ids.users.manager)).toEqual([]);
  });

  it('running the job again at the same moment fires nothing', async () => {
    const result = await runJob('control', env);
    expect(result.actions).toEqual([]);
    expect(result.counts.already).toBe(1);
    expect(await escalations()).toHaveLength(1);
  });

  it('at 31 days the second escalation fires once', async () => {
    await lab.advance(15);
    const first = await runJob('control', env);
    expect(first.actions.map((a) => [a.occurrence.replace(/@\d+/, '@T'), a.outcome])).toEqual([
      [`stayed:${lab.ids.pipelines.sales!.stage('QUALIFIED')}@T#30d`, 'done'],
    ]);
    const again = await runJob('control', env);
    expect(again.actions).toEqual([]);
    const messages = await escalations();
    expect(messages).toHaveLength(2);
    expect(messages[1]).toContain('уже 31 дн.');
  });

  it('moving the deal on and back restarts its clock', async () => {
    const sales = lab.ids.pipelines.sales!;
    await lab.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: sales.stage('NEGOTIATION') } });
    await lab.advance(1);
    await lab.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    await lab.advance(14);
    expect((await runJob('control', env)).actions).toEqual([]);
    await lab.advance(2);
    const result = await runJob('control', env);
    expect(result.actions).toEqual([
      expect.objectContaining({ outcome: 'done', occurrence: expect.stringMatching(/#15d$/) }),
    ]);
    const messages = await escalations();
    expect(messages).toHaveLength(3);
    expect(messages[2]).toContain('уже 16 дн.');
  });

  it('--now evaluates another moment, and --dry-run changes nothing', async () => {
    const now = Date.parse((await lab.call('server.time')) as string);
    const later = await runJob('control', env, { dryRun: true, now: now + 15 * 86_400_000 });
    expect(later.dryRun).toBe(true);
    expect(later.actions).toEqual([
      expect.objectContaining({ outcome: 'would-do', occurrence: expect.stringMatching(/#30d$/) }),
    ]);
    expect(env.state.ledger.all().filter((e) => e.occurrence.endsWith('#30d'))).toHaveLength(1);
    expect(await escalations()).toHaveLength(3);
  });
});

describe('control job: an overdue «Лаборатория» project', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  let itemId: number;

  beforeAll(async () => {
    lab = await labPortal();
    env = jobEnvironment(lab);
    const gti = lab.ids.lab.direction('gti');
    const today = ((await lab.call('server.time')) as string).slice(0, 10);
    const deadline = new Date(Date.parse(`${today}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    const { item } = await lab.call('crm.item.add', {
      entityTypeId: lab.ids.lab.entityTypeId,
      useOriginalUfNames: 'Y',
      fields: {
        title: 'Проект ГТИ-7',
        categoryId: gti.id,
        stageId: gti.stage('IN_WORK'),
        assignedById: lab.ids.users.assistant,
        observers: [lab.ids.users.observerA, lab.ids.users.observerB],
        [`UF_CRM_${lab.ids.lab.typeId}_DEADLINE`]: deadline,
      },
    });
    itemId = Number(item.id);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  const told = async (): Promise<number[]> => {
    const u = lab.ids.users;
    const counts: number[] = [];
    for (const id of [u.observerA, u.observerB, u.gtiHead, u.labHead, u.assistant]) {
      counts.push((await lab.notifications(id)).length);
    }
    return counts;
  };

  it('is not overdue on its last day', async () => {
    await lab.advance(3);
    const result = await runJob('control', env);
    expect(result.actions).toEqual([]);
    expect(await told()).toEqual([0, 0, 0, 0, 0]);
  });

  it('once passed, notifies every observer and the head once', async () => {
    await lab.advance(1);
    const result = await runJob('control', env);
    expect(result.actions.map((a) => [a.ruleId, a.entity, a.outcome])).toEqual([
      ['lab-project-overdue', `${lab.ids.lab.entityTypeId}:${itemId}`, 'done'],
      ['lab-project-overdue', `${lab.ids.lab.entityTypeId}:${itemId}`, 'done'],
      ['lab-project-overdue', `${lab.ids.lab.entityTypeId}:${itemId}`, 'done'],
    ]);
    // observers A and B, the head of «ГТИ»; not the head above him, not the assistant himself.
    expect(await told()).toEqual([1, 1, 1, 0, 0]);
    const [message] = await lab.notifications(lab.ids.users.observerA);
    expect(message!.message).toContain('не сдан в срок');
    await lab.advance(1);
    expect((await runJob('control', env)).actions).toEqual([]);
    expect(await told()).toEqual([1, 1, 1, 0, 0]);
  });

  it('is quiet once finished', async () => {
    const gti = lab.ids.lab.direction('gti');
    await lab.call('crm.item.update', {
      entityTypeId: lab.ids.lab.entityTypeId,
      id: itemId,
      fields: { stageId: gti.stage('SUCCESS') },
    });
    await lab.advance(2);
    const result = await runJob('control', env);
    expect(result.scanned).toBe(0);
    expect(await told()).toEqual([1, 1, 1, 0, 0]);
  });
});
