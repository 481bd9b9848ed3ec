/**
 * `npm run bench`: the REST client at the rate-limit ceiling, against the local portal running as a
 * separate process (`b24lab portal serve --data <file> --rate-limit standard`), as a user would run it.
 * Progress goes to stderr; the LAST line of stdout is one JSON object with the figures:
 *
 *   export_rows, export_requests, rows_per_request, export_seconds   100,000 deals, chained batches
 *   export_peak_rss_mb, export_10k_peak_rss_mb                      peak RSS of the exporting process
 *                                                                   for 100k and 10k rows (flat; V8 heap
 *                                                                   capped at 64 MB, uncapped figures too)
 *   update_calls, update_requests, update_seconds,                  4,000 crm.deal.update under the
 *   update_floor_seconds, rejected_503                              50/2 bucket, and the physical floor
 *   two_process_*                                                   two processes at once, one portal
 *   portal_export_rows_per_second, seed_2000_seconds                the emulator itself
 *   report_*                                                        the managers report (bench/report-bench.ts)
 *   sync_rows, sync_requests, sync_seconds                          the automation sync job: 100,000 deals,
 *                                                                   1 % changed since its checkpoint
 *                                                                   (bench/sync-bench.ts)
 *
 * The 100,000-deal portal file is built once with the bulk seeding function and cached in bench-data/
 * (gitignored); each run works on a copy, so the cache stays as built.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedRecords } from '../src/emulator/crm/records.js';
import { startLocalPortal } from '../src/emulator/start-local-portal.js';
import { createClient } from '../src/rest/client.js';
import { RATE_PLANS, floorSeconds } from '../src/rest/limiter.js';
import { runWorker, startPortalProcess } from './portal-process.js';

const DEALS = 100_000;
const UPDATES = 4_000;
const HEAP_CAP_MB = 64;
const DATA_DIR = resolve('bench-data');
const DATA = join(DATA_DIR, `deals-${DEALS / 1000}k.sqlite`);
const STAGES = ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE'];

const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

interface ExportFigures {
  rows: number;
  total: number;
  requests: number;
  seconds: number;
  bytes: number;
  peak_rss_mb: number;
}
interface UpdateFigures {
  calls: number;
  ok: number;
  requests: number;
  refused503: number;
  seconds: number;
  start: number;
  end: number;
}

/** Builds the cached 100,000-deal portal with the bulk seeding function (no HTTP). */
async function ensureData(): Promise<number | null> {
  if (existsSync(DATA)) return null;
  mkdirSync(DATA_DIR, { recursive: true });
  const building = `${DATA}.building`;
  rmSync(building, { force: true });
  const started = performance.now();
  const lp = await startLocalPortal({ port: 0, data: building });
  for (let from = 0; from < DEALS; from += 10_000) {
    seedRecords(
      lp.portal,
      2,
      Array.from({ length: 10_000 }, (_, k) => {
        const i = from + k;
        return {
          title: `Сделка №${i + 1}`,
          opportunity: (i % 1000) * 1250,
          currencyId: 'RUB',
          stageId: STAGES[i % STAGES.length],
          comments: i % 10 === 0 ? 'Клиент просил перезвонить после праздников' : '',
        };
      }),
    );
  }
  lp.portal.store.db.pragma('wal_checkpoint(TRUNCATE)');
  await lp.close();
  renameSync(building, DATA);
  return (performance.now() - started) / 1000;
}

async function portalStats(url: string): Promise<{ refused503: number }> {
  const client = createClient({ connection: { kind: 'webhook', url }, rateLimit: 'off' });
  try {
    return await client.call<{ refused503: number }>('b24lab.stats.get');
  } finally {
    client.close();
  }
}

