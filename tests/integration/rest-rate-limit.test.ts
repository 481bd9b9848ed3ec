import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { createClient } from '../../src/rest/client.js';
import type { B24Client } from '../../src/rest/client.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { tempDir } from './rest-helpers.js';

let portal: LocalPortal | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) f();
  await portal?.close();
  portal = undefined;
});

/**
 * A small, fast bucket on the real clock (the portal's and the client's): the client's pacing is the
 * behaviour under test, so these tests take a few seconds of it; the tests themselves never sleep.
 */
const BUCKET = { burst: 20, drain: 20 };

async function refused(p: LocalPortal): Promise<number> {
  return ((await callOk(p.webhookUrl, 'b24lab.stats.get')) as { refused503: number }).refused503;
}

function client(p: LocalPortal, options: Partial<Parameters<typeof createClient>[0]> = {}): B24Client {
  const c = createClient({
    connection: { kind: 'webhook', url: p.webhookUrl },
    rateLimit: '20/20',
    ...options,
  });
  cleanup.push(() => c.close());
  return c;
}

describe('the limiter against a rate-limited portal', () => {
  it('is never refused: 50 concurrent calls and 10 batches through one client', async () => {
    portal = await portalForTest({ rateLimit: BUCKET });
    const c = client(portal);
    const started = Date.now();
    await Promise.all(Array.from({ length: 50 }, () => c.call('server.time')));
    const outcomes = await c.batch(
      Array.from({ length: 500 }, (_, i) => ({ method: 'user.get', params: { ID: (i % 2) + 1 } })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(500);
    expect(await refused(portal)).toBe(0);
    expect(c.stats()).toMatchObject({ requests: 60, retries: 0, refused503: 0 });
    // It went at the bucket's pace, not faster: 60 requests, 14 in the burst, then 20 per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((60 - 14) / 20) * 1000);
  });

  it('is refused without the limiter (the control), and recovers reads from those 503s', async () => {
    portal = await portalForTest({ rateLimit: BUCKET });
    const c = client(portal, { rateLimit: 'off' });
    await Promise.all(Array.from({ length: 30 }, () => c.call('server.time')));
    expect(await refused(portal)).toBeGreaterThan(0);
    expect(c.stats().refused503).toBeGreaterThan(0);
  });

  it('shares the bucket between two client instances with separate limiter objects on one state directory', async () => {
    portal = await portalForTest({ rateLimit: BUCKET });
    const state = tempDir();
    cleanup.push(state.remove);
    const a = client(portal, { stateDir: state.path });
    const b = client(portal, { stateDir: state.path });
    await Promise.all([
      ...Array.from({ length: 25 }, () => a.call('server.time')),
      ...Array.from({ length: 25 }, () => b.call('server.time')),
      a.batch(Array.from({ length: 200 }, () => ({ method: 'server.time' }))),
      b.batch(Array.from({ length: 200 }, () => ({ method: 'server.time' }))),
    ]);
    expect(a.stats().requests + b.stats().requests).toBe(58);
    expect(await refused(portal)).toBe(0);
    expect(a.stats().refused503 + b.stats().refused503).toBe(0);
  });

  it('the control: two clients with separate state directories overflow the portal', async () => {
    portal = await portalForTest({ rateLimit: BUCKET });
    const one = tempDir();
    const two = tempDir();
    cleanup.push(one.remove, two.remove);
    const a = client(portal, { stateDir: one.path });
    const b = client(portal, { stateDir: two.path });
    await Promise.all([
      ...Array.from({ length: 14 }, () => a.call('server.time')),
      ...Array.from({ length: 14 }, () => b.call('server.time')),
    ]);
    expect(await refused(portal)).toBeGreaterThan(0);
  });

  it('two real b24lab processes at once on one portal and one state directory: no 503, every write once', async () => {
    portal = await portalForTest({ rateLimit: BUCKET });
    const state = tempDir();
    cleanup.push(state.remove);
    const counter = client(portal, { stateDir: state.path });
    const count = async (): Promise<number> => {
      let n = 0;
      for await (const _ of counter.list('department.get')) n++;
      return n;
    };
    const departmentsBefore = await count();
    const spawnWorker = (tag: string) => {
      const args = JSON.stringify({
        url: portal!.webhookUrl,
        stateDir: state.path,
        rateLimit: '20/20',
        reads: 20,
        writes: 120,
        tag,
      });
      const child = spawn(
        process.execPath,
        ['node_modules/vite-node/vite-node.mjs', 'tests/integration/rest-worker.ts', args],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      cleanup.push(() => child.kill());
      const lines = createInterface({ input: child.stdout });
      const iterator = lines[Symbol.asyncIterator]();
      return {
        child,
        next: async () => String((await iterator.next()).value ?? ''),
      };
    };
    const workers = [spawnWorker('a'), spawnWorker('b')];
    for (const w of workers) expect(await w.next()).toBe('ready');
    for (const w of workers) w.child.stdin.write('go\n');
    const results = (await Promise.all(workers.map((w) => w.next()))).map(
      (line) =>
        JSON.parse(line) as {
          start: number;
          end: number;
          written: number;
          stats: { requests: number; refused503: number };
        },
    );
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    // They really ran at the same time, and together sent more than the burst.
    expect(a.start).toBeLessThan(b.end);
    expect(b.start).toBeLessThan(a.end);
    expect(a.stats.requests + b.stats.requests).toBe(2 * (20 + 3));
    expect(a.stats.refused503 + b.stats.refused503).toBe(0);
    expect(await refused(portal)).toBe(0);
    expect(a.written + b.written).toBe(240);
    expect((await count()) - departmentsBefore).toBe(240);
    expect(await refused(portal)).toBe(0);
  });
});
