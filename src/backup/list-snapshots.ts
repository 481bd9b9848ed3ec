/** `backup list`: the snapshots under a backup root, oldest first, with interrupted ones marked. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from './manifest.js';
import { MANIFEST_FILE } from './manifest.js';
import { readManifest, SnapshotFormatError } from './read-snapshot.js';
import { partialTarget } from './snapshot-name.js';

export interface SnapshotSummary {
  name: string;
  path: string;
  /** complete = a valid manifest (verify checks the files); partial = an interrupted or running backup. */
  status: 'complete' | 'partial' | 'invalid';
  kind?: Manifest['kind'];
  portal?: string;
  createdAt?: string;
  base?: string;
  rows?: number;
  bytes?: number;
  /** Last change of the directory (ms), for partial ones: how stale they are. */
  modifiedMs: number;
  problem?: string;
}

export async function listSnapshots(root: string): Promise<SnapshotSummary[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SnapshotSummary[] = [];
  for (const name of names) {
    const path = join(root, name);
    const info = await stat(path);
    if (!info.isDirectory()) continue;
    const modifiedMs = info.mtimeMs;
    const target = partialTarget(name);
    if (target !== undefined) {
      out.push({ name: target, path, status: 'partial', modifiedMs });
      continue;
    }
    const hasManifest = await stat(join(path, MANIFEST_FILE)).then(
      () => true,
      () => false,
    );
    if (!hasManifest) continue;
    try {
      const m = await readManifest(path);
      const entries = Object.values(m.entities);
      out.push({
        name,
        path,
        status: 'complete',
        kind: m.kind,
        portal: m.portal,
        createdAt: m.createdAt,
        ...(m.base ? { base: m.base.name } : {}),
        rows: entries.reduce((n, e) => n + e.count, 0),
        bytes: entries.reduce((n, e) => n + e.bytes + (e.ids?.bytes ?? 0), 0),
        modifiedMs,
      });
    } catch (e) {
      if (!(e instanceof SnapshotFormatError)) throw e;
      out.push({ name, path, status: 'invalid', modifiedMs, problem: e.problems.join('; ') });
    }
  }
  const at = (s: SnapshotSummary): number =>
    s.createdAt !== undefined ? Date.parse(s.createdAt) : s.modifiedMs;
  return out.sort((a, b) => at(a) - at(b) || a.name.localeCompare(b.name));
}
