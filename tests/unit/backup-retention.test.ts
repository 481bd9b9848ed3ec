import { describe, expect, it } from 'vitest';
import type { RetentionInput } from '../../src/backup/plan-retention.js';
import { planRetention } from '../../src/backup/plan-retention.js';

const at = (iso: string): number => Date.parse(iso);

/** One full snapshot a day at 01:00 UTC from `from` for `days` days. */
function daily(from: string, days: number): RetentionInput[] {
  const out: RetentionInput[] = [];
  for (let i = 0; i < days; i++) {
    const ms = at(from) + i * 86_400_000;
    out.push({ name: `s-${new Date(ms).toISOString().slice(0, 10)}`, createdAt: ms });
  }
  return out;
}

describe('planRetention', () => {
  it('keeps the newest snapshot of each of the last N days and deletes the rest', () => {
    const plan = planRetention(
      daily('2026-11-20T01:00:00Z', 7),
      { daily: 2, weekly: 1, monthly: 0 },
      at('2026-11-26T12:00:00Z'),
    );
    expect(plan.keep.map((k) => k.name)).toEqual(['s-2026-11-26', 's-2026-11-25']);
    expect(plan.keep[0]!.reasons).toEqual(['latest', 'daily', 'weekly']);
    expect(plan.delete).toEqual([
      's-2026-11-24',
      's-2026-11-23',
      's-2026-11-22',
      's-2026-11-21',
      's-2026-11-20',
    ]);
  });

  it('keeps one per ISO week (Monday first) and one per month, counting back from now', () => {
    // 2026-09-01 .. 2026-11-26, one a day. Now: Thursday 2026-11-26.
    const snaps = daily('2026-09-01T01:00:00Z', 87);
    const plan = planRetention(snaps, { daily: 0, weekly: 3, monthly: 3 }, at('2026-11-26T12:00:00Z'));
    const kept = plan.keep.map((k) => k.name);
    // weeks: Mon 11-23..Thu 11-26 -> 11-26; 11-16..22 -> 11-22 (Sunday); 11-09..15 -> 11-15
    // months: November -> 11-26, October -> 10-31, September -> 09-30
    expect(kept).toEqual(['s-2026-11-26', 's-2026-11-22', 's-2026-11-15', 's-2026-10-31', 's-2026-09-30']);
    expect(plan.keep.find((k) => k.name === 's-2026-10-31')!.reasons).toEqual(['monthly']);
    expect(plan.delete).toHaveLength(87 - 5);
  });

  it('keeps the newest of several snapshots on one day, and moving the clock a day on frees the oldest', () => {
    const snaps: RetentionInput[] = [
      { name: 'a', createdAt: at('2026-11-25T01:00:00Z') },
      { name: 'b', createdAt: at('2026-11-25T13:00:00Z') },
      { name: 'c', createdAt: at('2026-11-26T01:00:00Z') },
    ];
    const policy = { daily: 2, weekly: 0, monthly: 0 };
    expect(planRetention(snaps, policy, at('2026-11-26T02:00:00Z')).delete).toEqual(['a']);
    // A day later the window is 11-26..11-27: 11-25's snapshots age out.
    expect(planRetention(snaps, policy, at('2026-11-27T02:00:00Z')).delete).toEqual(['b', 'a']);
  });

  it('takes calendar days at the given UTC offset', () => {
    // 22:30 UTC on 11-25 is 01:30 on 11-26 in Moscow (+180): the same day as the 09:00 UTC one.
    const snaps: RetentionInput[] = [
      { name: 'late', createdAt: at('2026-11-25T22:30:00Z') },
      { name: 'next', createdAt: at('2026-11-26T09:00:00Z') },
    ];
    const policy = { daily: 1, weekly: 0, monthly: 0 };
    expect(planRetention(snaps, policy, at('2026-11-26T10:00:00Z'), 0).delete).toEqual(['late']);
    expect(planRetention(snaps, policy, at('2026-11-26T10:00:00Z'), 180).delete).toEqual(['late']);
    expect(
      planRetention(snaps, { daily: 2, weekly: 0, monthly: 0 }, at('2026-11-26T10:00:00Z'), 0).delete,
    ).toEqual([]);
    // In Moscow both fall on 11-26, so keeping two days still drops the older of that one day.
    expect(
      planRetention(snaps, { daily: 2, weekly: 0, monthly: 0 }, at('2026-11-26T10:00:00Z'), 180).delete,
    ).toEqual(['late']);
  });

  it('keeps the chain of bases under a kept incremental', () => {
    const snaps: RetentionInput[] = [
      { name: 'full-1', createdAt: at('2026-11-01T01:00:00Z') },
      { name: 'inc-2', createdAt: at('2026-11-10T01:00:00Z'), base: 'full-1' },
      { name: 'inc-3', createdAt: at('2026-11-26T01:00:00Z'), base: 'inc-2' },
      { name: 'old', createdAt: at('2026-10-01T01:00:00Z') },
    ];
    const plan = planRetention(snaps, { daily: 1, weekly: 0, monthly: 0 }, at('2026-11-26T12:00:00Z'));
    expect(plan.keep).toEqual([
      { name: 'inc-3', reasons: ['latest', 'daily'] },
      { name: 'inc-2', reasons: ['base of inc-3'] },
      { name: 'full-1', reasons: ['base of inc-3'] },
    ]);
    expect(plan.delete).toEqual(['old']);
  });

  it('keeps snapshots from the future and the latest even with an all-zero policy', () => {
    const snaps: RetentionInput[] = [
      { name: 'past', createdAt: at('2026-11-20T01:00:00Z') },
      { name: 'older', createdAt: at('2026-11-19T01:00:00Z') },
      { name: 'ahead', createdAt: at('2026-11-27T01:00:00Z') },
    ];
    const plan = planRetention(snaps, { daily: 0, weekly: 0, monthly: 0 }, at('2026-11-26T12:00:00Z'));
    expect(plan.keep).toEqual([
      { name: 'ahead', reasons: ['newer than now'] },
      { name: 'past', reasons: ['latest'] },
    ]);
    expect(plan.delete).toEqual(['older']);
    expect(planRetention([], { daily: 7, weekly: 4, monthly: 6 }, at('2026-11-26T12:00:00Z'))).toEqual({
      keep: [],
      delete: [],
    });
  });
});
