import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { createClient } from '../../src/rest/client.js';
import type { B24Client } from '../../src/rest/client.js';
import { B24Error } from '../../src/rest/errors.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { seedUsers, virtualClock } from './rest-helpers.js';

let portal: LocalPortal;
let client: B24Client;
const clock = virtualClock(); // retries back off on it: no real waiting

beforeAll(async () => {
  portal = await portalForTest();
  seedUsers(portal, 3_000);
});
afterAll(async () => {
  await portal.close();
});
beforeEach(() => {
  client?.close();
  client = createClient({ connection: { kind: 'webhook', url: portal.webhookUrl }, clock });
});

const faults = (spec: string): Promise<unknown> => callOk(portal.webhookUrl, 'b24lab.faults.set', { spec });
const usersWithEmail = async (email: string): Promise<number> =>
  ((await callOk(portal.webhookUrl, 'user.get', { FILTER: { EMAIL: email } })) as unknown[]).length;
const departmentsNamed = async (prefix: string): Promise<number> => {
  let n = 0;
  for await (const d of client.list<{ NAME: string }>('department.get')) if (d.NAME.startsWith(prefix)) n++;
  return n;
};

async function caught(p: Promise<unknown>): Promise<B24Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof B24Error) return e;
    throw e;
  }
  throw new Error('expected a B24Error');
}

describe('writes are never repeated blindly', () => {
  it('a write answered with a dropped connection is not repeated: one record, one request', async () => {
    await faults('drop@1');
    const e = await caught(
      client.call('user.add', { EMAIL: 'dropped@lab.test', NAME: 'Иван', UF_DEPARTMENT: [1] }),
    );
    expect(e).toMatchObject({ code: 'NETWORK_ERROR', networkCode: 'ECONNRESET', method: 'user.add' });
    expect(e.hint).toMatch(/may have run/);
    expect(client.stats()).toMatchObject({ requests: 1, retries: 0 });
    await faults('');
    expect(await usersWithEmail('dropped@lab.test')).toBe(1);
  });

  it('a batch of writes whose connection dropped is not repeated either; every command reports it', async () => {
    await faults('drop@1');
    const outcomes = await client.batch(
      ['А', 'Б', 'В'].map((n) => ({ method: 'department.add', params: { NAME: `Сброс ${n}`, PARENT: 1 } })),
    );
    expect(outcomes.every((o) => !o.ok && o.error.networkCode === 'ECONNRESET')).toBe(true);
    expect(client.stats().requests).toBe(1);
    await faults('');
    expect(await departmentsNamed('Сброс ')).toBe(3);
  });

  it('a write refused with 503 (provably not run) is retried and lands exactly once', async () => {
    await faults('503@1');
    const id = await client.call<number>('user.add', { EMAIL: 'retried@lab.test', UF_DEPARTMENT: [1] });
    expect(id).toBeGreaterThan(1);
    expect(client.stats()).toMatchObject({ requests: 2, retries: 1 });
    expect(await usersWithEmail('retried@lab.test')).toBe(1);
  });

  it('a write whose connection was cut before an answer surfaces (b24lab cannot know it did not run)', async () => {
    await faults('refuse@1');
    const e = await caught(client.call('user.add', { EMAIL: 'refused@lab.test', UF_DEPARTMENT: [1] }));
    expect(e.networkCode).toBe('ECONNRESET');
    expect(client.stats().requests).toBe(1);
    expect(await usersWithEmail('refused@lab.test')).toBe(0);
  });
});

describe('reads recover', () => {
  it('from an injected 503, a 500 and a cut connection', async () => {
    await faults('503@1,500@2,refuse@3');
    expect(await client.call('user.current')).toMatchObject({ ID: '1' });
    expect(client.stats()).toMatchObject({ requests: 4, retries: 3, refused503: 1 });
  });

  it('an export under random faults still returns exactly every row', async () => {
    await faults('503=0.2,500=0.2,refuse=0.1');
    const ids = new Set<string>();
    const summary = await client.export<{ ID: string }>('user.get', {}, (u) => void ids.add(u.ID));
    await faults('');
    expect(summary.rows).toBe(summary.total);
    expect(ids.size).toBe(summary.rows);
    expect(summary.rows).toBeGreaterThanOrEqual(3_001);
    expect(client.stats().retries).toBeGreaterThan(0);
  });

  it("gives up after the last attempt with the portal's error", async () => {
    await faults('500=1');
    const e = await caught(client.call('user.current'));
    await faults('');
    expect(e).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 });
    expect(client.stats()).toMatchObject({ requests: 6, retries: 5 });
  });
});

describe('operating limit', () => {
  it("waits for the method's budget to refill after 429 instead of failing", async () => {
    const limited = await portalForTest({ operatingLimit: 1e-9, clock });
    const c = createClient({ connection: { kind: 'webhook', url: limited.webhookUrl }, clock });
    const before = clock.now();
    await c.call('user.get'); // spends the (tiny) budget
    expect(await c.call('user.get')).toHaveLength(1); // 429, then waits for operating_reset_at
    expect(c.stats()).toMatchObject({ requests: 3, retries: 1 });
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    c.close();
    await limited.close();
  });
});
