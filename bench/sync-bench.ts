/**
 * Benchmark of the `sync` job (issue 5): 100,000 deals in «Продажи», a checkpoint, then 1 % of them
 * moved to another stage; the measured run lists only what changed since the checkpoint (server-side
 * `>=updatedTime`, the chained fast list: 2,500 rows per request), diffs it against the last seen
 * values, and runs the event rules.
 *
 *   sync_rows       records the measured run listed (the changed 1 % plus what the overlap re-lists)
 *   sync_requests   REST requests of the measured run (server.time, catalog, org chart, the list)
 *   sync_seconds    its wall time
 *   sync_baseline_seconds   the first run over all 100,000 (remembers them, acts on nothing)
 *
 * The local portal runs in this process, seeded in bulk (no HTTP); the job talks to it over loopback
 * HTTP like any portal, with the shared limiter off (a box portal has no request limit).
 *
 *   node dist/bench/sync-bench.js   -> prints the JSON fields
 *   benchSync({ deals: 100_000 })   -> the same, for bench/run-bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load-config.js';
import { seedRecords } from '../src/emulator/crm/records.js';
import { startLocalPortal } from '../src/emulator/start-local-portal.js';
import type { JobEnvironment } from '../src/jobs/job-context.js';
import { runJob } from '../src/jobs/run-job.js';
import { createClient } from '../src/rest/client.js';
import { openStateDb } from '../src/state/state-db.js';
import { silentLogger } from '../src/ui/logger.js';

export interface SyncBench {
  sync_rows: number;
  sync_requests: number;
  sync_seconds: number;
  sync_baseline_seconds: number;
}

const DAY = 86_400_000;
const round = (n: number): number => Math.round(n * 100) / 100;

export async function benchSync(options: { deals?: number; changedShare?: number } = {}): Promise<SyncBench> {
  const count = options.deals ?? 100_000;
  const changed = Math.round(count * (options.changedShare ?? 0.01));
  const loaded = loadConfig('config');
  if (!loaded.ok) throw new Error('config/ does not load');
  const sales = loaded.config.pipelines?.find((p) => p.key === 'sales');
  if (!sales) throw new Error('config/ has no «Продажи» pipeline');
  // The sales rules only, and of those the ones that do not name the smart process: the bench portal
  // has no other pipeline and no «Лаборатория» (creating lab items is not what this bench measures).
  const config = {
    ...loaded.config,
    automation: {
      jobs: {},
      rules: (loaded.config.automation?.rules ?? []).filter(
        (r) =>
          'pipeline' in r.entity &&
          r.entity.pipeline === 'sales' &&
          !JSON.stringify([r.trigger, r.actions]).includes('"smartProcess"'),
      ),
    },
  };

  const lp = await startLocalPortal({ port: 0, rateLimit: 'off' });
  const dir = mkdtempSync(join(tmpdir(), 'b24lab-sync-bench-'));
  const client = createClient({ connection: { kind: 'webhook', url: lp.webhookUrl }, rateLimit: 'off' });
  const state = openStateDb(dir);
  try {
    const { category } = await client.call<{ category: { id: number } }>('crm.category.add', {
      entityTypeId: 2,
      fields: { name: sales.name, originId: 'sales' },
    });
    const id = Number(category.id);
    let sort = 11;
    for (const stage of sales.stages.filter((s) => s.semantics === 'process' && s.code !== 'NEW')) {
      await client.call('crm.status.add', {
        fields: { ENTITY_ID: `DEAL_STAGE_${id}`, STATUS_ID: stage.code, NAME: stage.name, SORT: sort++ },
      });
    }
    const now = lp.portal.now();
    for (let start = 0; start < count; start += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, count - start) }, (_, j) => {
        const i = start + j;
        const created = now - (30 + (i % 60)) * DAY;
        return {
          title: `Сделка ${i + 1}`,
          categoryId: id,
          stageId: `C${id}:${i % 2 === 0 ? 'NEGOTIATION' : 'PROD_GTI'}`,
          assignedById: 1,
          opportunity: 10_000 + (i % 100) * 1000,
          createdTime: created,
          movedTime: created + DAY,
          updatedTime: created + DAY,
        };
      });
      seedRecords(lp.portal, 2, rows);
    }

    const env: JobEnvironment = {
      client,
      state,
      config,
      clock: systemClock,
      logger: silentLogger,
      process: { pid: process.pid, host: hostname(), isAlive: () => true },
    };
    const baseline = await runJob('sync', env);
    if (baseline.scanned !== count)
      throw new Error(`the baseline listed ${baseline.scanned} of ${count} deals`);

    // An hour later, 1 % of the deals move on (no rule watches that stage: detection is measured).
    lp.portal.clock.advance(3_600_000);
    const auth = { userId: 1, key: 'webhook:1' };
    const step = Math.floor(count / changed);
    for (let k = 0; k < changed; k++) {
      lp.portal.call(
        'crm.deal.update',
        { id: 1 + k * step, fields: { STAGE_ID: `C${id}:PROD_ANALYTICS` } },
        auth,
      );
    }
    const measured = await runJob('sync', env);
    if (measured.events < changed) throw new Error(`the sync saw ${measured.events} of ${changed} changes`);
    return {
      sync_rows: measured.scanned,
      sync_requests: measured.requests,
      sync_seconds: round(measured.durationMs / 1000),
      sync_baseline_seconds: round(baseline.durationMs / 1000),
    };
  } finally {
    state.close();
    client.close();
    await lp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchSync()
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    });
}
