import type { Clock } from '../clock.js';

/**
 * The cloud's request-rate limit (reference/bitrix24-rest.md §3.1, §3.4): a leaky bucket per portal
 * that drains `drain` requests per second and holds `burst`; a request that would overflow it is
 * answered 503 QUERY_LIMIT_EXCEEDED. A batch is one request. Refused requests do not fill the bucket.
 */
export interface BucketSpec {
  burst: number;
  drain: number;
}

export const RATE_LIMITS: Record<'standard' | 'enterprise', BucketSpec> = {
  standard: { burst: 50, drain: 2 },
  enterprise: { burst: 250, drain: 5 },
};

export class RequestLimiter {
  private level = 0;
  private last: number;
  refused = 0;

  constructor(
    private readonly spec: BucketSpec | undefined,
    private readonly clock: Clock,
  ) {
    this.last = clock.now();
  }

  /** True when the request may run (and is counted), false when it must be refused. */
  admit(): boolean {
    if (!this.spec) return true;
    const now = this.clock.now();
    this.level = Math.max(0, this.level - ((now - this.last) / 1000) * this.spec.drain);
    this.last = now;
    if (this.level + 1 > this.spec.burst) {
      this.refused++;
      return false;
    }
    this.level += 1;
    return true;
  }
}
