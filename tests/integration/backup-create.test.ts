import { watch } from 'node:fs';
import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, readRows } from '../../src/backup/read-snapshot.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
let root: string;

/** Adds records through batch calls, 50 commands a request, in the given body encoding. */
async function batchAdd(
  base: string,
  method: string,
  fields: (i: number) => Record<string, unknown>,
  n: number,
  encoding: Encoding,
): Promise<number[]> {
  const ids: number[] = [];
  for (let from = 0; from < n; from += 50) {
    const cmd: Record<string, string> = {};
    for (let i = from; i < Math.min(n, from + 50); i++) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(fields(i))) {
        if (Array.isArray(v)) v.forEach((x) => params.append(`fields[${k}][]`, String(x)));
        else params.append(`fields[${k}]`, String(v));
      }
      cmd[`c${i}`] = `${method}?${params.toString()}`;
    }
    const result = await callOk(base, 'batch', { halt: 1, cmd }, encoding);
    for (const r of Object.values(result.result as Record<string, any>))
      ids.push(Number(r.task?.id ?? r.ID ?? r));
  }
  return ids;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, {
    env: {
      B24LAB_PORTAL: portal.webhookUrl,
      B24LAB_BACKUP_DIR: root,
      B24LAB_RATE_LIMIT: 'off',
      B24LAB_STATE: `${root}-state`,
    },
  });
}

beforeAll(async () => {
  portal = await portalForTest();
  root = await mkdtemp(join(tmpdir(), 'b24lab-backup-it-'));
  const base = portal.webhookUrl;
  await callOk(base, 'crm.type.add', {
    fields: { title: 'Лаборатория', isCategoriesEnabled: 'Y', isStagesEnabled: 'Y' },
  });
  await batchAdd(
    base,
    'tasks.task.add',
    (i) => ({ TITLE: `Экспертиза ${i}`, RESPONSIBLE_ID: 1 }),
    1200,
    'json',
  );
  portal.portal.clock.advance(60_000);
  await batchAdd(
    base,
    'tasks.task.add',
    (i) => ({ TITLE: `Проверка ${i}`, RESPONSIBLE_ID: 1, AUDITORS: [1] }),
    300,
    'form',
  );
  const folder = await callOk(base, 'disk.storage.addfolder', { id: 1, data: { NAME: 'Договоры' } });
  await callOk(base, 'disk.folder.uploadfile', {
    id: folder.ID,
    data: { NAME: 'Договор №1.txt' },
    fileContent: ['Договор №1.txt', Buffer.from('Текст договора').toString('base64')],
  });
});

afterAll(async () => {
  await portal.close();
  await rm(root, { recursive: true, force: true });
  await rm(`${root}-state`, { recursive: true, force: true });
});

