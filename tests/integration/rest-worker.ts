/**
 * A separate b24lab process for the two-process limiter test (rest-rate-limit.test.ts): builds a
 * client on the given portal and state directory, says "ready", waits for "go" on stdin (so two
 * workers really overlap), sends its calls, and prints one JSON line with its stats and timings.
 *
 * Arguments (JSON in argv[2]): { url, stateDir, rateLimit, reads, writes, tag }.
 */
import { createInterface } from 'node:readline';
import { createClient } from '../../src/rest/client.js';

interface Args {
  url: string;
  stateDir: string;
  rateLimit: string;
  reads: number;
  writes: number;
  tag: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const client = createClient({
  connection: { kind: 'webhook', url: args.url },
  stateDir: args.stateDir,
  rateLimit: args.rateLimit,
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();
const start = Date.now();
await Promise.all(Array.from({ length: args.reads }, (_, i) => client.call('user.get', { ID: (i % 3) + 1 })));
const outcomes = await client.batch(
  Array.from({ length: args.writes }, (_, i) => ({
    method: 'department.add',
    params: { NAME: `Отдел ${args.tag}-${i}`, PARENT: 1 },
  })),
);
const end = Date.now();
process.stdout.write(
  JSON.stringify({ start, end, stats: client.stats(), written: outcomes.filter((o) => o.ok).length }) + '\n',
);
client.close();
