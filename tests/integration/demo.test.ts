import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadJobConfig } from '../../src/jobs/job-environment.js';
import { runDemo } from '../../src/demo/run-demo.js';
import type { DemoRun, DemoSummary } from '../../src/demo/run-demo.js';
import { callOk } from '../helpers/local-portal.js';
import { silentLogger } from '../../src/ui/logger.js';
import { renderReport } from '../../src/ui/report-render.js';
import { runCli } from '../helpers/cli.js';

const config = loadJobConfig('config');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function demo(seed: number, keepRunning = false): Promise<DemoRun> {
  const dir = mkdtempSync(join(tmpdir(), 'b24lab-demo-'));
  dirs.push(dir);
  const run = await runDemo({
    dir,
    config,
    configDir: 'config',
    seed,
    deals: 80,
    version: 'test',
    clock: systemClock,
    logger: silentLogger,
    keepRunning,
    renderReport: (made, format) =>
      renderReport(made.report, { format, offsetMinutes: made.offsetMinutes, generatedAt: made.generatedAt }),
  });
  return run;
}

/** What must repeat for a seed: everything but where the files went and how long it took. */
function comparable(s: DemoSummary): unknown {
  // The gzip size of the backup varies by a byte or two with the timestamps inside it.
  return {
    ...s,
    dir: undefined,
    seconds: undefined,
    backup: { ...s.backup, path: undefined, bytes: undefined },
    reports: s.reports.map((r) => r.name),
  };
}

describe('b24lab demo', () => {
  it('provisions, seeds, runs the jobs, backs up, reports and checks, the same for the same seed', async () => {
    const run = await demo(5, true);
    const first = run.summary;
    // The summary's numbers are the portal's: read them back from the portal left running.
    const url = first.webhookUrl!;
    const total = async (method: string, params: Record<string, unknown> = {}): Promise<number> => {
      const response = await fetch(`${url}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
      return ((await response.json()) as { total: number }).total;
    };
    expect(await total('crm.deal.list')).toBe(first.seeded.deals + first.workingDay.newRequests);
    expect(await total('crm.company.list')).toBe(first.seeded.companies);
    expect(await total('crm.contact.list')).toBe(first.seeded.contacts);
    expect(await total('user.get', { ADMIN_MODE: true })).toBe(first.seeded.users + 1);
    expect(await total('b24lab.notifications.list')).toBe(first.notifications);
    const lab = (await callOk(url, 'crm.type.list')).types.find(
      (t: { code: string }) => t.code === 'laboratory',
    );
    // The seeded lab items, and those the transfer-to-production rules made on the working day (each
    // carries its action's marker in xmlId).
    const labItems: { xmlId?: string | null; parentId2?: number }[] = [];
    for (let start = 0; ; start += 50) {
      const page = await callOk(url, 'crm.item.list', {
        entityTypeId: lab.entityTypeId,
        select: ['id', 'xmlId', 'parentId2'],
        start,
      });
      labItems.push(...(page.items as typeof labItems));
      if ((page.items as unknown[]).length < 50) break;
    }
    const made = labItems.filter((i) => i.xmlId?.startsWith('b24lab#'));
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((i) => (i.parentId2 ?? 0) > 0)).toBe(true);
    expect(labItems.length).toBe(first.seeded.labItems + made.length);
    expect(await total('tasks.task.list')).toBe(first.tasks);
    // Deals that reached production carry their documents (a contract and a specification).
    const { items } = await callOk(url, 'crm.item.list', {
      entityTypeId: 2,
      select: ['id', 'UF_CRM_DOCUMENTS'],
      useOriginalUfNames: 'Y',
    });
    const documents = (items as { UF_CRM_DOCUMENTS?: unknown[] }[]).filter((d) => d.UF_CRM_DOCUMENTS?.length);
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.every((d) => d.UF_CRM_DOCUMENTS!.length === 2)).toBe(true);
    await run.portal!.close();
    expect(first.provisioned.created).toBeGreaterThan(40);
    expect(first.seeded).toMatchObject({ users: 90, companies: 60, contacts: 120 });
    expect(first.seeded.deals).toBeGreaterThan(60);
    expect(first.jobs.map((j) => `${j.job} x${j.runs}`)).toEqual([
      'sync x1',
      'control x1',
      'sync x6',
      'sync x4',
      'sync x1',
      'control x1',
      'sync x1',
      'control x1',
    ]);
    // The baseline sync reports nothing; escalations fire at 15 and 30 days; a later run repeats none
    // of the earlier ones (what it finds settled is "already", never "done" again).
    expect(first.jobs[0]!.firings).toBe(0);
    const controls = first.jobs.filter((j) => j.job === 'control');
    expect(controls.some((j) => (j.actions.done ?? 0) > 0)).toBe(true);
    expect(controls[1]!.actions.already ?? 0).toBeGreaterThanOrEqual(controls[0]!.actions.done ?? 0);
    // The working day: people acted, and the business processes answered through the sync job.
    expect(first.workingDay).toMatchObject({ concludedContracts: 2, approvedContracts: 1 });
    expect(first.workingDay.newRequests).toBeGreaterThanOrEqual(4);
    expect(first.workingDay.paidInvoices).toBeGreaterThan(0);
    expect(first.workingDay.distributedLabItems).toBeGreaterThan(0);
    for (const rule of [
      'sales-new-request-notify',
      'remaining-amount-on-payment',
      'sales-invoice-paid',
      'contract-approval-request',
      'contract-approved',
      'procurement-contract-assign-task',
      'lab-distribute-task',
      'lab-preparation-task',
      'sales-qualified-control',
    ])
      expect(first.rules[rule], rule).toBeGreaterThan(0);
    const carried = first.jobs.reduce((sum, j) => sum + (j.actions.done ?? 0), 0);
    expect(Object.values(first.rules).reduce((a, b) => a + b, 0)).toBe(carried);
    expect(first.backup.verified).toBe(true);
    for (const report of first.reports) for (const file of report.files) expect(existsSync(file)).toBe(true);
    const managers = readFileSync(first.reports.find((r) => r.name === 'managers')!.files[0]!, 'utf8');
    expect(managers.split('\n').length).toBeGreaterThan(3);
    const second = (await demo(5)).summary;
    const { webhookUrl: _url, ...withoutUrl } = first;
    expect(comparable(second)).toEqual(comparable(withoutUrl));
  }, 120_000);

  it('refuses a bad seed with a one-line reason', async () => {
    const run = await runCli(['demo', '--seed', 'abc']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--seed must be a whole number');
  });
});
