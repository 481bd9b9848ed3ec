import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { ManagersReport } from '../../src/reports/managers-report.js';
import { runCli } from '../helpers/cli.js';
import { callOk, frozenClock, portalForTest } from '../helpers/local-portal.js';

/**
 * The control limits come from the shipped config/automation.yaml: on the pipeline «Продажи» (key
 * `sales` in its originId) a deal may stay 2 days in «Новая заявка» (sales-new-request-forgotten) and
 * 15 days in «Квалификация пройдена» (sales-qualified-control: 15 and 30). On January 31 at 09:00:
 *   D1 in NEW for 3 days            -> over (3 > 2; the default 15 would not count it)
 *   D2 in QUALIFIED for 10 days     -> not over (10 < 15)
 *   D3 in QUALIFIED for 20 days     -> over
 */
let lp: LocalPortal;
let url: string;
const stateDir = mkdtempSync(join(tmpdir(), 'b24lab-report-'));

beforeAll(async () => {
  lp = await portalForTest({ clock: frozenClock() });
  url = lp.webhookUrl;
  await callOk(url, 'b24lab.clock.set', { time: '2026-01-01T09:00:00+03:00' });
  const category = await callOk(url, 'crm.category.add', {
    entityTypeId: 2,
    fields: { name: 'Продажи', originId: 'sales' },
  });
  const c = Number(category.category.id);
  await callOk(
    url,
    'crm.status.add',
    {
      fields: {
        ENTITY_ID: `DEAL_STAGE_${c}`,
        STATUS_ID: 'QUALIFIED',
        NAME: 'Квалификация пройдена',
        SORT: 15,
      },
    },
    'form',
  );
  const deal = async (stage: string) =>
    Number(
      await callOk(url, 'crm.deal.add', {
        fields: { TITLE: stage, CATEGORY_ID: c, STAGE_ID: `C${c}:${stage}` },
      }),
    );
  const advanceTo = (day: number) =>
    callOk(url, 'b24lab.clock.set', { time: `2026-01-${day}T09:00:00+03:00` });
  await advanceTo(11);
  await deal('QUALIFIED'); // D3: 20 days by Jan 31
  await advanceTo(21);
  await deal('QUALIFIED'); // D2: 10 days
  await advanceTo(28);
  await deal('NEW'); // D1: 3 days
  await advanceTo(31);
});

afterAll(async () => {
  await lp.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('b24lab report managers: control limits', () => {
  it('takes the per-stage limits of the configured control rules', async () => {
    const args = ['report', 'managers', '--portal', url, '--state', stateDir, '--format', 'json'];
    const period = ['--from', '2026-01-01', '--to', '2026-01-31T09:00:00+03:00'];
    const withConfig = await runCli([...args, ...period, '--config', 'config']);
    expect(withConfig.stderr).toBe('');
    expect((JSON.parse(withConfig.stdout) as ManagersReport).totals.overLimit).toBe(2); // D1, D3
    // Without a configuration every stage has the one default limit: only D3 (20 > 15).
    const without = await runCli([...args, ...period, '--config', join(stateDir, 'no-config')]);
    expect((JSON.parse(without.stdout) as ManagersReport).totals.overLimit).toBe(1);
  });
});
