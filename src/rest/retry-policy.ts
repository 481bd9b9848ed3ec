/**
 * The retry policy as a pure function (STYLE.md §6, §8): `decide(error, attempt, random, options)`
 * says whether to repeat a failed call and after how long. No clock, no sleeping: the client sleeps.
 *
 * Reads (method-kind.ts) are repeated on every transient failure: 503, 429 (after the method's budget
 * refills), 5xx and network errors, with capped exponential backoff and jitter.
 * Writes are repeated only when the error proves the call did not run:
 *   - 503 QUERY_LIMIT_EXCEEDED: the cloud refuses in front of the method (limits.md);
 *   - 429 OPERATION_TIME_LIMIT: checked before the handler (reference/bitrix24-rest.md §2.2 order of checks);
 *   - ECONNREFUSED: the connection was never opened.
 * A reset connection, a timeout, a 500 or an HTML 502 may come after the write ran: it surfaces, and
 * the caller checks before deciding (b24jssdk #24: three documents from one retried add).
 */
import type { B24Error } from './errors.js';
import { LOCAL_CODES } from './errors.js';
import { isReadMethod } from './method-kind.js';

export interface RetryOptions {
  /** Attempts in all (the first one included). */
  maxAttempts: number;
  /** Backoff base and cap, ms: delay = min(cap, base * 2^attempt), then jittered to [50%, 100%]. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The most a 429 may wait for its budget (the window is ten minutes). */
  maxOperatingWaitMs: number;
  /** Overrides the method table: true for reads, false for writes (a batch passes its own kind). */
  read?: boolean;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxOperatingWaitMs: 11 * 60_000,
};

export type RetryDecision =
  { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

/** The error proves the portal did not run the call. */
export function provesNotRun(error: B24Error): boolean {
  const code = error.codeLower;
  if (code === 'query_limit_exceeded' || code === 'operation_time_limit') return true;
  return error.code === LOCAL_CODES.network && error.networkCode === 'ECONNREFUSED';
}

/** `attempt` counts failures so far: 0 after the first failed try. */
export function decide(
  error: B24Error,
  attempt: number,
  random: () => number,
  options: Partial<RetryOptions> = {},
): RetryDecision {
  const o = { ...DEFAULT_RETRY, ...options };
  const read = o.read ?? isReadMethod(error.method);
  if (attempt + 1 >= o.maxAttempts) return { retry: false, reason: `gave up after ${attempt + 1} attempts` };
  if (!error.retryable) return { retry: false, reason: 'not a transient error' };
  if (!read && !provesNotRun(error)) {
    return { retry: false, reason: 'a write that may have run is never repeated blindly' };
  }
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(exp * (0.5 + 0.5 * random()));
  if (error.codeLower === 'operation_time_limit') {
    // Wait for the method's budget to refill; without a known reset, one minute (a basket's length).
    const until = error.retryAfterMs ?? 60_000;
    if (until > o.maxOperatingWaitMs) return { retry: false, reason: 'the budget refills too late' };
    return { retry: true, delayMs: Math.max(until, jittered), reason: 'operating budget exhausted' };
  }
  return { retry: true, delayMs: jittered, reason: error.code || `HTTP ${error.httpStatus}` };
}
