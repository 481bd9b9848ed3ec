import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import type { DoctorReport } from '../../src/repair/run-doctor.js';
import type { RepairResult } from '../../src/repair/run-repair.js';
import { runCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

/** A fresh local portal: nothing to find; then the ways doctor and repair are refused or misused. */
let lp: LocalPortal;
const dir = mkdtempSync(join(tmpdir(), 'b24lab-doctor-edge-'));
const state = join(dir, 'state');

beforeAll(async () => {
  lp = await portalForTest();
});

afterAll(async () => {
  await lp.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ['--portal', lp.webhookUrl, '--state', state, '--rate-limit', 'off'];

describe('doctor and repair on a clean portal and on refusals', () => {
  it('a fresh portal is clean: exit 0, every check passes or says why it was skipped', async () => {
    const run = await runCli(['doctor', ...base()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✓ Duplicate contacts and companies');
    expect(run.stdout).toContain(
      '- Laboratory item and deal not paired: skipped, the portal has no laboratory smart process',
    );
    expect(run.stdout).toContain(
      '- Drift from the configuration: skipped, no configuration given (--config)',
    );
    expect(run.stdout).toContain('No problems found.');
    const repair = await runCli(['repair', ...base(), '--json']);
    expect(repair.code).toBe(0);
    const result = JSON.parse(repair.stdout) as RepairResult;
    expect([result.applied, result.plan.calls, result.backup]).toEqual([false, [], undefined]);
  });

  it('the options come from B24LAB_* variables too', async () => {
    const run = await runCli(['doctor'], {
      env: {
        B24LAB_PORTAL: lp.webhookUrl,
        B24LAB_STATE: state,
        B24LAB_RATE_LIMIT: 'off',
        B24LAB_DOCTOR_ONLY: 'duplicates',
        B24LAB_DOCTOR_JSON: '1',
      },
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as DoctorReport).checks.map((c) => c.name)).toEqual(['duplicates']);
  });

  it('an unknown check or a broken config is a user error: exit 1 with the fix', async () => {
    const unknown = await runCli(['doctor', ...base(), '--only', 'duplicates,dupes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown check: dupes');
    expect(unknown.stderr).toContain('off-pipeline-stage, inactive-responsible');
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'repair.yaml'), 'repair:\n  inheritor: whoever\n  stuckWorkflows: kill\n');
    const bad = await runCli(['repair', ...base(), '--config', config, '--dry-run']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('repair.yaml');
    expect(bad.stderr).toMatch(/inheritor[\s\S]*stuckWorkflows/);
  });

  it('a non-administrator is refused the business-process list: that check is skipped, the rest run', async () => {
    const manager = Number(
      await callOk(
        lp.webhookUrl,
        'user.add',
        { NAME: 'Менеджер', EMAIL: 'm@lab.local', UF_DEPARTMENT: [1] },
        'form',
      ),
    );
    const token = await callOk(lp.webhookUrl, 'b24lab.oauth.issue', { userId: manager });
    const run = await runCli(['doctor', '--state', state, '--rate-limit', 'off', '--json'], {
      env: {
        B24LAB_OAUTH_ENDPOINT: `${lp.url}/rest/`,
        B24LAB_OAUTH_SERVER: `${lp.url}/oauth/`,
        B24LAB_OAUTH_CLIENT_ID: DEMO_OAUTH_CLIENT_ID,
        B24LAB_OAUTH_CLIENT_SECRET: DEMO_OAUTH_CLIENT_SECRET,
        B24LAB_OAUTH_REFRESH_TOKEN: token.refresh_token,
        B24LAB_OAUTH_ACCESS_TOKEN: token.access_token,
      },
    });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as DoctorReport;
    const stuck = report.checks.find((c) => c.name === 'stuck-workflows')!;
    expect(stuck.skipped).toMatch(/^the portal refused bizproc\.workflow\.instances: ACCESS_DENIED/);
    expect(report.checks.find((c) => c.name === 'duplicates')!.skipped).toBeUndefined();
  });

  it('a refused change is reported and fails the run, the others stand; both duplicates were saved first', async () => {
    // The local portal has no crm.entity.mergeBatch: a portal refusing the call (as an old box would).
    const phone = (value: string) => ({ PHONE: [{ VALUE: value, VALUE_TYPE: 'WORK' }] });
    const a = Number(
      await callOk(lp.webhookUrl, 'crm.contact.add', {
        fields: { NAME: 'Пётр', ...phone('+7 913 555 00 11') },
      }),
    );
    const b = Number(
      await callOk(
        lp.webhookUrl,
        'crm.contact.add',
        { fields: { NAME: 'Пётр И.', ...phone('89135550011') } },
        'form',
      ),
    );
    const run = await runCli([
      'repair',
      ...base(),
      '--only',
      'duplicates',
      '--merge-duplicates',
      '--yes',
      '--json',
      '--backup-dir',
      join(dir, 'b'),
    ]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as RepairResult;
    expect(result.outcomes.map((o) => [o.call.method, o.call.params, o.ok])).toEqual([
      ['crm.entity.mergeBatch', { params: { entityTypeId: 3, entityIds: [a, b] } }, false],
    ]);
    expect(result.outcomes[0]!.error).toContain('crm.entity.mergeBatch');
    const undo = await runCli(['repair', ...base(), '--undo', result.backup!, '--yes', '--json']);
    const undone = JSON.parse(undo.stdout) as { outcomes: { ok: boolean; error?: string }[] };
    expect(undone.outcomes).toEqual([
      {
        method: 'crm.entity.mergeBatch',
        entity: 'crm-item-3',
        id: `${a},${b}`,
        ok: false,
        error: 'crm.entity.mergeBatch cannot be undone over REST',
      },
    ]);
  });

  it('repair --undo of a directory that is no repair snapshot fails with the reason', async () => {
    const run = await runCli(['repair', ...base(), '--undo', join(dir, 'nothing'), '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a readable snapshot');
    expect(run.stderr).toContain('hint');
  });
});
