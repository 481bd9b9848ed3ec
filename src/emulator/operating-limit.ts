import type { Clock } from '../clock.js';

/**
 * The per-method operating budget (reference/bitrix24-rest.md §3.2): the seconds a method spent for
 * one webhook or application, kept in ten one-minute buckets; a bucket drops ten minutes after it began.
 * Measured on the real clock: moving the portal clock does not refill it.
 */
export class OperatingLimiter {
  private readonly buckets = new Map<string, { minute: number; seconds: number }[]>();

  constructor(private readonly clock: Clock) {}

  private live(key: string): { minute: number; seconds: number }[] {
    const nowMinute = Math.floor(this.clock.now() / 60_000);
    const list = (this.buckets.get(key) ?? []).filter((b) => b.minute > nowMinute - 10);
    this.buckets.set(key, list);
    return list;
  }

  spent(key: string): number {
    return this.live(key).reduce((sum, b) => sum + b.seconds, 0);
  }

  record(key: string, seconds: number): { spent: number; resetAt: number } {
    const list = this.live(key);
    const minute = Math.floor(this.clock.now() / 60_000);
    const last = list.at(-1);
    if (last && last.minute === minute) last.seconds += seconds;
    else list.push({ minute, seconds });
    const oldest = list[0] ?? { minute };
    return { spent: list.reduce((s, b) => s + b.seconds, 0), resetAt: (oldest.minute + 10) * 60_000 };
  }

  clear(): void {
    this.buckets.clear();
  }
}
