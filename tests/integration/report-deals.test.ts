import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { FunnelReport } from '../../src/reports/funnel-report.js';
import type { ManagersReport } from '../../src/reports/managers-report.js';
import type { ReceivablesReport } from '../../src/reports/receivables-report.js';
import { createClient } from '../../src/rest/client.js';
import { writeReports } from '../../src/reports/write-reports.js';
import { openStateDb } from '../../src/state/state-db.js';
import { runCli } from '../helpers/cli.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, frozenClock, portalForTest } from '../helpers/local-portal.js';

/**
 * A hand-built January 2026 on the local portal (UTC+3), moved through with the portal clock:
 *   Jan 1 09:00  deals A1 (Иванов, 100 000, ООО «Ромашка»), A2 (Иванов, 50 000), B1 (Петрова, 200 000);
 *                tasks T1 (Иванов, due Jan 10), T2 (Петрова, due Jan 20)
 *   Jan 3 09:00  A1 -> Подготовка документов; B1 -> won, feedback «Спасибо»
 *   Jan 5 09:00  A2 -> lost; A1 -> won, paid 40 000, remaining 60 000, results sent 2026-01-05;
 *                deal A3 (Иванов, 30 000) created, stays in Новая
 *   Jan 8 09:00  T1 completed
 *   Jan 25 09:00 deal B2 (Петрова, 10 000) created, stays in Новая
 * The ledger holds one escalation of A3 (two heads notified: one firing). Expected values are
 * worked out by hand below each report. Setup calls alternate the json and form body encodings.
 */
let lp: LocalPortal;
let url: string;
let stateDir: string;
const ids: Record<string, number> = {};
const PERIOD = ['--from', '2026-01-01', '--to', '2026-01-31'];

const call = (method: string, params: Record<string, unknown>, encoding: Encoding = 'json') =>
  callOk(url, method, params, encoding);
const advanceDays = (days: number) => call('b24lab.clock.advance', { days });
const move = (id: number, fields: Record<string, unknown>, encoding: Encoding = 'json') =>
  call('crm.deal.update', { id, fields }, encoding);

beforeAll(async () => {
  lp = await portalForTest({ clock: frozenClock() });
  url = lp.webhookUrl;
  stateDir = mkdtempSync(join(tmpdir(), 'b24lab-report-'));
  await call('b24lab.clock.set', { time: '2026-01-01T09:00:00+03:00' });
  const ivanov = Number(
    await call('user.add', {
      NAME: 'Иван',
      LAST_NAME: 'Иванов',
      EMAIL: 'ivanov@lab.local',
      UF_DEPARTMENT: [1],
    }),
  );
  const petrova = Number(
    await call(
      'user.add',
      { NAME: 'Мария', LAST_NAME: 'Петрова', EMAIL: 'petrova@lab.local', UF_DEPARTMENT: [1] },
      'form',
    ),
  );
  for (const [name, type] of [
    ['PAID_AMOUNT', 'double'],
    ['REMAINING_AMOUNT', 'double'],
    ['RESULTS_SENT_DATE', 'date'],
    ['FEEDBACK', 'string'],
  ]) {
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: name, USER_TYPE_ID: type } }, 'form');
  }
  const company = Number(await call('crm.company.add', { fields: { TITLE: 'ООО «Ромашка»' } }));
  const deal = async (title: string, who: number, amount: number, extra: Record<string, unknown> = {}) =>
    Number(
      await call('crm.deal.add', {
        fields: { TITLE: title, ASSIGNED_BY_ID: who, OPPORTUNITY: amount, ...extra },
      }),
    );
  ids.A1 = await deal('Экспертиза почвы', ivanov, 100_000, { COMPANY_ID: company });
  ids.A2 = await deal('Анализ воды', ivanov, 50_000);
  ids.B1 = await deal('ГТИ скважины', petrova, 200_000);
  const task = (title: string, who: number, deadline: string) =>
    call('tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: who, DEADLINE: deadline } });
  const t1 = await task('Отследить оплату', ivanov, '2026-01-10T18:00:00+03:00');
  await task('Отправить результаты', petrova, '2026-01-20T18:00:00+03:00');
  await advanceDays(2); // Jan 3
  await move(ids.A1, { STAGE_ID: 'PREPARATION' }, 'form');
  await move(ids.B1, { STAGE_ID: 'WON', UF_CRM_FEEDBACK: 'Спасибо' });
  await advanceDays(2); // Jan 5
  await move(ids.A2, { STAGE_ID: 'LOSE' }, 'form');
  await move(ids.A1, {
    STAGE_ID: 'WON',
    UF_CRM_PAID_AMOUNT: 40_000,
    UF_CRM_REMAINING_AMOUNT: 60_000,
    UF_CRM_RESULTS_SENT_DATE: '2026-01-05',
  });
  ids.A3 = await deal('Аудит лаборатории', ivanov, 30_000);
  await advanceDays(3); // Jan 8
  await call('tasks.task.complete', { taskId: Number(t1.task.id) }, 'form');
  await advanceDays(17); // Jan 25
  ids.B2 = await deal('Субподряд', petrova, 10_000);

  // The ledger: «sales-qualified-control» escalates (config/automation.yaml) and told two heads in one
  // firing; «sales-new-request-notify» only notifies the manager and is no escalation.
  const state = openStateDb(stateDir);
  const at = Date.parse('2026-01-20T10:00:00+03:00');
  const record = (rule: string, occurrence: string, user: number) => {
    const key = `${rule}|2:${ids.A3}|${occurrence}|0|u${user}`;
    const plan = { key, rule, entity: `2:${ids.A3}`, occurrence, action: 'notify', marker: 'm' };
    state.ledger.plan(plan, { runId: 'r1', job: 'control' }, at);
    state.ledger.done(key, { id: user }, at);
  };
  record('sales-qualified-control', 'stayed:QUALIFIED#15d', 7);
  record('sales-qualified-control', 'stayed:QUALIFIED#15d', 8);
  record('sales-new-request-notify', 'entered:NEW', 2);
  state.close();
});

