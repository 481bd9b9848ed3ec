/**
 * One export in its own process, so its peak RSS is the export's alone: the same core as
 * `b24lab export deals` (runExport: chained batches, NDJSON lines), writing the lines nowhere.
 * Prints one JSON line: rows, requests, seconds, peak_rss_mb.
 *
 * Argument (JSON): { url, stateDir, limit? }
 */
import { systemClock } from '../src/clock.js';
import { runExport } from '../src/export/run-export.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { url: string; stateDir: string; limit?: number };
let bytes = 0;
const result = await runExport(
  { entity: 'deals', format: 'ndjson', ...(args.limit !== undefined ? { limit: args.limit } : {}) },
  {
    client: {
      connection: { kind: 'webhook', url: args.url },
      stateDir: args.stateDir,
      rateLimit: 'standard',
      clock: systemClock,
    },
    clock: systemClock,
    stdout: (line) => {
      bytes += line.length + 1;
    },
  },
);
process.stdout.write(
  JSON.stringify({
    rows: result.rows,
    total: result.total,
    requests: result.requests,
    seconds: result.seconds,
    bytes,
    peak_rss_mb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  }) + '\n',
);
