import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { ProjectsReport } from '../../src/reports/projects-report.js';
import { runCli } from '../helpers/cli.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, frozenClock, portalForTest } from '../helpers/local-portal.js';

/**
 * The smart process «Лаборатория» with a direction «ГТИ» on the local portal (UTC+3), January 2026:
 *   Jan 1 09:00  P1 (Сидоров, due Jan 10), P2 (Сидоров, due Jan 20), P3 (Кузнецова, due Feb 15),
 *                P4 (Кузнецова, closedate Feb 15 but «Срок сдачи» Jan 25) in «Начало»
 *   Jan 3 09:00  P1 -> «Подготовка» (2 days in «Начало»)
 *   Jan 6 09:00  P1 -> «Успех» (3 days in «Подготовка»; done in 5 days, before its deadline)
 *   Jan 15 09:00 P2 -> «Подготовка» (14 days in «Начало»); still there at the end: overdue since Jan 20
 * Expected values are worked out by hand in the test.
 */
let lp: LocalPortal;
let url: string;
let entityTypeId: number;
let gti: number;
const stateDir = mkdtempSync(join(tmpdir(), 'b24lab-report-'));
const call = (method: string, params: Record<string, unknown>, encoding: Encoding = 'json') =>
  callOk(url, method, params, encoding);

beforeAll(async () => {
  lp = await portalForTest({ clock: frozenClock() });
  url = lp.webhookUrl;
  await call('b24lab.clock.set', { time: '2026-01-01T09:00:00+03:00' });
  const user = async (last: string, name: string, email: string, encoding: Encoding) =>
    Number(
      await call('user.add', { NAME: name, LAST_NAME: last, EMAIL: email, UF_DEPARTMENT: [1] }, encoding),
    );
  const sidorov = await user('Сидоров', 'Пётр', 'sidorov@lab.local', 'json');
  const kuznetsova = await user('Кузнецова', 'Анна', 'kuznetsova@lab.local', 'form');
  const type = await call('crm.type.add', {
    fields: {
      title: 'Лаборатория',
      code: 'laboratory',
      isCategoriesEnabled: 'Y',
      isStagesEnabled: 'Y',
      isBeginCloseDatesEnabled: 'Y',
    },
  });
  entityTypeId = Number(type.type.entityTypeId);
  const typeId = Number(type.type.id);
  // «Срок сдачи» (config/smart-processes.yaml): when set, it is the planned end instead of closedate.
  const deadline = `UF_CRM_${typeId}_DEADLINE`;
  await call('userfieldconfig.add', {
    moduleId: 'crm',
    field: { entityId: `CRM_${typeId}`, fieldName: deadline, userTypeId: 'date' },
  });
  const category = await call(
    'crm.category.add',
    { entityTypeId, fields: { name: 'ГТИ', sort: 200 } },
    'form',
  );
  gti = Number(category.category.id);
  const stage = (code: string) => `DT${entityTypeId}_${gti}:${code}`;
  const item = async (title: string, who: number, closedate: string, extra: Record<string, unknown> = {}) =>
    Number(
      (
        await call('crm.item.add', {
          entityTypeId,
          fields: { title, categoryId: gti, stageId: stage('NEW'), assignedById: who, closedate, ...extra },
          useOriginalUfNames: 'Y',
        })
      ).item.id,
    );
  const p1 = await item('Проект 1', sidorov, '2026-01-10');
  const p2 = await item('Проект 2', sidorov, '2026-01-20');
  await item('Проект 3', kuznetsova, '2026-02-15');
  await item('Проект 4', kuznetsova, '2026-02-15', { [deadline]: '2026-01-25' }); // due Jan 25 by «Срок сдачи»
  const move = (id: number, code: string, encoding: Encoding = 'json') =>
    call(
      'crm.item.update',
      { entityTypeId, id, fields: { categoryId: gti, stageId: stage(code) } },
      encoding,
    );
  await call('b24lab.clock.advance', { days: 2 }); // Jan 3
  await move(p1, 'PREPARATION', 'form');
  await call('b24lab.clock.advance', { days: 3 }); // Jan 6
  await move(p1, 'SUCCESS');
  await call('b24lab.clock.advance', { days: 9 }); // Jan 15
  await move(p2, 'PREPARATION', 'form');
});

afterAll(async () => {
  await lp.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('b24lab report projects', () => {
  it('counts items, overdue, stays, lead time and deadlines per stage, direction and lab assistant', async () => {
    const run = await runCli([
      'report',
      'projects',
      '--portal',
      url,
      '--state',
      stateDir,
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-31',
      '--pipeline',
      'ГТИ',
      '--format',
      'json',
    ]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as ProjectsReport;
    expect(report.stages.map((s) => [s.stage, s.items, s.overdue, s.averageDays])).toEqual([
      ['Начало', 2, 1, 8], // P3, P4 (overdue since Jan 25); stays P1 2 d, P2 14 d
      ['Подготовка', 1, 1, 3], // P2 (due Jan 20); stay P1 3 d
      ['Согласование', 0, 0, null],
      ['Успех', 1, 0, null], // P1
      ['Провал', 0, 0, null],
    ]);
    expect(report.directions).toEqual([
      {
        categoryId: gti,
        direction: 'ГТИ',
        items: 4,
        inWork: 3,
        overdue: 2,
        done: 1,
        averageLeadDays: 5,
        onTimeShare: 1,
      },
    ]);
    expect(report.assistants.map(({ userId: _id, ...a }) => a)).toEqual([
      { name: 'Кузнецова Анна', inWork: 2, done: 0, overdue: 1 },
      { name: 'Сидоров Пётр', inWork: 1, done: 1, overdue: 1 },
    ]);
  });

  it("fails with the portal's error and no partial output when the webhook is wrong", async () => {
    const wrong = url.replace(/\/rest\/1\/[^/]+\//, '/rest/1/wrong-secret/');
    const out = join(stateDir, 'never.json');
    const run = await runCli(['report', 'projects', '--portal', wrong, '--state', stateDir, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/server\.time|invalid|auth/i);
    expect(existsSync(out)).toBe(false);
  });

  it('names the missing smart process', async () => {
    const other = await portalForTest();
    try {
      const run = await runCli(['report', 'projects', '--portal', other.webhookUrl, '--state', stateDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('The portal has no smart process «Лаборатория».');
    } finally {
      await other.close();
    }
  });
});
