import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/run-job.js';
import { spawnCli } from '../helpers/cli.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Every due action happens once: after a crash between the REST call and the ledger write, with a
 * dropped connection, with two runs at once, and through a whole run under injected faults.
 */
describe('exactly once', () => {
  let lab: LabPortal;
  const envs: TestEnvironment[] = [];
  const dirs: string[] = [];
  const env = (options: Parameters<typeof jobEnvironment>[1] = {}): TestEnvironment => {
    const e = jobEnvironment(lab, options);
    envs.push(e);
    if (!options.dir) dirs.push(e.dir);
    return e;
  };
  const faults = (spec: string): Promise<unknown> => lab.call('b24lab.faults.set', { spec });

  /** A deal that has just entered «Квалификация пройдена», seen by a baseline sync first. */
  async function qualifiedDeal(e: TestEnvironment, title: string): Promise<number> {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: sales.id,
          STAGE_ID: sales.stage('NEGOTIATION'),
          ASSIGNED_BY_ID: lab.ids.users.manager,
        },
      }),
    );
    await runJob('sync', e);
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    return id;
  }

  beforeAll(async () => {
    lab = await labPortal();
  });
  afterEach(async () => {
    await faults('');
  });
  afterAll(async () => {
    for (const e of envs) e.close();
    for (const d of dirs) removeDir(d);
    await lab?.close();
  });

  it('a job killed between the REST call and its ledger write, then rerun, leaves one task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-crash-'));
    dirs.push(dir);
    const crashing = env({
      dir,
      afterCall: (action) => {
        if (action.kind === 'task') throw new Error('killed');
      },
    });
    const id = await qualifiedDeal(crashing, 'Сбой после вызова');
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    const [entry] = crashing.state.ledger.all().filter((e) => e.entity === `2:${id}`);
    expect(entry).toMatchObject({ state: 'planned', action: 'task', attempts: 1 });
    expect(crashing.state.locks.holder('sync')).toBeUndefined();
    expect(crashing.state.events.count()).toBe(1);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);

    const rerun = await runJob('sync', env({ dir }));
    expect(rerun.actions).toEqual([
      expect.objectContaining({
        kind: 'task',
        outcome: 'found',
        result: { taskId: Number((await lab.tasks(`D_${id}`))[0]!.id) },
      }),
    ]);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
    expect(crashing.state.ledger.get(entry!.key)).toMatchObject({ state: 'done' });
    expect(crashing.state.events.count()).toBe(0);
  });

  it('a connection dropped after the portal made the task (--faults drop@N) leaves one task', async () => {
    const e = env();
    const id = await qualifiedDeal(e, 'Обрыв связи');
    // The same run without writes shows how many requests come before the first write.
    const dry = await runJob('sync', e, { dryRun: true });
    expect(dry.actions).toEqual([expect.objectContaining({ kind: 'task', outcome: 'would-do' })]);
    await faults(`drop@${dry.requests + 1}`);
    const result = await runJob('sync', e);
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'task', outcome: 'found' })]);
    expect(e.logger.lines.some((l) => l.level === 'info' && l.fields.outcome === 'found')).toBe(true);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });

  it('a lock left by a dead process is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-dead-'));
    dirs.push(dir);
    const e = env({ dir });
    e.state.locks.tryAcquire(
      'control',
      { runId: 'dead-run', pid: 999_999, host: e.process.host },
      () => true,
      1,
    );
    const blocked = await runJob('control', e);
    expect(blocked).toMatchObject({ status: 'locked', lockedBy: { pid: 999_999 } });
    const alive = env({ dir });
    alive.process.isAlive = (pid) => pid !== 999_999;
    const result = await runJob('control', alive);
    expect(result.status).toBe('completed');
    expect(alive.logger.lines.find((l) => l.msg.includes('took over'))?.fields).toMatchObject({
      pid: 999_999,
    });
    expect(alive.state.locks.holder('control')).toBeUndefined();
  });

  it('two runs of one job at once: one exits cleanly, nothing is doubled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-twice-'));
    dirs.push(dir);
    const a = env({ dir });
    const b = env({ dir });
    const id = await qualifiedDeal(a, 'Два запуска');
    const [ra, rb] = await Promise.all([runJob('sync', a), runJob('sync', b)]);
    expect([ra.status, rb.status].sort()).toEqual(['completed', 'locked']);
    const locked = ra.status === 'locked' ? ra : rb;
    expect(locked.lockedBy?.runId).toBe((ra.status === 'locked' ? rb : ra).runId);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });

  it('two runs of one job at once with --wait: the second waits, then finds nothing to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-wait-'));
    dirs.push(dir);
    const a = env({ dir });
    const b = env({ dir });
    const id = await qualifiedDeal(a, 'Ожидание');
    const [ra, rb] = await Promise.all([
      runJob('sync', a, { waitMs: 30_000 }),
      runJob('sync', b, { waitMs: 30_000 }),
    ]);
    expect([ra.status, rb.status]).toEqual(['completed', 'completed']);
    expect([ra.counts.done, rb.counts.done].sort()).toEqual([0, 1]);
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });
});

