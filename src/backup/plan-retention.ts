/**
 * The retention policy of `backup prune`, a pure function of snapshot dates and "now":
 *
 *   keep the newest snapshot of each of the last `daily` calendar days (today included),
 *   of each of the last `weekly` ISO weeks (Monday first), of each of the last `monthly` months;
 *   always keep the newest snapshot, anything newer than now (a clock ahead of ours), and every base
 *   an incremental that is kept builds on; delete the rest.
 *
 * Example, now = 2026-11-26 12:00 UTC, { daily: 2, weekly: 1, monthly: 0 }, one snapshot a day at
 * 01:00 since 11-20: keep 11-26 (day 1, week 1 and latest) and 11-25 (day 2); delete 11-20..11-24.
 * Calendar boundaries are taken at the given UTC offset (the portal's timezone).
 */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetentionInput {
  name: string;
  /** ms since the epoch */
  createdAt: number;
  /** The snapshot an incremental builds on. */
  base?: string;
}

export interface RetentionPlan {
  keep: { name: string; reasons: string[] }[];
  /** Newest first, so an incremental always goes before the base it builds on. */
  delete: string[];
}

const DAY = 86_400_000;

/** Local calendar day number (days since the epoch at the offset). */
function dayNumber(ms: number, offsetMinutes: number): number {
  return Math.floor((ms + offsetMinutes * 60_000) / DAY);
}

/** ISO week number since the epoch: 1970-01-01 was a Thursday, so Monday-based weeks shift by 3 days. */
function weekNumber(ms: number, offsetMinutes: number): number {
  return Math.floor((dayNumber(ms, offsetMinutes) + 3) / 7);
}

function monthNumber(ms: number, offsetMinutes: number): number {
  const d = new Date(ms + offsetMinutes * 60_000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export function planRetention(
  snapshots: readonly RetentionInput[],
  policy: RetentionPolicy,
  nowMs: number,
  offsetMinutes = 0,
): RetentionPlan {
  const newestFirst = [...snapshots].sort(
    (a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name),
  );
  const reasons = new Map<string, string[]>();
  const mark = (name: string, reason: string): void => {
    const list = reasons.get(name) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(name, list);
  };

  const past = newestFirst.filter((s) => s.createdAt <= nowMs);
  for (const s of newestFirst) if (s.createdAt > nowMs) mark(s.name, 'newer than now');
  const latest = past[0];
  if (latest) mark(latest.name, 'latest');

  const buckets: [keyof RetentionPolicy, (ms: number) => number, string][] = [
    ['daily', (ms) => dayNumber(ms, offsetMinutes), 'daily'],
    ['weekly', (ms) => weekNumber(ms, offsetMinutes), 'weekly'],
    ['monthly', (ms) => monthNumber(ms, offsetMinutes), 'monthly'],
  ];
  for (const [key, bucketOf, label] of buckets) {
    const count = Math.max(0, Math.floor(policy[key]));
    const current = bucketOf(nowMs);
    const seen = new Set<number>();
    for (const s of past) {
      const bucket = bucketOf(s.createdAt);
      if (current - bucket >= count || seen.has(bucket)) continue;
      seen.add(bucket);
      mark(s.name, label);
    }
  }

  // A kept incremental needs its whole chain of bases.
  const byName = new Map(snapshots.map((s) => [s.name, s]));
  const chosen = new Set(reasons.keys());
  for (const s of newestFirst) {
    if (!chosen.has(s.name)) continue;
    let base = s.base;
    const guard = new Set<string>([s.name]);
    while (base !== undefined && !guard.has(base)) {
      guard.add(base);
      mark(base, `base of ${s.name}`);
      base = byName.get(base)?.base;
    }
  }

  return {
    keep: newestFirst
      .filter((s) => reasons.has(s.name))
      .map((s) => ({ name: s.name, reasons: reasons.get(s.name) ?? [] })),
    delete: newestFirst.filter((s) => !reasons.has(s.name)).map((s) => s.name),
  };
}