describe('backup create / verify / list / prune', () => {
  let full: string;

  it('backs up the portal, streams tasks and Drive files, and the snapshot verifies', async () => {
    const run = await cli(['backup', 'create', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    full = result.path;
    expect(result).toMatchObject({
      kind: 'full',
      entities: { tasks: 1500, 'smart-process-types': 1, files: 2 },
    });
    // 1,500 tasks in one chained request (2,500 rows a request), not 30 pages.
    expect(result.requests).toBeLessThan(40);
    const manifest = await readManifest(full);
    expect(manifest.entities.tasks).toMatchObject({ count: 1500, lastId: 1500 });
    expect(manifest.entities.tasks!.checkpoint).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(manifest.cannotHold.some((c) => /robot/.test(c))).toBe(true);
    const files: any[] = [];
    for await (const row of readRows(full, 'files.ndjson.gz')) files.push(row);
    const file = files.find((f) => f.TYPE === 'file');
    expect(Buffer.from(file.CONTENT_BASE64, 'base64').toString('utf8')).toBe('Текст договора');

    const verify = await cli(['backup', 'verify', result.name]);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toMatch(/^ok /);
    const list = await cli(['backup', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: result.name, status: 'complete', kind: 'full' }]);
  });

  it('an incremental holds only the changed tasks plus the IDs present, and verifies as a chain', async () => {
    const base = portal.webhookUrl;
    portal.portal.clock.advance(60_000);
    await callOk(
      base,
      'tasks.task.update',
      { taskId: 5, fields: { TITLE: 'Экспертиза 4 (исправлено)' } },
      'form',
    );
    await callOk(base, 'tasks.task.delete', { taskId: 6 });
    await callOk(base, 'tasks.task.add', { fields: { TITLE: 'Новая задача', RESPONSIBLE_ID: 1 } });
    const run = await cli(['backup', 'create', '--incremental', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ kind: 'incremental', base: full.split('/').at(-1) });
    const manifest = await readManifest(result.path);
    const tasks: any[] = [];
    for await (const row of readRows(result.path, 'tasks.ndjson.gz')) tasks.push(row);
    const titles: string[] = tasks.map((t) => String(t.title));
    expect(titles).toEqual(expect.arrayContaining(['Новая задача', 'Экспертиза 4 (исправлено)']));
    // Besides the changes: only rows stamped at the base's checkpoint itself (">=" keeps a change made
    // in the same second as the base's last one), never older ones.
    const checkpoint = Date.parse((await readManifest(full)).entities.tasks!.checkpoint!);
    expect(tasks.every((t) => Date.parse(t.changedDate) >= checkpoint)).toBe(true);
    expect(titles).not.toContain('Экспертиза 0');
    expect(manifest.entities.tasks!.ids!.count).toBe(1500);
    const ids: number[] = [];
    for await (const id of readRows<number>(result.path, 'tasks.ids.ndjson.gz')) ids.push(id);
    expect(ids).not.toContain(6);
    expect(ids).toContain(1501);
    const verify = await cli(['backup', 'verify', result.path, '--json']);
    expect(JSON.parse(verify.stdout)).toMatchObject({
      ok: true,
      chain: [result.name, full.split('/').at(-1)],
    });
  });

  it('verify fails with exit 1 on a damaged snapshot, naming the entity', async () => {
    const list = JSON.parse((await cli(['backup', 'list', '--json'])).stdout) as any[];
    await truncate(join(list[0].path, 'tasks.ndjson.gz'), 100);
    const full = await cli(['backup', 'verify', list[0].name]);
    expect(full.code).toBe(1);
    expect(full.stdout).toMatch(/tasks \(tasks\.ndjson\.gz\): unreadable/);
    expect(full.stderr).toMatch(/failed verification/);
    // The incremental on top of it fails too: its chain is damaged.
    const inc = await cli(['backup', 'verify', list[1].name, '--json']);
    expect(inc.code).toBe(1);
    expect(JSON.parse(inc.stdout).problems[0]).toMatch(/^base .*: tasks/);
    const missing = await cli(['backup', 'verify', 'no-such-snapshot']);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/No snapshot at no-such-snapshot/);
  });

  it('prune keeps the newest and the bases it needs; a dry run deletes nothing', async () => {
    const dry = await cli([
      'backup',
      'prune',
      '--keep-daily',
      '0',
      '--keep-weekly',
      '0',
      '--keep-monthly',
      '0',
      '--dry-run',
      '--json',
    ]);
    const plan = JSON.parse(dry.stdout);
    expect(plan.keep.map((k: { reasons: string[] }) => k.reasons)).toEqual([
      ['latest'],
      [expect.stringMatching(/^base of /)],
    ]);
    expect(plan.deleted).toEqual([]);
    const bad = await cli(['backup', 'prune', '--keep-daily', 'many']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--keep-daily must be a whole number/);
  });
});

describe('a backup killed half-way', () => {
  it('leaves nothing verify accepts, and the next run succeeds', async () => {
    const slow = await portalForTest({ latencyMs: 150 });
    const killRoot = await mkdtemp(join(tmpdir(), 'b24lab-backup-kill-'));
    try {
      await batchAdd(
        slow.webhookUrl,
        'tasks.task.add',
        (i) => ({ TITLE: `Задача ${i}`, RESPONSIBLE_ID: 1 }),
        100,
        'json',
      );
      const env = {
        B24LAB_PORTAL: slow.webhookUrl,
        B24LAB_BACKUP_DIR: killRoot,
        B24LAB_RATE_LIMIT: 'off',
        B24LAB_STATE: `${killRoot}-state`,
      };
      const started = new Promise<void>((resolve) => {
        const watcher = watch(killRoot, (_event, file) => {
          if (file && String(file).endsWith('.partial')) {
            watcher.close();
            resolve();
          }
        });
      });
      const run = spawnCli(['backup', 'create'], env);
      await started;
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(killed.code).not.toBe(0);
      const names = await readdir(killRoot);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^\..*\.partial$/);
      const listed = await runCli(['backup', 'list', '--json'], { env });
      expect(JSON.parse(listed.stdout)).toMatchObject([{ status: 'partial' }]);
      const verify = await runCli(['backup', 'verify', join(killRoot, names[0]!)], { env });
      expect(verify.code).toBe(1);
      expect(verify.stdout).toMatch(/interrupted backup/);

      const again = await runCli(['backup', 'create', '--json'], { env });
      expect(again.code).toBe(0);
      const result = JSON.parse(again.stdout);
      expect(result.entities.tasks).toBe(100);
      expect((await runCli(['backup', 'verify', result.path], { env })).code).toBe(0);
    } finally {
      await slow.close();
      await rm(killRoot, { recursive: true, force: true });
      await rm(`${killRoot}-state`, { recursive: true, force: true });
    }
  });
});
