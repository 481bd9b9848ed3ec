import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { LabPortal } from './automation-portal.js';
import { labPortal } from './automation-portal.js';

/** The maintenance jobs through `b24lab jobs run`: the shipped schedules, folders from the config. */
describe('b24lab jobs run backup | reports', () => {
  let lab: LabPortal;
  let dir: string;
  let configDir: string;
  beforeAll(async () => {
    // The laboratory's portal, provisioned from the shipped config, with a deal in «Продажи».
    lab = await labPortal();
    await lab.call('crm.deal.add', {
      fields: { TITLE: 'Экспертиза грунтов', CATEGORY_ID: lab.ids.pipelines.sales!.id, OPPORTUNITY: 120000 },
    });
    dir = mkdtempSync(join(tmpdir(), 'b24lab-maint-'));
    configDir = join(dir, 'config');
    cpSync('config', configDir, { recursive: true });
    const file = join(configDir, 'automation.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('dir: backups', `dir: ${join(dir, 'backups')}`)
        .replace('dir: reports', `dir: ${join(dir, 'reports')}`)
        // This hand-built laboratory portal has no deal card fields (the money reports need them).
        .replace('reports: [managers, receivables, funnel, projects]', 'reports: [funnel, projects]'),
    );
  });
  afterAll(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const args = (job: string, ...more: string[]): string[] => [
    'jobs',
    'run',
    job,
    '--portal',
    lab.base,
    '--state',
    join(dir, 'state'),
    '--config',
    configDir,
    '--rate-limit',
    'off',
    '--json',
    ...more,
  ];

  it('backup: a verified snapshot, then an incremental on top of it; a dry run writes nothing', async () => {
    const dry = await runCli(args('backup', '--dry-run'));
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).detail).toEqual({ wouldBackup: 'incremental', root: join(dir, 'backups') });
    expect(existsSync(join(dir, 'backups'))).toBe(false);

    const first = JSON.parse((await runCli(args('backup'))).stdout);
    expect(first.status).toBe('completed');
    // The first "incremental" has no base: a full one.
    expect(first.detail).toMatchObject({ kind: 'full', verified: true, pruned: 0, kept: 1 });
    expect(existsSync(join(first.detail.snapshot, 'manifest.json'))).toBe(true);
    const second = JSON.parse((await runCli(args('backup'))).stdout);
    expect(second.detail).toMatchObject({ kind: 'incremental', verified: true, kept: 2 });
    const list = await runCli(['backup', 'list', '--dir', join(dir, 'backups'), '--json']);
    expect(list.stdout).toContain(second.detail.snapshot.split('/').at(-1));
  });

  it('reports: the configured reports in the configured formats, csv for Russian Excel', async () => {
    const run = await runCli(args('reports'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = JSON.parse(run.stdout).detail.files as string[];
    expect(files).toHaveLength(4);
    for (const file of files) expect(existsSync(file)).toBe(true);
    const managers = readFileSync(
      files.find((f) => /funnel-.*\.csv$/.test(f))!,
      'utf8',
    );
    expect(managers.charCodeAt(0)).toBe(0xfeff);
    expect(managers).toContain(';');
  });

  it('lists the maintenance jobs with their schedules', async () => {
    const run = await runCli([
      'jobs',
      'list',
      '--json',
      '--config',
      configDir,
      '--state',
      join(dir, 'state'),
    ]);
    const jobs = JSON.parse(run.stdout) as { name: string; schedule: string }[];
    expect(jobs.map((j) => [j.name, j.schedule])).toEqual([
      ['sync', '*/5 * * * *'],
      ['control', '7 * * * *'],
      ['backup', '30 2 * * *'],
      ['reports', '0 7 * * 1'],
    ]);
  });
});
