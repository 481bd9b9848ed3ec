import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { createClient } from '../../src/rest/client.js';
import type { B24Client } from '../../src/rest/client.js';
import { B24Error } from '../../src/rest/errors.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { seedUsers, virtualClock } from './rest-helpers.js';

let portal: LocalPortal;
let client: B24Client;
const clock = virtualClock();

beforeAll(async () => {
  portal = await portalForTest({ clock });
  seedUsers(portal, 5_122); // with the admin: 5,123 users
  client = createClient({
    connection: { kind: 'webhook', url: portal.webhookUrl },
    clock,
    rateLimit: 'standard',
  });
});
afterAll(async () => {
  client.close();
  await portal.close();
});

async function caught(p: Promise<unknown>): Promise<B24Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof B24Error) return e;
    throw e;
  }
  throw new Error('expected a B24Error');
}

describe('call', () => {
  it('returns the result, and the envelope on request', async () => {
    expect(await client.call('user.current')).toMatchObject({ ID: '1', NAME: 'Администратор' });
    const envelope = await client.callEnvelope<unknown[]>('user.get', { FILTER: { '>ID': 5000 } });
    expect(envelope.result).toHaveLength(50);
    expect(envelope).toMatchObject({ total: 123, next: 50, time: { duration: expect.any(Number) } });
  });

  it('writes with nested parameters (Cyrillic, arrays) and reads them back', async () => {
    const id = await client.call<number>('department.add', { NAME: 'Отдел продаж', PARENT: 1, SORT: 300 });
    expect(await client.call('department.get', { ID: id })).toEqual([
      { ID: String(id), NAME: 'Отдел продаж', SORT: 300, PARENT: '1' },
    ]);
  });

  it('turns portal errors into B24Error with code, status and a hint', async () => {
    const missing = await caught(client.call('crm.nothing.here'));
    expect(missing).toMatchObject({
      name: 'B24Error',
      method: 'crm.nothing.here',
      code: 'ERROR_METHOD_NOT_FOUND',
      httpStatus: 404,
      retryable: false,
    });
    expect(missing.hint).toMatch(/b24lab call methods/);
    const invalid = await caught(client.call('department.add', { NAME: '' }));
    expect(invalid).toMatchObject({
      code: 'ERROR_CORE',
      description: 'Department name not provided.',
      httpStatus: 400,
    });
  });

  it('explains a wrong webhook without printing its secret', async () => {
    const secret = 'totally-wrong-secret-42';
    const wrong = createClient({
      connection: { kind: 'webhook', url: `${portal.url}/rest/1/${secret}/` },
      clock,
    });
    const e = await caught(wrong.call('user.current'));
    wrong.close();
    expect(e).toMatchObject({ code: 'INVALID_CREDENTIALS', httpStatus: 401 });
    expect(e.hint).toMatch(/webhook URL/);
    expect(`${e.message} ${e.hint} ${e.stack}`).not.toContain(secret);
  });

  it('explains an unreachable portal (after retrying the read, with no real waiting)', async () => {
    const closed = await portalForTest();
    const url = closed.webhookUrl;
    await closed.close();
    const c = createClient({ connection: { kind: 'webhook', url }, clock });
    const e = await caught(c.call('user.get'));
    expect(c.stats()).toMatchObject({ requests: 6, retries: 5 });
    c.close();
    expect(e).toMatchObject({ code: 'NETWORK_ERROR', networkCode: 'ECONNREFUSED', httpStatus: 0 });
    expect(e.hint).toMatch(/Nothing listens at 127\.0\.0\.1:\d+/);
    expect(e.message).not.toContain('b24lab-local-demo-token');
  });

  it('turns an HTML page of a proxy into ERROR_NOT_JSON, retried for reads when it is a 5xx', async () => {
    let hits = 0;
    const proxy = createServer((_req, res) => {
      hits++;
      const status = hits <= 2 ? 502 : 200;
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><head><title>${status} from nginx</title></head><body>oops</body></html>`);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    const c = createClient({
      connection: { kind: 'webhook', url: `http://127.0.0.1:${port}/rest/1/proxy-secret-xyz/` },
      clock,
    });
    const e = await caught(c.call('user.get'));
    c.close();
    await new Promise<void>((r) => proxy.close(() => r()));
    expect(hits).toBe(3); // two 502 pages retried, the 200 page is not an answer to retry
    expect(e).toMatchObject({ code: 'ERROR_NOT_JSON', httpStatus: 200, retryable: false });
    expect(e.message).toContain('an HTML page ("200 from nginx")');
    expect(e.hint).toMatch(/does not look like a Bitrix24 REST endpoint/);
  });
});

describe('batch', () => {
  it('runs any number of calls in 50-command requests and keys results and errors to the input', async () => {
    const before = client.stats().requests;
    const calls = Array.from({ length: 120 }, (_, i) =>
      i === 60
        ? { method: 'department.add', params: { NAME: '' } }
        : { method: 'user.get', params: { ID: i + 1 } },
    );
    const out = await client.batch<{ ID: string }[]>(calls);
    expect(client.stats().requests - before).toBe(3);
    expect(out).toHaveLength(120);
    expect(out[0]).toMatchObject({ ok: true, result: [{ ID: '1' }], total: 1 });
    expect(out[119]).toMatchObject({ ok: true, result: [{ ID: '120' }] });
    expect(out[60]).toMatchObject({ ok: false, error: { code: 'ERROR_CORE', method: 'department.add' } });
    const keyed = await client.batch({ me: { method: 'user.current' }, nope: { method: 'no.such.method' } });
    expect(keyed.me).toMatchObject({ ok: true, result: { ID: '1' } });
    expect(keyed.nope).toMatchObject({ ok: false, error: { code: 'ERROR_METHOD_NOT_FOUND' } });
  });
});

describe('list and export', () => {
  it('streams every user with the chained fast path: exactly the rows, ceil(n/2500) requests', async () => {
    const before = client.stats().requests;
    const ids: number[] = [];
    const progress: number[] = [];
    const summary = await client.export<{ ID: string }>('user.get', {}, (u) => void ids.push(Number(u.ID)), {
      onProgress: (p) => progress.push(p.rows),
    });
    const expected = (await callOk(portal.webhookUrl, 'user.get')).length; // first page only; the total is below
    expect(expected).toBe(50);
    expect(summary).toMatchObject({ method: 'user.get', rows: 5_123, total: 5_123, requests: 3 });
    expect(client.stats().requests - before).toBe(Math.ceil(5_123 / 2_500));
    expect(ids).toHaveLength(5_123);
    expect(new Set(ids).size).toBe(5_123);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(progress).toEqual([2_500, 5_000, 5_123]);
  });

  it('passes the server-side filter through', async () => {
    const rows: { ID: string; EMAIL: string }[] = [];
    for await (const u of client.list<{ ID: string; EMAIL: string }>('user.get', {
      FILTER: { '%EMAIL': 'user4' },
    }))
      rows.push(u);
    // user4, user40..49, user400..499, user4000..4999
    expect(rows).toHaveLength(1 + 10 + 100 + 1000);
    expect(rows.every((r) => r.EMAIL.startsWith('user4'))).toBe(true);
  });

  it('pages department.get by offset', async () => {
    const rows: unknown[] = [];
    for await (const d of client.list('department.get')) rows.push(d);
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const stream = client.list(
      'user.get',
      {},
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    await expect(async () => {
      for await (const _ of stream) {
        /* consume */
      }
    }).rejects.toMatchObject({ code: 'B24LAB_ABORTED' });
  });
});
