import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { DoctorReport } from '../../src/repair/run-doctor.js';
import type { RepairResult } from '../../src/repair/run-repair.js';
import { runCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

/**
 * Repair fixes that change the portal through methods other than record updates, end to end over the
 * CLI: terminating a stuck business process (`repair.stuckWorkflows: terminate`).
 */
let lp: LocalPortal;
const dir = mkdtempSync(join(tmpdir(), 'b24lab-repair-merge-'));
const state = join(dir, 'state');
const config = join(dir, 'config');

beforeAll(async () => {
  lp = await portalForTest();
  await callOk(lp.webhookUrl, 'b24lab.clock.set', { time: '2026-03-02T10:00:00+03:00' });
  mkdirSync(config);
  writeFileSync(join(config, 'repair.yaml'), 'repair:\n  stuckWorkflows: terminate\n');
});

afterAll(async () => {
  await lp.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ['--portal', lp.webhookUrl, '--state', state, '--rate-limit', 'off', '--config', config];

const stuckIds = async (): Promise<string[]> => {
  const run = await runCli(['doctor', ...base(), '--only', 'stuck-workflows', '--json']);
  const report = JSON.parse(run.stdout) as DoctorReport;
  return report.checks.flatMap((c) => c.findings.flatMap((f) => f.entities.map((e) => String(e.id))));
};

describe('repair with stuckWorkflows: terminate', () => {
  it('terminates the stuck instance, keeps the healthy one, and a second doctor is clean', async () => {
    const stuck = (
      await callOk(lp.webhookUrl, 'b24lab.bizproc.instances.add', {
        fields: { DOCUMENT_ID: 'DEAL_5', TEMPLATE_ID: 212, OWNED_UNTIL: '2026-03-02T09:00:00+03:00' },
      })
    ).ID as string;
    const healthy = (
      await callOk(lp.webhookUrl, 'b24lab.bizproc.instances.add', { DOCUMENT_ID: 'DEAL_6' }, 'form')
    ).ID as string;
    expect(await stuckIds()).toEqual([stuck]);

    const run = await runCli([
      'repair',
      ...base(),
      '--only',
      'stuck-workflows',
      '--yes',
      '--json',
      '--backup-dir',
      join(dir, 'b'),
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RepairResult;
    expect(result.outcomes.map((o) => [o.call.method, o.call.params, o.ok])).toEqual([
      ['bizproc.workflow.terminate', { ID: stuck, STATUS: 'Terminated by b24lab repair: stuck' }, true],
    ]);

    const left = (
      (await callOk(lp.webhookUrl, 'bizproc.workflow.instances', { select: ['ID'] })) as { ID: string }[]
    ).map((w) => w.ID);
    expect(left).toEqual([healthy]);
    expect(await stuckIds()).toEqual([]);
  });
});
