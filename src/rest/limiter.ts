/**
 * The request-rate limiter as a pure state machine (STYLE.md §6): `step(state, now, spec)` books the
 * next request and says how long to wait before sending it.
 *
 * Bitrix24 cloud meters each portal with a leaky bucket (reference/bitrix24-rest.md §3.1, limits.md):
 * every HTTP request (a batch is one) adds 1, the bucket drains `drain` per second, and a request that
 * would overflow `burst` is refused with 503 QUERY_LIMIT_EXCEEDED. The client keeps its own copy of the
 * bucket and books each request a departure time at which the portal's bucket has room, so it is never
 * refused. Booking (rather than "check, sleep, check again") keeps waiters in order and makes one short
 * transaction per request enough when several processes share the state (see rate-gate.ts).
 *
 * `reserve` keeps a few requests of headroom: the portal measures arrivals, the client departures, and
 * early requests delayed by up to `reserve / drain` seconds (connection set-up, a busy event loop on
 * either side) can bunch up with later ones on arrival and still fit. Custom buckets reserve
 * JITTER_SECONDS worth of drain.
 *
 * Worked example (standard 50/2, reserve 1, empty bucket at t=0): requests 1..49 go at once (level 49);
 * request 50 waits 500 ms (the level drains to 48 and becomes 49 again); request 51 waits 1000 ms.
 */
export interface BucketSpec {
  /** Bucket size X of limits.md. */
  burst: number;
  /** Drain Y per second. */
  drain: number;
  /** Headroom kept free below `burst`. */
  reserve: number;
}

export type RateLimitPlan = 'standard' | 'enterprise' | 'off';

/** The plans of limits.md: Enterprise X=250/Y=5, every other cloud plan X=50/Y=2; box portals: off. */
export const RATE_PLANS: Record<Exclude<RateLimitPlan, 'off'>, BucketSpec> = {
  standard: { burst: 50, drain: 2, reserve: 1 },
  enterprise: { burst: 250, drain: 5, reserve: 2 },
};

/** How much arrival bunching (seconds of drain) the reserve of a custom bucket absorbs. */
export const JITTER_SECONDS = 0.3;

export interface BucketState {
  /** The bucket level just after the last booked request. */
  level: number;
  /** The departure time (ms) of the last booked request; may lie in the future. */
  at: number;
}

export const EMPTY_BUCKET: BucketState = { level: 0, at: 0 };

/** The level the bucket drains to by `t` (never below zero). */
export function levelAt(state: BucketState, t: number, spec: BucketSpec): number {
  return Math.max(0, state.level - (Math.max(0, t - state.at) / 1000) * spec.drain);
}

/**
 * Books one request: the earliest moment not before `now` (and not before earlier bookings) at which
 * the bucket has room, the state after it, and how long to wait from `now`.
 */
export function step(
  state: BucketState,
  now: number,
  spec: BucketSpec | undefined,
): { state: BucketState; waitMs: number } {
  if (!spec) return { state, waitMs: 0 };
  const capacity = Math.max(1, spec.burst - spec.reserve);
  const t0 = Math.max(now, state.at);
  const level0 = levelAt(state, t0, spec);
  const excess = level0 + 1 - capacity;
  const t = excess > 0 ? t0 + Math.ceil((excess / spec.drain) * 1000) : t0;
  const level = levelAt({ level: level0, at: t0 }, t, spec) + 1;
  return { state: { level, at: t }, waitMs: t - now };
}

/**
 * After a 503 QUERY_LIMIT_EXCEEDED the portal's bucket is full (someone else uses the quota, or the
 * state was lost): treat ours as full from now on, so the next bookings pace at the drain rate.
 */
export function penalize(state: BucketState, now: number, spec: BucketSpec | undefined): BucketState {
  if (!spec) return state;
  const at = Math.max(now, state.at);
  return { level: Math.max(levelAt(state, at, spec), spec.burst - spec.reserve), at };
}

/** The time the whole bucket needs to send `requests` requests from empty: the physical floor. */
export function floorSeconds(requests: number, spec: { burst: number; drain: number }): number {
  return Math.max(0, requests - spec.burst) / spec.drain;
}

/**
 * `--rate-limit` values: `standard`, `enterprise`, `off`, or a custom `BURST/DRAIN[/RESERVE]`
 * (`50/2`, `20/20`, `20/20/2`). Returns undefined for off; throws a plain Error with the reason.
 * Worked example: '20/20' -> { burst: 20, drain: 20, reserve: 6 } (0.3 s of drain kept free).
 */
export function parseRateLimit(value: string | BucketSpec | undefined): BucketSpec | undefined {
  if (value === undefined) return RATE_PLANS.standard;
  if (typeof value === 'object') return value;
  const text = value.trim().toLowerCase();
  if (text === 'off' || text === 'none') return undefined;
  if (text === 'standard' || text === 'enterprise') return RATE_PLANS[text];
  const m = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)(?:\s*\/\s*(\d+))?$/.exec(text);
  const burst = Number(m?.[1]);
  const drain = Number(m?.[2]);
  const reserve = m?.[3] !== undefined ? Number(m[3]) : Math.max(1, Math.ceil(drain * JITTER_SECONDS));
  if (!m || !(burst >= 1) || !(drain > 0) || reserve >= burst) {
    throw new Error(
      `expected standard, enterprise, off or BURST/DRAIN[/RESERVE] such as 50/2, got "${value}"`,
    );
  }
  return { burst, drain, reserve };
}
