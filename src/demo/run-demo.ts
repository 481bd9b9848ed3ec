/**
 * `b24lab demo`: the whole product on a local portal in one run, no portal of your own needed.
 *
 *   local portal (in-process, Barnaul time) -> 90 people -> apply the shipped config (structure,
 *   pipelines, fields, «Лаборатория») -> clients and ~360 deals replayed over 180 days on the portal
 *   clock -> jobs: a baseline sync, a working day (working-day.ts: people act, syncs every five minutes
 *   carry the business processes through), control again after the clock moves on 16 and 31 days ->
 *   backup + verify -> reports (csv, html) -> doctor -> a summary with what each rule did.
 *
 * Deterministic: the portal clock is set to fixed dates and the company comes from a seed, so the same
 * seed gives the same portal and the same numbers. Everything the demo writes goes under `dir`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { LabConfig } from '../config/config-sections.js';
import { applyPortal } from '../provision/apply-portal.js';
import { readSnapshot } from '../provision/read-snapshot.js';
import { createBackup } from '../backup/create-backup.js';
import { verifySnapshot } from '../backup/verify-snapshot.js';
import { runJob } from '../jobs/run-job.js';
import type { JobResult } from '../jobs/run-job.js';
import { createReport } from '../reports/create-report.js';
import type { Report, ReportName } from '../reports/report-view.js';
import { writeReportFile } from '../reports/write-report.js';
import { runDoctor } from '../repair/run-doctor.js';
import { loadRepairSetup } from '../repair/repair-setup.js';
import { createClient } from '../rest/client.js';
import { openStateDb } from '../state/state-db.js';
import { processIsAlive } from '../state/job-locks.js';
import type { Logger } from '../ui/logger.js';
import type { LocalPortal } from '../emulator/start-local-portal.js';
import { startLocalPortal } from '../emulator/start-local-portal.js';
import { generateCompany } from './generate-company.js';
import { seedBusiness, seedPeople } from './seed-portal.js';
import type { AfternoonCounts, MorningCounts } from './working-day.js';
import { workingAfternoon, workingMorning } from './working-day.js';
import type { SeedCounts } from './seed-portal.js';

const DAY = 86_400_000;
/** Barnaul, where the laboratory works (UTC+7). */
export const DEMO_TZ_OFFSET_MINUTES = 420;
/** Day 0 of the simulated half-year (portal time). */
export const DEMO_START = Date.parse('2026-03-02T09:00:00+07:00');
export const DEMO_DAYS = 180;

export type DemoStep = 'portal' | 'people' | 'apply' | 'business' | 'jobs' | 'backup' | 'reports' | 'doctor';

export interface DemoOptions {
  dir: string;
  config: LabConfig;
  configDir: string;
  seed: number;
  /** How many deals to generate (default 360: "a few hundred"). */
  deals?: number;
  version: string;
  clock: Clock;
  logger: Logger;
  /** Keep the portal open after the run (the caller closes it). */
  keepRunning: boolean;
  /** Report rendering comes from src/ui/ through the command. */
  renderReport: (
    made: { report: Report; offsetMinutes: number; generatedAt: string },
    format: 'csv' | 'html',
  ) => string;
  onStep?: (step: DemoStep, detail: string) => void;
}

export interface DemoJobRun {
  job: string;
  at: string;
  /** Runs folded into this line (the working day's syncs, five minutes apart). */
  runs: number;
  firings: number;
  actions: Record<string, number>;
}

export interface DemoSummary {
  seed: number;
  dir: string;
  seconds: number;
  provisioned: { created: number; updated: number };
  seeded: SeedCounts;
  jobs: DemoJobRun[];
  /** What people did on the working day the business processes reacted to. */
  workingDay: MorningCounts & AfternoonCounts;
  /** Actions carried out, by rule (all runs). */
  rules: Record<string, number>;
  notifications: number;
  tasks: number;
  backup: { path: string; rows: number; bytes: number; verified: boolean };
  reports: { name: string; files: string[] }[];
  doctor: { findings: number; byCheck: Record<string, number> };
  /** With --keep-running: the webhook of the portal left open. */
  webhookUrl?: string;
}

export interface DemoRun {
  summary: DemoSummary;
  /** Open only with keepRunning. */
  portal: LocalPortal | undefined;
}

