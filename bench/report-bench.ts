/**
 * Benchmark of `b24lab report managers` over 100,000 deals (issue 8): rows streamed, REST requests,
 * wall time and the peak resident memory of the reporting process.
 *
 * The local portal runs in this process and is seeded in bulk (seedRecords: one transaction, no
 * HTTP); the report runs in a child process that talks to it over loopback HTTP, so the child's peak
 * RSS (process.resourceUsage().maxRSS) is the report's alone, not the portal's or the seeding's.
 *
 *   node dist/bench/report-bench.js            -> prints the JSON fields
 *   benchReports({ deals: 100_000 })           -> the same, for bench/run-bench.ts
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { seedRecords } from '../src/emulator/crm/records.js';
import { startLocalPortal } from '../src/emulator/start-local-portal.js';
import { createClient } from '../src/rest/client.js';
import { createReport } from '../src/reports/create-report.js';

export interface ReportBench {
  report_rows: number;
  report_requests: number;
  report_seconds: number;
  report_peak_rss_mb: number;
}

const DAY = 86_400_000;
const MANAGERS = 20;

export async function benchReports(options: { deals?: number } = {}): Promise<ReportBench> {
  const count = options.deals ?? 100_000;
  const lp = await startLocalPortal({ port: 0, rateLimit: 'off' });
  try {
    const client = createClient({ connection: { kind: 'webhook', url: lp.webhookUrl }, rateLimit: 'off' });
    const users = await client.batch<number>(
      Array.from({ length: MANAGERS }, (_, i) => ({
        method: 'user.add',
        params: {
          NAME: `Менеджер`,
          LAST_NAME: `№${i + 1}`,
          EMAIL: `m${i + 1}@bench.local`,
          UF_DEPARTMENT: [1],
        },
      })),
    );
    const userIds = users.map((u) => (u.ok ? Number(u.result) : 1));
    for (const [name, type] of [
      ['PAID_AMOUNT', 'double'],
      ['REMAINING_AMOUNT', 'double'],
      ['RESULTS_SENT_DATE', 'date'],
      ['FEEDBACK', 'string'],
    ] as const) {
      await client.call('crm.deal.userfield.add', { fields: { FIELD_NAME: name, USER_TYPE_ID: type } });
    }
    client.close();
    const now = lp.portal.now();
    // A deterministic spread: created over the last 90 days; 40 % won, 20 % lost, the rest in work.
    for (let start = 0; start < count; start += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, count - start) }, (_, j) => {
        const i = start + j;
        const created = now - ((i * 7919) % 90) * DAY - (i % 1000) * 1000;
        const kind = i % 5;
        const amount = 10_000 + ((i * 104_729) % 490_000);
        return {
          title: `Сделка ${i + 1}`,
          assignedById: userIds[i % MANAGERS],
          opportunity: amount,
          stageId: kind < 2 ? 'WON' : kind === 2 ? 'LOSE' : kind === 3 ? 'NEW' : 'EXECUTING',
          createdTime: created,
          movedTime: Math.min(now, created + ((i % 20) + 1) * DAY),
          ...(i % 10 === 0 ? { ufCrmPaidAmount: amount / 2, ufCrmRemainingAmount: amount / 2 } : {}),
          ...(i % 3 === 0 ? { ufCrmFeedback: 'Спасибо' } : {}),
        };
      });
      seedRecords(lp.portal, 2, rows);
    }
    return await measure(lp.webhookUrl);
  } finally {
    await lp.close();
  }
}

/** Runs the managers report in a child process and reads its figures from stdout. */
function measure(webhookUrl: string): Promise<ReportBench> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--measure', webhookUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`report bench child exited with ${code}`));
      else resolve(JSON.parse(out) as ReportBench);
    });
  });
}

/** The child: one managers report over the last 90 days, then its own figures. */
async function measureChild(webhookUrl: string): Promise<void> {
  const client = createClient({ connection: { kind: 'webhook', url: webhookUrl }, rateLimit: 'off' });
  const started = performance.now();
  let rows = 0;
  const server = await client.call<string>('server.time');
  const from = new Date(Date.parse(server) - 91 * DAY).toISOString().slice(0, 19) + '+00:00';
  const made = await createReport(client, {
    name: 'managers',
    from,
    onProgress: (p) => {
      if (p.phase === 'deals') rows = p.rows;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (made.report.report !== 'managers' || made.report.rows.length !== MANAGERS) {
    throw new Error('the bench report does not have a line per manager');
  }
  const result: ReportBench = {
    report_rows: rows,
    report_requests: client.stats().requests,
    report_seconds: Math.round(seconds * 100) / 100,
    // maxRSS is in kilobytes.
    report_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  client.close();
  process.stdout.write(JSON.stringify(result));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const task =
    process.argv[2] === '--measure'
      ? measureChild(process.argv[3] ?? '')
      : benchReports().then((r) => {
          process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        });
  task.catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
