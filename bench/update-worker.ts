/**
 * A b24lab process that updates deals `from`..`from + count - 1` through client.batch (50 commands a
 * request, the shared limiter in `stateDir`). Prints one JSON line: calls, ok, requests, refused503,
 * seconds, start/end (epoch ms, to show two workers overlapped).
 *
 * Argument (JSON): { url, stateDir, from, count, tag }
 */
import { systemClock } from '../src/clock.js';
import { createClient } from '../src/rest/client.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  stateDir: string;
  from: number;
  count: number;
  tag: string;
};
const client = createClient({
  connection: { kind: 'webhook', url: args.url },
  stateDir: args.stateDir,
  rateLimit: 'standard',
});
const start = systemClock.now();
const outcomes = await client.batch(
  Array.from({ length: args.count }, (_, i) => ({
    method: 'crm.deal.update',
    params: {
      id: args.from + i,
      fields: { TITLE: `Сделка ${args.from + i} (${args.tag})`, OPPORTUNITY: 1000 + i },
    },
  })),
);
const end = systemClock.now();
const stats = client.stats();
client.close();
process.stdout.write(
  JSON.stringify({
    calls: args.count,
    ok: outcomes.filter((o) => o.ok).length,
    requests: stats.requests,
    refused503: stats.refused503,
    seconds: (end - start) / 1000,
    start,
    end,
  }) + '\n',
);
