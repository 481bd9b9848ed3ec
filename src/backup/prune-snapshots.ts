/**
 * `backup prune`: applies the retention policy (plan-retention.ts) to the complete snapshots under a
 * root, and removes temporary directories of backups that died more than a day ago (a younger one may
 * be a backup still running). Invalid snapshots are left alone and reported: deleting what we cannot
 * read is not ours to decide.
 */
import { rm } from 'node:fs/promises';
import { listSnapshots } from './list-snapshots.js';
import type { RetentionPolicy } from './plan-retention.js';
import { planRetention } from './plan-retention.js';

export interface PruneOptions {
  dryRun?: boolean;
  offsetMinutes?: number;
  /** A temporary directory untouched this long is a dead backup (default one day). */
  stalePartialMs?: number;
}

export interface PruneResult {
  dryRun: boolean;
  keep: { name: string; reasons: string[] }[];
  deleted: string[];
  stalePartials: string[];
  invalid: string[];
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 6 };

export async function pruneSnapshots(
  root: string,
  policy: RetentionPolicy,
  nowMs: number,
  options: PruneOptions = {},
): Promise<PruneResult> {
  const dryRun = options.dryRun ?? false;
  const all = await listSnapshots(root);
  const complete = all.filter((s) => s.status === 'complete');
  const plan = planRetention(
    complete.map((s) => ({
      name: s.name,
      createdAt: Date.parse(s.createdAt ?? ''),
      ...(s.base ? { base: s.base } : {}),
    })),
    policy,
    nowMs,
    options.offsetMinutes ?? 0,
  );
  const stale = all.filter(
    (s) => s.status === 'partial' && nowMs - s.modifiedMs > (options.stalePartialMs ?? 86_400_000),
  );
  if (!dryRun) {
    const paths = new Map(complete.map((s) => [s.name, s.path]));
    for (const name of plan.delete) {
      const path = paths.get(name);
      if (path !== undefined) await rm(path, { recursive: true, force: true });
    }
    for (const s of stale) await rm(s.path, { recursive: true, force: true });
  }
  return {
    dryRun,
    keep: plan.keep,
    deleted: plan.delete,
    stalePartials: stale.map((s) => s.name),
    invalid: all.filter((s) => s.status === 'invalid').map((s) => s.name),
  };
}