describe('exactly once under injected faults', () => {
  let lab: LabPortal;
  let e: TestEnvironment;
  const faults = (spec: string): Promise<unknown> => lab.call('b24lab.faults.set', { spec });
  beforeAll(async () => {
    lab = await labPortal();
    e = jobEnvironment(lab);
  });
  afterAll(async () => {
    e?.close();
    if (e) removeDir(e.dir);
    await lab?.close();
  });

  it('a full run under --faults completes with nothing doubled and nothing missed', async () => {
    const sales = lab.ids.pipelines.sales!;
    await runJob('sync', e);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        Number(
          await lab.call('crm.deal.add', {
            fields: { TITLE: `Нагрузка ${i}`, CATEGORY_ID: sales.id, ASSIGNED_BY_ID: lab.ids.users.manager },
          }),
        ),
      );
    }
    const before = (await lab.notifications(lab.ids.users.manager)).length;
    await faults('503=0.1,500=0.05,drop=0.05,refuse=0.03');
    const created = await runJob('sync', e);
    await faults('');
    expect(created.pendingEvents).toBe(0);
    expect(created.counts.failed + created.counts.unknown).toBe(0);
    expect((await lab.notifications(lab.ids.users.manager)).length - before).toBe(6);

    await lab.advance(0.01);
    for (const id of ids)
      await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    await faults('503=0.1,500=0.05,drop=0.05,refuse=0.03');
    const moved = await runJob('sync', e);
    await faults('');
    expect(moved.pendingEvents).toBe(0);
    for (const id of ids) expect(await lab.tasks(`D_${id}`)).toHaveLength(1);

    await lab.advance(16);
    const headBefore = (await lab.notifications(lab.ids.users.salesHead)).length;
    await faults('503=0.1,500=0.05,drop=0.05,refuse=0.03');
    const control = await runJob('control', e);
    await faults('');
    expect(control.counts.failed + control.counts.unknown).toBe(0);
    // Some writes were hit (a 500, a drop, a refusal) and made again only after the portal showed them missing.
    expect(e.state.ledger.all().some((entry) => entry.attempts > 1)).toBe(true);
    expect(e.state.ledger.all().every((entry) => entry.state === 'done')).toBe(true);
    const stats = await lab.call('b24lab.stats.get');
    expect(stats.faults).toBe('');
    // Each of the six deals escalated once; notifications with one TAG never pile up.
    expect((await lab.notifications(lab.ids.users.salesHead)).length - headBefore).toBe(6);
    const tags = (await lab.notifications(lab.ids.users.salesHead)).map((n) => n.tag);
    expect(new Set(tags).size).toBe(tags.length);
    // And a rerun has nothing left to do.
    expect((await runJob('control', e)).actions).toEqual([]);
    expect((await runJob('sync', e)).actions).toEqual([]);
  });
});

describe('exactly once across processes', () => {
  let lab: LabPortal;
  let dir: string;
  beforeAll(async () => {
    // Slow answers keep the first process's run going while the second one starts.
    lab = await labPortal({ latencyMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'b24lab-procs-'));
  });
  afterAll(async () => {
    removeDir(dir);
    await lab?.close();
  });

  it('two `b24lab jobs run sync` processes at once: one says the job is running, one task', async () => {
    const e = jobEnvironment(lab, { dir });
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: 'Два процесса',
          CATEGORY_ID: sales.id,
          STAGE_ID: sales.stage('NEGOTIATION'),
          ASSIGNED_BY_ID: lab.ids.users.manager,
        },
      }),
    );
    await runJob('sync', e);
    e.close();
    await lab.advance(0.01);
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('QUALIFIED') } });
    const args = [
      'jobs',
      'run',
      'sync',
      '--portal',
      lab.base,
      '--state',
      dir,
      '--config',
      'config',
      '--rate-limit',
      'off',
    ];
    const [one, two] = await Promise.all([spawnCli(args).done, spawnCli(args).done]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const outputs = [one.stderr + one.stdout, two.stderr + two.stdout];
    expect(outputs.filter((o) => o.includes('already running'))).toHaveLength(1);
    // Under no terminal each action is one JSON line.
    const lines = outputs.flatMap((o) => o.split('\n')).filter((l) => l.startsWith('{'));
    const task = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.action === 'task');
    expect(task).toMatchObject({
      level: 'info',
      job: 'sync',
      rule: 'sales-qualified-call-task',
      outcome: 'done',
    });
    expect(await lab.tasks(`D_${id}`)).toHaveLength(1);
  });
});
