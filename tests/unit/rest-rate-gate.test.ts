import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { RATE_PLANS } from '../../src/rest/limiter.js';
import { MemoryGateStore, RateGate, SqliteGateStore } from '../../src/rest/rate-gate.js';

/** A fake clock: sleeping moves time forward and records what was slept. */
function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the rate gate', () => {
  it('shares one bucket between two gates (two processes) through the state directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-gate-'));
    dirs.push(dir);
    const clock = fakeClock();
    const gate = (): RateGate =>
      new RateGate({
        store: new SqliteGateStore(dir),
        clock,
        bucket: RATE_PLANS.standard,
        portalKey: 'http://p',
        callerKey: 'http://p webhook:1',
      });
    const a = gate();
    const b = gate();
    for (let i = 0; i < 30; i++) await a.acquire(['user.get']);
    for (let i = 0; i < 19; i++) await b.acquire(['user.get']);
    expect(clock.slept).toEqual([]); // 49 requests fit in the burst, whoever sends them
    await b.acquire(['user.get']);
    await a.acquire(['user.get']);
    expect(clock.slept).toEqual([500, 500]);
    // Another portal has its own bucket.
    const other = new RateGate({
      store: new SqliteGateStore(dir),
      clock,
      bucket: RATE_PLANS.standard,
      portalKey: 'http://q',
      callerKey: 'x',
    });
    await other.acquire(['user.get']);
    expect(clock.slept).toHaveLength(2);
    a.close();
    b.close();
    other.close();
  });

  it('holds a method whose operating budget is spent until its reset, other methods go', async () => {
    const clock = fakeClock(0);
    const gate = new RateGate({
      store: new MemoryGateStore(),
      clock,
      bucket: undefined,
      portalKey: 'p',
      callerKey: 'c',
    });
    gate.recordOperating('CRM.DEAL.LIST', { operating: 478, resetAt: 60_000 });
    await gate.acquire(['user.get']);
    expect(clock.slept).toEqual([]);
    await gate.acquire(['crm.deal.list']);
    expect(clock.slept).toEqual([61_000]);
    expect(gate.operatingResetAt('crm.deal.list')).toBe(60_000);
  });

  it('paces after a 503', async () => {
    const clock = fakeClock(0);
    const gate = new RateGate({
      store: new MemoryGateStore(),
      clock,
      bucket: RATE_PLANS.standard,
      portalKey: 'p',
      callerKey: 'c',
    });
    await gate.acquire(['user.get']);
    gate.penalize();
    await gate.acquire(['user.get']);
    expect(clock.slept).toEqual([500]);
  });
});
