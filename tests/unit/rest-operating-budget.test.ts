import { describe, expect, it } from 'vitest';
import { operatingWait, readOperating, record } from '../../src/rest/operating-budget.js';

describe('operating budget', () => {
  it('reads time.operating and operating_reset_at (seconds) from an answer', () => {
    expect(readOperating({ operating: 3.31, operating_reset_at: 1757425271 })).toEqual({
      operating: 3.31,
      resetAt: 1757425271000,
    });
    expect(readOperating({ operating: 0 })).toBeUndefined(); // box portal: no reset, nothing to track
    expect(readOperating(undefined)).toBeUndefined();
  });

  it('lets a method run until it nears the limit, then holds it until the oldest basket drops', () => {
    const spec = { limitSeconds: 480, marginSeconds: 5 };
    const resetAt = 600_000;
    expect(operatingWait({ operating: 100, resetAt }, 0, spec)).toBe(0);
    expect(operatingWait({ operating: 474.9, resetAt }, 0, spec)).toBe(0);
    expect(operatingWait({ operating: 476, resetAt }, 100_000, spec)).toBe(501_000);
    // After the reset one call may go and report the new sum.
    expect(operatingWait({ operating: 476, resetAt }, 600_000, spec)).toBe(0);
    expect(operatingWait({ operating: 999, resetAt }, 0, { limitSeconds: 0, marginSeconds: 0 })).toBe(0);
  });

  it('keeps the newer report', () => {
    const a = { operating: 10, resetAt: 1000 };
    expect(record(undefined, a)).toBe(a);
    expect(record(a, { operating: 2, resetAt: 2000 })).toEqual({ operating: 2, resetAt: 2000 });
    expect(record(a, { operating: 5, resetAt: 500 })).toBe(a);
    expect(record(a, { operating: 12, resetAt: 1000 })).toEqual({ operating: 12, resetAt: 1000 });
    expect(record(a, { operating: 8, resetAt: 1000 })).toBe(a);
  });
});
