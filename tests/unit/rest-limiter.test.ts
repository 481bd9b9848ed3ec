import { describe, expect, it } from 'vitest';
import type { BucketSpec, BucketState } from '../../src/rest/limiter.js';
import {
  EMPTY_BUCKET,
  RATE_PLANS,
  floorSeconds,
  levelAt,
  parseRateLimit,
  penalize,
  step,
} from '../../src/rest/limiter.js';

/** Books `n` requests that all want to go at `now`; returns their departure times. */
function book(
  n: number,
  spec: BucketSpec,
  now = 0,
  state: BucketState = EMPTY_BUCKET,
): { times: number[]; state: BucketState } {
  const times: number[] = [];
  let s = state;
  for (let i = 0; i < n; i++) {
    const out = step(s, now, spec);
    times.push(now + out.waitMs);
    s = out.state;
  }
  return { times, state: s };
}

/** The portal's side (src/emulator/request-limit.ts): arrivals fill, the bucket drains, overflow = 503. */
function portalRefusals(arrivals: number[], spec: { burst: number; drain: number }): number {
  let level = 0;
  let last = arrivals[0] ?? 0;
  let refused = 0;
  for (const t of [...arrivals].sort((a, b) => a - b)) {
    level = Math.max(0, level - ((t - last) / 1000) * spec.drain);
    last = t;
    if (level + 1 > spec.burst) refused++;
    else level += 1;
  }
  return refused;
}

describe('leaky bucket step()', () => {
  it('lets the burst minus the reserve go at once, then paces at the drain rate (standard 50/2)', () => {
    const { times } = book(80, RATE_PLANS.standard);
    expect(times.slice(0, 49).every((t) => t === 0)).toBe(true);
    expect(times[49]).toBe(500);
    expect(times[50]).toBe(1000);
    expect(times[79]).toBe(15_500);
    expect(floorSeconds(80, RATE_PLANS.standard)).toBe(15);
  });

  it('waits relative to now and drains over idle time', () => {
    const spec = RATE_PLANS.standard;
    const full = book(49, spec).state;
    expect(step(full, 0, spec).waitMs).toBe(500);
    // 10 s later the bucket drained by 20: a request goes at once.
    expect(step(full, 10_000, spec).waitMs).toBe(0);
    expect(levelAt(full, 10_000, spec)).toBe(29);
  });

  it('keeps bookings in order: a request booked later never departs before an earlier one', () => {
    const spec: BucketSpec = { burst: 5, drain: 1, reserve: 0 };
    let state = EMPTY_BUCKET;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const now = i * 100; // callers arrive every 100 ms, faster than the drain
      const out = step(state, now, spec);
      state = out.state;
      times.push(now + out.waitMs);
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('never overflows the portal even when arrivals lag departures by up to reserve/drain', () => {
    const spec = RATE_PLANS.standard;
    const { times } = book(400, spec);
    expect(portalRefusals(times, spec)).toBe(0);
    // Deterministic "network jitter": each request arrives up to 450 ms late, some not at all late.
    const jittered = times.map((t, i) => t + ((i * 7919) % 10) * 45);
    expect(portalRefusals(jittered, spec)).toBe(0);
    // Without the reserve the same jitter gets refusals: the reserve is what absorbs it.
    const tight = book(400, { ...spec, reserve: 0 }).times.map((t, i) => t + ((i * 7919) % 10) * 45);
    expect(portalRefusals(tight, spec)).toBeGreaterThan(0);
  });

  it('does nothing when the limit is off (box portals)', () => {
    expect(step({ level: 1e9, at: 5 }, 0, undefined)).toEqual({ state: { level: 1e9, at: 5 }, waitMs: 0 });
  });

  it('after a 503 treats the bucket as full, so the next request waits one drain interval', () => {
    const spec = RATE_PLANS.standard;
    const s = penalize(EMPTY_BUCKET, 1_000, spec);
    expect(s).toEqual({ level: 49, at: 1_000 });
    expect(step(s, 1_000, spec).waitMs).toBe(500);
  });

  it('parses plans and custom buckets', () => {
    expect(parseRateLimit(undefined)).toEqual(RATE_PLANS.standard);
    expect(parseRateLimit('enterprise')).toEqual({ burst: 250, drain: 5, reserve: 2 });
    expect(parseRateLimit('off')).toBeUndefined();
    expect(parseRateLimit('20/20')).toEqual({ burst: 20, drain: 20, reserve: 6 });
    expect(parseRateLimit('3/1')).toEqual({ burst: 3, drain: 1, reserve: 1 });
    expect(parseRateLimit('20/20/2')).toEqual({ burst: 20, drain: 20, reserve: 2 });
    expect(() => parseRateLimit('fast')).toThrow(/BURST\/DRAIN/);
    expect(() => parseRateLimit('0/2')).toThrow();
    expect(() => parseRateLimit('5/2/5')).toThrow();
  });
});
