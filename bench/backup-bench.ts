/**
 * Benchmark of `backup create` (issue 7): a local portal with 100,000 deals plus related entities
 * (20,000 contacts, 5,000 companies, a smart process with 10,000 items), backed up in full by a
 * separate process, so its peak RSS is the backup's own and not the portal's.
 *
 *   backup_rows         rows written (every entity of the snapshot)
 *   backup_requests     REST requests the backup took (chained lists: 2,500 rows a request; deal
 *                       contacts and timeline comments: one list per owner, 50 owners a request)
 *   backup_seconds      wall time of the backup
 *   backup_peak_rss_mb  peak RSS of the backing-up process, its V8 heap capped at 64 MB (rows
 *                       stream to gzip files, so the cap holds at any portal size)
 *   backup_bytes        size of the snapshot on disk
 *
 * The portal runs in this process, seeded in bulk (no HTTP), with no request limit (a box portal);
 * the worker is this file run again with `--worker <webhook> <dir>`.
 *
 *   node dist/bench/backup-bench.js   -> prints the JSON fields
 *   benchBackup({ deals: 100_000 })   -> the same, for bench/run-bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackup } from '../src/backup/create-backup.js';
import { systemClock } from '../src/clock.js';
import { seedRecords } from '../src/emulator/crm/records.js';
import { startLocalPortal } from '../src/emulator/start-local-portal.js';
import { createClient } from '../src/rest/client.js';

export interface BackupBench {
  backup_rows: number;
  backup_requests: number;
  backup_seconds: number;
  backup_peak_rss_mb: number;
  backup_bytes: number;
}

const round = (n: number): number => Math.round(n * 100) / 100;
const HEAP_CAP_MB = 64;

/** The worker: one full backup, then its figures as one JSON line. */
async function worker(webhookUrl: string, root: string): Promise<void> {
  const client = createClient({ connection: { kind: 'webhook', url: webhookUrl }, rateLimit: 'off' });
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await createBackup({
      client,
      root,
      portal: client.portal,
      kind: 'full',
      version: 'bench',
      clock: systemClock,
      download: async (url) => (await client.download(url)).content,
    });
    // maxRSS is in kilobytes (process.resourceUsage); the sampled peak covers platforms without it.
    const maxRss = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const figures: BackupBench = {
      backup_rows: result.rows,
      backup_requests: result.requests,
      backup_seconds: round(result.seconds),
      backup_peak_rss_mb: round(maxRss / 1024 / 1024),
      backup_bytes: result.bytes,
    };
    process.stdout.write(JSON.stringify(figures) + '\n');
  } finally {
    clearInterval(timer);
    client.close();
  }
}

function runWorker(webhookUrl: string, root: string): Promise<BackupBench> {
  // The V8 heap capped at 64 MB, as the export bench does: a backup that held rows would die here.
  const argv = [
    `--max-old-space-size=${HEAP_CAP_MB}`,
    fileURLToPath(import.meta.url),
    '--worker',
    webhookUrl,
    root,
  ];
  const child = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`backup worker exited with ${code}`));
      else resolve(JSON.parse(last) as BackupBench);
    });
  });
}

export async function benchBackup(options: { deals?: number } = {}): Promise<BackupBench> {
  const deals = options.deals ?? 100_000;
  const lp = await startLocalPortal({ port: 0, rateLimit: 'off' });
  const root = mkdtempSync(join(tmpdir(), 'b24lab-backup-bench-'));
  const client = createClient({ connection: { kind: 'webhook', url: lp.webhookUrl }, rateLimit: 'off' });
  try {
    const companies = seedRecords(
      lp.portal,
      4,
      Array.from({ length: deals / 20 }, (_, i) => ({ title: `ООО Лаборатория ${i + 1}` })),
    );
    const contacts = seedRecords(
      lp.portal,
      3,
      Array.from({ length: deals / 5 }, (_, i) => ({
        name: `Контакт ${i + 1}`,
        lastName: 'Тестовый',
        companyId: companies[i % companies.length],
      })),
    );
    for (let from = 0; from < deals; from += 10_000) {
      seedRecords(
        lp.portal,
        2,
        Array.from({ length: Math.min(10_000, deals - from) }, (_, k) => {
          const i = from + k;
          return {
            title: `Сделка №${i + 1}`,
            opportunity: (i % 1000) * 1250,
            companyId: companies[i % companies.length],
            contactId: contacts[i % contacts.length],
          };
        }),
      );
    }
    const { type } = await client.call<{ type: { entityTypeId: number } }>('crm.type.add', {
      fields: { title: 'Лаборатория', isCategoriesEnabled: 'Y', isStagesEnabled: 'Y' },
    });
    seedRecords(
      lp.portal,
      type.entityTypeId,
      Array.from({ length: deals / 10 }, (_, i) => ({ title: `Заявка ${i + 1}` })),
    );
    return await runWorker(lp.webhookUrl, root);
  } finally {
    client.close();
    await lp.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, webhookUrl, root] = process.argv.slice(2);
  if (flag === '--worker' && webhookUrl && root) {
    await worker(webhookUrl, root);
  } else {
    const deals = Number(process.env.BENCH_DEALS ?? 100_000);
    process.stdout.write(JSON.stringify(await benchBackup({ deals })) + '\n');
  }
}