/** The emulator's own list speed: chained `>ID` pages straight through Portal.call, JSON included. */
async function portalRowsPerSecond(data: string): Promise<number> {
  const lp = await startLocalPortal({ port: 0, data });
  try {
    const auth = { userId: 1, key: 'webhook:1' };
    let after = 0;
    let rows = 0;
    const started = performance.now();
    for (;;) {
      const answer = lp.portal.call(
        'crm.deal.list',
        { filter: { '>ID': after }, order: { ID: 'ASC' }, start: -1 },
        auth,
      );
      const page = answer.output.result as { ID: string }[];
      JSON.stringify(answer.output.result);
      rows += page.length;
      if (page.length < 50) break;
      after = Number(page[49]?.ID);
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await lp.close();
  }
}

async function main(): Promise<void> {
  const seeded = await ensureData();
  log(seeded === null ? `using cached ${DATA}` : `built ${DATA} in ${round(seeded, 1)} s`);
  const work = mkdtempSync(join(tmpdir(), 'b24lab-bench-'));
  const data = join(work, 'portal.sqlite');
  copyFileSync(DATA, data);
  const figures: Record<string, unknown> = {};
  try {
    // 1. Export of 100,000 deals, timed, in its own process against a fresh portal bucket.
    let portal = await startPortalProcess({ data, rateLimit: 'standard' });
    const full = await runWorker<ExportFigures>('./export-worker.js', {
      url: portal.webhookUrl,
      stateDir: join(work, 'state-export'),
    }).done;
    const small = await runWorker<ExportFigures>('./export-worker.js', {
      url: portal.webhookUrl,
      stateDir: join(work, 'state-export'),
      limit: 10_000,
    }).done;
    log(
      `export 100k: ${full.rows} rows, ${full.requests} requests, ${round(full.seconds)} s, peak RSS ${full.peak_rss_mb} MB (10k: ${small.peak_rss_mb} MB)`,
    );
    let exportRefused = (await portalStats(portal.webhookUrl)).refused503;
    await portal.stop();
    // Peak RSS for 10k and 100k rows with the V8 heap capped at HEAP_CAP_MB: without the cap V8 grows
    // its heap lazily and the peak wanders by tens of MB; with it, 100k rows (about 100 MB of NDJSON)
    // still pass, which they could not if rows piled up.
    portal = await startPortalProcess({ data, rateLimit: 'standard' });
    const cap = [`--max-old-space-size=${HEAP_CAP_MB}`];
    const capped10k = await runWorker<ExportFigures>(
      './export-worker.js',
      { url: portal.webhookUrl, stateDir: join(work, 'state-rss'), limit: 10_000 },
      cap,
    ).done;
    const capped100k = await runWorker<ExportFigures>(
      './export-worker.js',
      { url: portal.webhookUrl, stateDir: join(work, 'state-rss') },
      cap,
    ).done;
    exportRefused += (await portalStats(portal.webhookUrl)).refused503;
    await portal.stop();
    log(
      `peak RSS with a ${HEAP_CAP_MB} MB heap: 10k rows ${capped10k.peak_rss_mb} MB, 100k rows ${capped100k.peak_rss_mb} MB`,
    );
    Object.assign(figures, {
      export_rows: full.rows,
      export_total: full.total,
      export_requests: full.requests,
      rows_per_request: round(full.rows / full.requests, 1),
      export_seconds: round(full.seconds),
      export_rows_per_second: Math.round(full.rows / full.seconds),
      export_mb: round(full.bytes / 1024 / 1024, 1),
      export_peak_rss_mb: capped100k.peak_rss_mb,
      export_10k_peak_rss_mb: capped10k.peak_rss_mb,
      export_rss_heap_cap_mb: HEAP_CAP_MB,
      export_peak_rss_uncapped_mb: full.peak_rss_mb,
      export_10k_peak_rss_uncapped_mb: small.peak_rss_mb,
      export_10k_requests: small.requests,
    });

    // 2. 4,000 updates under the 50/2 bucket, one process, a fresh portal bucket.
    portal = await startPortalProcess({ data, rateLimit: 'standard' });
    const update = await runWorker<UpdateFigures>('./update-worker.js', {
      url: portal.webhookUrl,
      stateDir: join(work, 'state-update'),
      from: 1,
      count: UPDATES,
      tag: 'bench',
    }).done;
    const updateRefused = (await portalStats(portal.webhookUrl)).refused503;
    await portal.stop();
    const floor = floorSeconds(update.requests, RATE_PLANS.standard);
    log(
      `update: ${update.ok}/${update.calls} in ${update.requests} requests, ${round(update.seconds)} s (floor ${floor} s), portal refused ${updateRefused}`,
    );
    Object.assign(figures, {
      update_calls: update.calls,
      update_ok: update.ok,
      update_requests: update.requests,
      update_seconds: round(update.seconds),
      update_floor_seconds: floor,
      rejected_503: updateRefused + exportRefused + update.refused503,
    });

    // 3. Two b24lab processes at once on one portal (standard bucket), sharing the state directory.
    portal = await startPortalProcess({ data, rateLimit: 'standard' });
    const shared = join(work, 'state-two');
    const half = UPDATES / 2;
    const [a, b] = await Promise.all([
      runWorker<UpdateFigures>('./update-worker.js', {
        url: portal.webhookUrl,
        stateDir: shared,
        from: 10_001,
        count: half,
        tag: 'A',
      }).done,
      runWorker<UpdateFigures>('./update-worker.js', {
        url: portal.webhookUrl,
        stateDir: shared,
        from: 20_001,
        count: half,
        tag: 'B',
      }).done,
    ]);
    const twoRefused = (await portalStats(portal.webhookUrl)).refused503;
    await portal.stop();
    const twoSeconds = (Math.max(a.end, b.end) - Math.min(a.start, b.start)) / 1000;
    const overlap = a.start < b.end && b.start < a.end;
    log(
      `two processes: ${a.ok + b.ok}/${a.calls + b.calls} in ${a.requests + b.requests} requests, ${round(twoSeconds)} s, overlapped ${overlap}, portal refused ${twoRefused}`,
    );
    Object.assign(figures, {
      two_process_calls: a.calls + b.calls,
      two_process_ok: a.ok + b.ok,
      two_process_requests: a.requests + b.requests,
      two_process_seconds: round(twoSeconds),
      two_process_floor_seconds: floorSeconds(a.requests + b.requests, RATE_PLANS.standard),
      two_process_overlapped: overlap,
      two_process_rejected_503: twoRefused + a.refused503 + b.refused503,
    });

    // 4. The emulator: list speed without HTTP, and a 2,000-command seed over HTTP (50 per batch).
    const rps = await portalRowsPerSecond(data);
    portal = await startPortalProcess({ rateLimit: 'off' });
    const client = createClient({
      connection: { kind: 'webhook', url: portal.webhookUrl },
      rateLimit: 'off',
      stateDir: join(work, 'state-seed'),
    });
    const seedStart = performance.now();
    const added = await client.batch(
      Array.from({ length: 2_000 }, (_, i) => ({
        method: 'crm.deal.add',
        params: { fields: { TITLE: `Новая сделка ${i}`, OPPORTUNITY: i } },
      })),
    );
    const seedSeconds = (performance.now() - seedStart) / 1000;
    client.close();
    await portal.stop();
    log(
      `emulator: ${Math.round(rps)} list rows/s; 2,000-command seed ${round(seedSeconds)} s (${added.filter((o) => o.ok).length} ok)`,
    );
    Object.assign(figures, {
      portal_export_rows_per_second: Math.round(rps),
      seed_2000_seconds: round(seedSeconds),
      seed_100k_bulk_seconds: seeded === null ? null : round(seeded, 1),
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  // 5. The managers report over 100,000 deals (bench/report-bench.ts), when present.
  if (!process.argv.includes('--skip-reports')) {
    try {
      const { benchReports } = await import('./report-bench.js');
      const report = await benchReports({ deals: DEALS });
      log(`report: ${JSON.stringify(report)}`);
      Object.assign(figures, report);
    } catch (e) {
      log(`report bench skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // 6. The automation sync over 100,000 deals, 1 % changed since its checkpoint (bench/sync-bench.ts).
  const { benchSync } = await import('./sync-bench.js');
  const sync = await benchSync({ deals: DEALS });
  log(`sync: ${JSON.stringify(sync)}`);
  Object.assign(figures, sync);
  // 7. A full backup of 100,000 deals plus related entities (bench/backup-bench.ts).
  const { benchBackup } = await import('./backup-bench.js');
  const backup = await benchBackup({ deals: DEALS });
  log(`backup: ${JSON.stringify(backup)}`);
  Object.assign(figures, backup);
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();