afterAll(async () => {
  await lp.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function reportJson<T>(name: string, ...args: string[]): Promise<T> {
  const run = await runCli([
    'report',
    name,
    '--portal',
    url,
    '--state',
    stateDir,
    ...PERIOD,
    '--format',
    'json',
    ...args,
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('b24lab report managers', () => {
  it('computes each metric per manager from the portal and the ledger', async () => {
    const report = await reportJson<ManagersReport>('managers', '--config', 'config');
    expect(report.period).toEqual({
      from: Date.parse('2026-01-01T00:00:00+03:00'),
      to: Date.parse('2026-02-01T00:00:00+03:00'),
    });
    const rows = report.rows.map(({ userId: _id, ...r }) => r);
    expect(rows).toEqual([
      {
        name: 'Петрова Мария',
        created: 2, // B1, B2
        won: 1, // B1
        lost: 0,
        open: 1, // B2
        conversion: 1,
        wonAmount: 200_000,
        averageDeal: 200_000,
        averageCycleDays: 2, // Jan 1 -> Jan 3
        overLimit: 0, // B2: 6 days 15 hours in Новая
        escalations: 0,
        tasksCompleted: 0,
        tasksOnTime: 0,
        tasksOverdue: 1, // T2, due Jan 20, open
        feedbackShare: 1,
        remaining: 0,
      },
      {
        name: 'Иванов Иван',
        created: 3, // A1, A2, A3
        won: 1, // A1
        lost: 1, // A2
        open: 1, // A3
        conversion: 0.5,
        wonAmount: 100_000,
        averageDeal: 100_000,
        averageCycleDays: 4, // Jan 1 -> Jan 5
        overLimit: 1, // A3: 26 days 15 hours in Новая > 15
        escalations: 1, // A3, one firing to two heads
        tasksCompleted: 1, // T1, Jan 8
        tasksOnTime: 1, // due Jan 10
        tasksOverdue: 0,
        feedbackShare: 0,
        remaining: 60_000, // A1
      },
    ]);
    expect(report.totals).toMatchObject({
      created: 5,
      won: 2,
      lost: 1,
      open: 2,
      conversion: 2 / 3,
      wonAmount: 300_000,
      averageDeal: 150_000,
      averageCycleDays: 3,
    });
  });

  it('prints an aligned table without colour when stdout is not a terminal', async () => {
    const run = await runCli(['report', 'managers', '--portal', url, '--state', stateDir, ...PERIOD]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Managers, 2026-01-01 – 2026-01-31');
    expect(run.stdout).not.toContain('\u001b[');
    const petrova = lines.find((l) => l.startsWith('Петрова Мария'));
    expect(petrova).toMatch(/^Петрова Мария\s+2\s+1\s+0\s+1\s+100,0 %\s+200 000,00\s+200 000,00\s+2,0\s/);
    expect(lines.at(-1)).toMatch(/^Total\s+5\s+2\s+1\s+2\s+66,7 %\s+300 000,00\s+150 000,00\s+3,0\s/);
  });

  it('narrows to one pipeline by name and rejects an unknown one', async () => {
    const run = await runCli([
      'report',
      'managers',
      '--portal',
      url,
      '--state',
      stateDir,
      ...PERIOD,
      '--pipeline',
      'Госзакупки',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No pipeline "Госзакупки"');
  });
});

describe('b24lab report receivables', () => {
  it('lists the unpaid remainder with the client and the days since the results', async () => {
    const report = await reportJson<ReceivablesReport>('receivables');
    expect(report.rows).toEqual([
      {
        dealId: ids.A1,
        title: 'Экспертиза почвы',
        client: 'ООО «Ромашка»',
        userId: expect.any(Number),
        manager: 'Иванов Иван',
        amount: 100_000,
        paid: 40_000,
        remaining: 60_000,
        daysSinceResults: 27, // Jan 5 -> Feb 1, midnight to midnight
      },
    ]);
    expect(report.totals).toEqual({ deals: 1, amount: 100_000, paid: 40_000, remaining: 60_000 });
  });

  it('takes every option from B24LAB_* variables', async () => {
    const run = await runCli(['report', 'receivables'], {
      env: {
        B24LAB_PORTAL: url,
        B24LAB_STATE: stateDir,
        B24LAB_REPORT_FROM: '2026-01-01',
        B24LAB_REPORT_TO: '2026-01-31',
        B24LAB_REPORT_FORMAT: 'json',
      },
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as ReceivablesReport).totals.remaining).toBe(60_000);
  });

  it('--excel writes a file that csv-parse reads back with ";"', async () => {
    const file = join(stateDir, 'receivables.csv');
    const run = await runCli([
      'report',
      'receivables',
      '--portal',
      url,
      '--state',
      stateDir,
      ...PERIOD,
      '--excel',
      '--out',
      file,
    ]);
    expect(run.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records: string[][] = parse(text, { delimiter: ';', bom: true, relax_column_count: true });
    expect(records[1]).toEqual([
      String(ids.A1),
      'Экспертиза почвы',
      'ООО «Ромашка»',
      'Иванов Иван',
      '100000',
      '40000',
      '60000',
      '27',
    ]);
  });
});

describe('b24lab report funnel', () => {
  it('counts the cohort per stage with reach, stays and conversions', async () => {
    const report = await reportJson<FunnelReport>('funnel');
    const [general] = report.pipelines;
    const line = (stageId: string) => general?.stages.find((s) => s.stageId === stageId);
    // Cohort: A1, A2, B1, A3, B2. Now: Новая A3 + B2; won A1 + B1; lost A2.
    expect(line('NEW')).toMatchObject({ deals: 2, amount: 40_000, reached: 5, toNext: 2 / 5, toWon: 2 / 5 });
    // Stays in Новая: A1 2 d, A2 4 d, B1 2 d.
    expect(line('NEW')?.averageDays).toBeCloseTo(8 / 3, 9);
    expect(line('PREPARATION')).toMatchObject({ deals: 0, reached: 2, averageDays: 2, toNext: 1, toWon: 1 });
    expect(line('FINAL_INVOICE')).toMatchObject({ reached: 2, averageDays: null, toNext: 1 });
    expect(line('WON')).toMatchObject({ deals: 2, amount: 300_000, reached: 2 });
    expect(line('LOSE')).toMatchObject({ deals: 1, amount: 50_000, reached: null });
    expect(general?.totals).toEqual({ deals: 5, amount: 390_000, won: 2, lost: 1, conversion: 2 / 3 });
  });

  it('renders html with the same numbers in the chart as in the csv', async () => {
    const html = await runCli([
      'report',
      'funnel',
      '--portal',
      url,
      '--state',
      stateDir,
      ...PERIOD,
      '--format',
      'html',
    ]);
    const csv = await runCli([
      'report',
      'funnel',
      '--portal',
      url,
      '--state',
      stateDir,
      ...PERIOD,
      '--format',
      'csv',
    ]);
    const records: string[][] = parse(csv.stdout, { relax_column_count: true });
    const reachedColumn = records[0]!.indexOf('Reached');
    // The first table (the funnel) ends at the empty record; failure stages have no reach.
    const funnel = records.slice(
      1,
      records.findIndex((r) => r.length === 1 && r[0] === ''),
    );
    const fromCsv = funnel.filter((r) => r[reachedColumn] !== '').map((r) => Number(r[reachedColumn]));
    const fromChart = [...html.stdout.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(fromChart.slice(0, fromCsv.length)).toEqual(fromCsv);
    expect(fromCsv).toEqual([5, 2, 2, 2, 2, 2]); // five in-progress stages and the success stage
    expect(fromChart).toHaveLength(fromCsv.length);
  });
});

describe('writeReports (the body of a scheduled reports job)', () => {
  it('writes each chosen report in each format to the folder, named by the period end', async () => {
    const dir = join(stateDir, 'out');
    const client = createClient({ connection: { kind: 'webhook', url }, rateLimit: 'off' });
    try {
      const written = await writeReports(client, {
        reports: ['managers', 'receivables'],
        dir,
        formats: ['csv', 'html'],
        excel: true,
        from: '2026-01-01',
        to: '2026-01-31',
      });
      expect(written.map((w) => w.file.slice(dir.length + 1))).toEqual([
        'managers-2026-01-31.csv',
        'managers-2026-01-31.html',
        'receivables-2026-01-31.csv',
        'receivables-2026-01-31.html',
      ]);
    } finally {
      client.close();
    }
    expect(readdirSync(dir).sort()).toHaveLength(4);
    const csv: string[][] = parse(readFileSync(join(dir, 'managers-2026-01-31.csv'), 'utf8'), {
      delimiter: ';',
      bom: true,
    });
    expect(csv[1]?.slice(0, 6)).toEqual(['Петрова Мария', '2', '1', '0', '1', '100']);
    expect(csv[2]?.slice(0, 6)).toEqual(['Иванов Иван', '3', '1', '1', '1', '50']);
    expect(readFileSync(join(dir, 'receivables-2026-01-31.html'), 'utf8')).toContain('ООО «Ромашка»');
  });
});
