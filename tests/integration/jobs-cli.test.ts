import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, spawnCli } from '../helpers/cli.js';
import type { LabPortal } from './automation-portal.js';
import { labPortal, removeDir } from './automation-portal.js';

/** The `b24lab jobs` commands: list, run (text, JSON, errors), start (ticks, SIGTERM). */
describe('b24lab jobs', () => {
  let lab: LabPortal;
  let dir: string;
  let configDir: string;
  beforeAll(async () => {
    lab = await labPortal();
    dir = mkdtempSync(join(tmpdir(), 'b24lab-jobs-cli-'));
    // The shipped config, with schedules every second for the scheduler test.
    configDir = join(dir, 'config');
    cpSync('config', configDir, { recursive: true });
    const file = join(configDir, 'automation.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace("schedule: '*/5 * * * *'", "schedule: '* * * * * *'")
        .replace("schedule: '7 * * * *'", "schedule: '*/2 * * * * *'"),
    );
  });
  afterAll(async () => {
    removeDir(dir);
    await lab?.close();
  });
  const portalArgs = (): string[] => [
    '--portal',
    lab.base,
    '--state',
    join(dir, 'state'),
    '--rate-limit',
    'off',
  ];

  it('lists the jobs with schedules and rules before any run, without creating a state directory', async () => {
    const run = await runCli(['jobs', 'list', '--json', '--state', join(dir, 'nowhere')]);
    expect(run.code).toBe(0);
    const jobs = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(jobs.map((j) => [j.name, j.schedule, j.scheduleFrom, j.lastRun])).toEqual([
      ['sync', '*/5 * * * *', 'config', undefined],
      ['control', '7 * * * *', 'config', undefined],
      ['backup', '30 2 * * *', 'config', undefined],
      ['reports', '0 7 * * 1', 'config', undefined],
    ]);
    // The time rules go to control; every other enabled rule of the shipped config, in its order, to sync.
    const control = ['sales-new-request-forgotten', 'sales-qualified-control', 'lab-project-overdue'];
    const shipped = (
      parse(readFileSync('config/automation.yaml', 'utf8')) as {
        automation: { rules: { id: string; enabled?: boolean }[] };
      }
    ).automation.rules;
    const enabled = shipped.filter((r) => r.enabled !== false).map((r) => r.id);
    expect(enabled.length).toBeGreaterThan(60);
    expect(jobs[0]!.rules).toEqual(enabled.filter((id) => !control.includes(id)));
    expect(jobs[1]!.rules).toEqual(control);
    const text = await runCli(['jobs', 'list', '--state', join(dir, 'nowhere')]);
    expect(text.stdout).toContain('control  7 * * * *');
    expect(text.stdout).toContain('never run here');
  });

  it('runs a job and prints its result as JSON; list then shows the last run', async () => {
    const run = await runCli(['jobs', 'run', 'control', '--json', ...portalArgs()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ job: 'control', status: 'completed', dryRun: false, actions: [] });
    expect(result.evaluatedAt).toMatch(/\+03:00$/);
    const list = JSON.parse((await runCli(['jobs', 'list', '--json', '--state', join(dir, 'state')])).stdout);
    expect(list[1].lastRun).toMatchObject({ at: result.startedAt });
  });

  it('reads its options from B24LAB_* variables', async () => {
    const sales = lab.ids.pipelines.sales!;
    await lab.call('crm.deal.add', {
      fields: {
        TITLE: 'Из переменных',
        CATEGORY_ID: sales.id,
        STAGE_ID: sales.stage('NEW'),
        ASSIGNED_BY_ID: lab.ids.users.manager,
      },
    });
    const now = '2099-01-01T09:00:00+03:00';
    const run = await runCli(['jobs', 'run', 'control'], {
      env: {
        B24LAB_PORTAL: lab.base,
        B24LAB_STATE: join(dir, 'state'),
        B24LAB_RATE_LIMIT: 'off',
        B24LAB_DRY_RUN: '1',
        B24LAB_NOW: now,
        B24LAB_JSON: 'yes',
      },
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ dryRun: true, evaluatedAt: '2099-01-01T09:00:00+03:00' });
    expect(result.actions).toEqual([
      expect.objectContaining({ ruleId: 'sales-new-request-forgotten', outcome: 'would-do', kind: 'notify' }),
    ]);
  });

  it('explains bad flags, unknown jobs and a broken config', async () => {
    const badNow = await runCli(['jobs', 'run', 'control', '--now', 'yesterday', ...portalArgs()]);
    expect(badNow.code).toBe(1);
    expect(badNow.stderr).toContain('--now "yesterday" is not an ISO 8601 time with an offset');
    expect(badNow.stderr).toContain('hint');
    const unknown = await runCli(['jobs', 'run', 'nightly', ...portalArgs()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown job "nightly"');
    const broken = join(dir, 'broken');
    cpSync('config', broken, { recursive: true });
    writeFileSync(
      join(broken, 'automation.yaml'),
      'automation:\n  rules:\n    - id: x\n      entity: { pipeline: nowhere }\n      trigger: { type: created }\n      actions: [{ type: comment, text: x }]\n',
    );
    const bad = await runCli(['jobs', 'run', 'sync', '--config', broken, ...portalArgs()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('automation.yaml:4:');
    expect(bad.stderr).toContain('Unknown pipeline "nowhere"');
    const noPortal = await runCli(['jobs', 'run', 'sync', '--state', join(dir, 'state')]);
    expect(noPortal.code).toBe(1);
    expect(noPortal.stderr).toContain('No portal to talk to');
  });

  it('jobs start runs the jobs on their schedules and stops cleanly on SIGTERM', async () => {
    const cli = spawnCli(['jobs', 'start', '--config', configDir, ...portalArgs()]);
    let stderr = '';
    const finished = new Promise<void>((resolve) => {
      cli.child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const lines = stderr
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, string>);
        const jobs = new Set(lines.filter((l) => l.msg === 'job finished').map((l) => l.job));
        if (jobs.has('sync') && jobs.has('control')) resolve();
      });
    });
    await finished;
    cli.child.kill('SIGTERM');
    const done = await cli.done;
    expect(done.code).toBe(0);
    const lines = done.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.filter((l) => l.msg === 'scheduled').map((l) => [l.job, l.schedule])).toEqual([
      ['sync', '* * * * * *'],
      ['control', '*/2 * * * * *'],
      ['backup', '30 2 * * *'],
      ['reports', '0 7 * * 1'],
    ]);
    expect(lines.some((l) => l.msg?.startsWith('stopping'))).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    // A process of its own that starts, reads the catalog and runs two jobs: slow on a loaded machine.
  }, 90_000);
});
