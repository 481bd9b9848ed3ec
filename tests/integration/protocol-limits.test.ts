import { afterEach, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';
import type { Clock } from '../../src/clock.js';

let portal: LocalPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

/** A real-clock stand-in the test moves by hand, so the bucket never drains on its own. */
function frozenClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async () => {},
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('request-rate limit (leaky bucket)', () => {
  it('refuses the request past the burst with 503 QUERY_LIMIT_EXCEEDED and drains over time', async () => {
    const clock = frozenClock();
    portal = await portalForTest({ rateLimit: { burst: 5, drain: 2 }, clock });
    for (let i = 0; i < 5; i++) expect((await rawCall(portal.webhookUrl, 'server.time')).status).toBe(200);
    expect(await rawCall(portal.webhookUrl, 'server.time')).toEqual({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    clock.advance(500); // one request drains
    expect((await rawCall(portal.webhookUrl, 'server.time')).status).toBe(200);
    expect((await rawCall(portal.webhookUrl, 'server.time')).status).toBe(503);
    expect(await callOk(portal.webhookUrl, 'b24lab.stats.get')).toMatchObject({ refused503: 2 });
  });

  it('counts a batch as one request', async () => {
    portal = await portalForTest({ rateLimit: { burst: 2, drain: 0.001 }, clock: frozenClock() });
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, 'server.time']));
    expect((await rawCall(portal.webhookUrl, 'batch', { cmd })).status).toBe(200);
    expect((await rawCall(portal.webhookUrl, 'batch', { cmd })).status).toBe(200);
    expect((await rawCall(portal.webhookUrl, 'batch', { cmd })).status).toBe(503);
  });

  it('uses the documented plans', async () => {
    portal = await portalForTest({ rateLimit: 'standard', clock: frozenClock() });
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await rawCall(portal.webhookUrl, 'server.time')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.at(-1)).toBe(503);
  });
});

describe('operating limit', () => {
  it('lets the call that crosses the budget finish, then answers 429 OPERATION_TIME_LIMIT for that method only', async () => {
    portal = await portalForTest({ operatingLimit: 1e-9, clock: frozenClock() });
    const first = await rawCall(portal.webhookUrl, 'user.get');
    expect(first.status).toBe(200);
    expect(first.body.time).toMatchObject({
      operating: expect.any(Number),
      operating_reset_at: expect.any(Number),
    });
    expect(await rawCall(portal.webhookUrl, 'user.get')).toEqual({
      status: 429,
      body: {
        error: 'OPERATION_TIME_LIMIT',
        error_description: 'Method is blocked due to operation time limit.',
      },
    });
    expect((await rawCall(portal.webhookUrl, 'department.get')).status).toBe(200);
  });

  it('counts each batch command against its own method', async () => {
    portal = await portalForTest({ operatingLimit: 1e-9, clock: frozenClock() });
    const result = await callOk(portal.webhookUrl, 'batch', {
      cmd: { a: 'user.get', b: 'user.get', c: 'server.time' },
    });
    expect(Object.keys(result.result)).toEqual(['a', 'c']);
    expect(result.result_error.b.error).toBe('OPERATION_TIME_LIMIT');
    expect(result.result_time.a.operating).toBeGreaterThan(0);
  });

  it('refills when the ten-minute window has passed', async () => {
    const clock = frozenClock();
    portal = await portalForTest({ operatingLimit: 1e-9, clock });
    await rawCall(portal.webhookUrl, 'user.get');
    expect((await rawCall(portal.webhookUrl, 'user.get')).status).toBe(429);
    clock.advance(11 * 60_000);
    expect((await rawCall(portal.webhookUrl, 'user.get')).status).toBe(200);
  });
});

describe('injected faults', () => {
  it('503 and 500 answer without running the method', async () => {
    portal = await portalForTest({ faults: '503@1,500@2' });
    const add = { EMAIL: 'f@lab.test', UF_DEPARTMENT: [1] };
    expect((await rawCall(portal.webhookUrl, 'user.add', add)).status).toBe(503);
    expect(await rawCall(portal.webhookUrl, 'user.add', add)).toEqual({
      status: 500,
      body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' },
    });
    expect(await callOk(portal.webhookUrl, 'user.get', { EMAIL: 'f@lab.test' })).toEqual([]);
  });

  it('drop runs the method and cuts the connection; refuse cuts it without running', async () => {
    portal = await portalForTest({ faults: 'drop@1,refuse@2' });
    await expect(
      rawCall(portal.webhookUrl, 'user.add', { EMAIL: 'dropped@lab.test', UF_DEPARTMENT: [1] }),
    ).rejects.toThrow();
    await expect(
      rawCall(portal.webhookUrl, 'user.add', { EMAIL: 'refused@lab.test', UF_DEPARTMENT: [1] }),
    ).rejects.toThrow();
    expect(await callOk(portal.webhookUrl, 'user.get', { EMAIL: 'dropped@lab.test' })).toHaveLength(1);
    expect(await callOk(portal.webhookUrl, 'user.get', { EMAIL: 'refused@lab.test' })).toEqual([]);
  });

  it('shares are drawn from a seeded generator and can be changed at run time', async () => {
    portal = await portalForTest({ faults: '503=0.5', faultSeed: 7 });
    const run = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await rawCall(portal!.webhookUrl, 'server.time')).status);
      return statuses;
    };
    const first = await run();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(await callOk(portal.webhookUrl, 'b24lab.faults.set', { spec: '' })).toEqual({ spec: '' });
    expect((await run()).every((s) => s === 200)).toBe(true);
    const bad = await rawCall(portal.webhookUrl, 'b24lab.faults.set', { spec: 'explode=2' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'ERROR_ARGUMENT', argument: 'spec' });
  });
});