function jobRun(results: JobResult[], at: string): DemoJobRun {
  const actions: Record<string, number> = {};
  for (const result of results)
    for (const [k, n] of Object.entries(result.counts)) if (n > 0) actions[k] = (actions[k] ?? 0) + n;
  return {
    job: results[0]?.job ?? '',
    at,
    runs: results.length,
    firings: results.reduce((sum, r) => sum + r.firings, 0),
    actions,
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const started = options.clock.now();
  const step = (s: DemoStep, detail: string): void => {
    options.onStep?.(s, detail);
    options.logger.debug('demo step', { step: s, detail });
  };
  // A fresh demo each run: the state (ledger, checkpoints) of an earlier run would not match a new portal.
  const stateDir = join(options.dir, 'state');
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  step('portal', 'starting the local portal');
  const portal = await startLocalPortal({
    port: 0,
    timezoneOffsetMinutes: DEMO_TZ_OFFSET_MINUTES,
    clock: options.clock,
  });
  const client = createClient({
    connection: { kind: 'webhook', url: portal.webhookUrl },
    stateDir,
    rateLimit: 'off',
    clock: options.clock,
  });
  const state = openStateDb(stateDir);
  const setClock = (ms: number): Promise<unknown> =>
    client.call('b24lab.clock.set', { time: new Date(ms).toISOString() });
  try {
    const data = generateCompany(options.config, options.seed, options.deals ?? 360, DEMO_DAYS);
    await setClock(DEMO_START - 7 * DAY);
    step('people', `${data.people.length} employees`);
    const users = await seedPeople(client, data);

    step('apply', 'provisioning the shipped configuration');
    const applied = await applyPortal({
      client,
      configDir: options.configDir,
      stateDir,
      allowDeletes: false,
      dryRun: false,
      now: () => options.clock.now(),
      show: () => {},
      confirm: () => Promise.resolve(true),
    });
    const plan = applied.plan.summary;

    step('business', `${data.deals.length} deals over ${DEMO_DAYS} days`);
    const snapshot = await readSnapshot(client);
    const seeded = await seedBusiness(client, {
      data,
      users,
      snapshot,
      departments: options.config.departments ?? [],
      start: DEMO_START,
    });

    // The jobs: a first sync at the end of the half-year (its baseline), then control runs as the
    // clock moves on, so forgotten deals reach their 15- and 30-day escalations.
    const env = {
      client,
      state,
      config: options.config,
      clock: options.clock,
      logger: options.logger,
      process: { pid: process.pid, host: hostname(), isAlive: processIsAlive },
    };
    const jobs: DemoJobRun[] = [];
    const rules: Record<string, number> = {};
    const end = DEMO_START + DEMO_DAYS * DAY;
    const run = async (name: string, at: number, times = 1): Promise<void> => {
      const results: JobResult[] = [];
      for (let i = 0; i < times; i++) {
        // Runs of a series are five minutes apart, like `*/5` in cron.
        await setClock(at + i * 5 * 60_000);
        step(
          'jobs',
          `${name} at day +${Math.round((at - end) / DAY)}${times > 1 ? ` (run ${i + 1} of ${times})` : ''}`,
        );
        const result = await runJob(name, env);
        for (const a of result.actions)
          if (a.outcome === 'done') rules[a.ruleId] = (rules[a.ruleId] ?? 0) + 1;
        results.push(result);
      }
      jobs.push(jobRun(results, new Date(at).toISOString()));
    };
    // The first sync at the end of the half-year takes its baseline; then a working day: the people's
    // morning, the syncs every five minutes that carry the business processes through their chains
    // (payment -> production -> lab item -> tasks), the afternoon, more syncs.
    await run('sync', end);
    await run('control', end);
    const day = { data, users };
    await setClock(end + 3_600_000);
    const morning = await workingMorning(client, day);
    await run('sync', end + 3_600_000 + 60_000, 6);
    await setClock(end + 5 * 3_600_000);
    const afternoon = await workingAfternoon(client, day);
    await run('sync', end + 5 * 3_600_000 + 60_000, 4);
    // Then the clock moves on, so forgotten deals reach their 15- and 30-day escalations.
    for (const offsetDays of [16, 31]) {
      await run('sync', end + offsetDays * DAY);
      await run('control', end + offsetDays * DAY);
    }
    const notifications = (await client.callEnvelope('b24lab.notifications.list')).total ?? 0;
    const tasks = (await client.callEnvelope('tasks.task.list', { select: ['ID'] })).total ?? 0;

    step('backup', 'full backup and verify');
    const backupRoot = join(options.dir, 'backups');
    rmSync(backupRoot, { recursive: true, force: true });
    const backup = await createBackup({
      client,
      root: backupRoot,
      portal: client.portal,
      kind: 'full',
      version: options.version,
      clock: options.clock,
      download: async (url) => (await client.download(url)).content,
    });
    const verified = await verifySnapshot(backup.path);

    step('reports', 'managers, receivables, funnel, projects');
    const reportDir = join(options.dir, 'reports');
    mkdirSync(reportDir, { recursive: true });
    const reports: { name: string; files: string[] }[] = [];
    const from = new Date(DEMO_START).toISOString().slice(0, 10);
    const to = new Date(end + 31 * DAY).toISOString().slice(0, 10);
    for (const name of ['managers', 'receivables', 'funnel', 'projects'] as ReportName[]) {
      const made = await createReport(client, { name, from, to, config: options.config });
      const files: string[] = [];
      for (const format of ['csv', 'html'] as const) {
        const file = join(reportDir, `${name}.${format}`);
        writeReportFile(file, options.renderReport(made, format));
        files.push(file);
      }
      reports.push({ name, files });
    }

    step('doctor', 'checking the portal');
    const doctor = await runDoctor(client, {
      ...loadRepairSetup(options.configDir, stateDir),
      now: options.clock.now(),
    });
    const byCheck: Record<string, number> = {};
    for (const check of doctor.checks)
      if (check.findings.length > 0) byCheck[check.name] = check.findings.length;

    const summary: DemoSummary = {
      seed: options.seed,
      dir: options.dir,
      seconds: Math.round((options.clock.now() - started) / 100) / 10,
      provisioned: { created: plan.create, updated: plan.update },
      seeded,
      jobs,
      workingDay: { ...morning, ...afternoon },
      rules: Object.fromEntries(Object.entries(rules).sort(([a], [b]) => a.localeCompare(b))),
      notifications,
      tasks,
      backup: { path: backup.path, rows: backup.rows, bytes: backup.bytes, verified: verified.ok },
      reports,
      doctor: { findings: Object.values(byCheck).reduce((a, b) => a + b, 0), byCheck },
      ...(options.keepRunning ? { webhookUrl: portal.webhookUrl } : {}),
    };
    return { summary, portal: options.keepRunning ? portal : undefined };
  } finally {
    state.close();
    client.close();
    if (!options.keepRunning) await portal.close();
  }
}
