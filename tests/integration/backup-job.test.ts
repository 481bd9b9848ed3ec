import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackupJob } from '../../src/backup/run-backup-job.js';
import type { Clock } from '../../src/clock.js';
import { systemClock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
let root: string;

beforeAll(async () => {
  portal = await portalForTest();
  root = await mkdtemp(join(tmpdir(), 'b24lab-backup-job-'));
  await callOk(
    portal.webhookUrl,
    'tasks.task.add',
    { fields: { TITLE: 'Экспертиза', RESPONSIBLE_ID: 1 } },
    'form',
  );
  await callOk(portal.webhookUrl, 'crm.company.add', { fields: { TITLE: 'ООО Лаборатория' } });
});

afterAll(async () => {
  await portal.close();
  await rm(root, { recursive: true, force: true });
});

/** The real clock moved days ahead: snapshot names and the retention window follow it. */
function daysLater(days: number): Clock {
  return {
    now: () => systemClock.now() + days * 86_400_000,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
}

describe('the backup job', () => {
  it('creates (full, then incremental), verifies, and prunes by the policy', async () => {
    const client = { connection: { kind: 'webhook' as const, url: portal.webhookUrl }, rateLimit: 'off' };
    const settings = {
      root,
      kind: 'incremental' as const,
      version: 'test',
      retention: { daily: 2, weekly: 0, monthly: 0 },
    };
    const first = await runBackupJob({
      ...settings,
      client: { ...client, clock: daysLater(0) },
      clock: daysLater(0),
    });
    expect(first.backup.kind).toBe('full');
    expect(first.backup.note).toMatch(/no earlier snapshot/);
    expect(first.verify.ok).toBe(true);
    expect(first.prune?.deleted).toEqual([]);

    await callOk(portal.webhookUrl, 'crm.company.add', { fields: { TITLE: 'ООО Новая' } }, 'json');
    const second = await runBackupJob({
      ...settings,
      client: { ...client, clock: daysLater(1) },
      clock: daysLater(1),
    });
    expect(second.backup).toMatchObject({ kind: 'incremental', base: first.backup.name });
    expect(second.verify).toMatchObject({ ok: true, chain: [second.backup.name, first.backup.name] });

    // Five days on, the first two fall out of the two-day window, but the chain under the newest
    // incremental stays whole.
    const third = await runBackupJob({
      ...settings,
      client: { ...client, clock: daysLater(5) },
      clock: daysLater(5),
    });
    expect(third.verify.chain).toEqual([third.backup.name, second.backup.name, first.backup.name]);
    expect(third.prune?.keep.map((k) => k.name)).toEqual([
      third.backup.name,
      second.backup.name,
      first.backup.name,
    ]);
    expect((await readdir(root)).sort()).toEqual(
      [first.backup.name, second.backup.name, third.backup.name].sort(),
    );
  }, 60_000);
});
