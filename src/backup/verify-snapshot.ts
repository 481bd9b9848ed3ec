/**
 * `backup verify`: re-reads every file of a snapshot against its manifest (sha256 of the NDJSON text,
 * row count, highest ID, valid JSON on every line, an intact gzip stream) and, for an incremental,
 * walks the chain of bases back to a full snapshot, verifying each. Never throws for a bad snapshot:
 * every problem is listed.
 */
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileEntry, Manifest } from './manifest.js';
import { readLines, readManifest, SnapshotFormatError } from './read-snapshot.js';
import { partialTarget } from './snapshot-name.js';
import { numericId } from './write-snapshot.js';

export interface VerifyResult {
  snapshot: string;
  ok: boolean;
  kind: Manifest['kind'] | undefined;
  /** This snapshot and its bases, newest first, ending with a full snapshot when the chain is whole. */
  chain: string[];
  rows: number;
  problems: string[];
}

/** An incremental chain longer than this is treated as a loop. */
const MAX_CHAIN = 1000;

interface FileCheck {
  count: number;
  sha256: string;
  lastId: number;
  problem?: string;
}

async function checkFile(path: string, idField: string | null): Promise<FileCheck> {
  const hash = createHash('sha256');
  let count = 0;
  let lastId = 0;
  try {
    for await (const line of readLines(path)) {
      hash.update(line + '\n', 'utf8');
      count++;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        return { count, sha256: '', lastId, problem: `line ${count} is not JSON` };
      }
      if (idField !== null && row !== null && typeof row === 'object') {
        lastId = Math.max(lastId, numericId((row as Record<string, unknown>)[idField]) ?? 0);
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      count,
      sha256: '',
      lastId,
      problem: code === 'ENOENT' ? 'file is missing' : `unreadable (${(e as Error).message})`,
    };
  }
  return { count, sha256: hash.digest('hex'), lastId };
}

function compare(label: string, entry: FileEntry, check: FileCheck, problems: string[]): void {
  if (check.problem !== undefined) {
    problems.push(`${label} (${entry.file}): ${check.problem}`);
    return;
  }
  if (check.count !== entry.count)
    problems.push(`${label}: ${check.count} rows, the manifest says ${entry.count}`);
  if (check.sha256 !== entry.sha256) problems.push(`${label}: checksum does not match the manifest`);
}

async function verifyOne(dir: string): Promise<{ manifest?: Manifest; rows: number; problems: string[] }> {
  const problems: string[] = [];
  const name = basename(dir);
  if (partialTarget(name) !== undefined) {
    problems.push('an interrupted backup (temporary directory), not a snapshot');
    return { rows: 0, problems };
  }
  let manifest: Manifest;
  try {
    manifest = await readManifest(dir);
  } catch (e) {
    if (e instanceof SnapshotFormatError) return { rows: 0, problems: e.problems };
    throw e;
  }
  let rows = 0;
  for (const [entity, entry] of Object.entries(manifest.entities)) {
    const check = await checkFile(join(dir, entry.file), entry.idField);
    compare(entity, entry, check, problems);
    if (check.problem === undefined && check.lastId !== entry.lastId) {
      problems.push(`${entity}: highest ID ${check.lastId}, the manifest says ${entry.lastId}`);
    }
    rows += check.count;
    if (entry.ids)
      compare(`${entity} IDs`, entry.ids, await checkFile(join(dir, entry.ids.file), null), problems);
    else if (manifest.kind === 'incremental') problems.push(`${entity}: an incremental without its ID list`);
  }
  return { manifest, rows, problems };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Verifies a snapshot directory and the chain of bases it builds on (looked up next to it). */
export async function verifySnapshot(dir: string): Promise<VerifyResult> {
  const root = dirname(dir);
  const result: VerifyResult = {
    snapshot: basename(dir),
    ok: false,
    kind: undefined,
    chain: [],
    rows: 0,
    problems: [],
  };
  let current = dir;
  let newerCreatedAt: string | undefined;
  let newerPortal: string | undefined;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const label = depth === 0 ? '' : `base ${basename(current)}: `;
    if (depth > 0 && !(await exists(current))) {
      result.problems.push(`the chain is broken: base ${basename(current)} is missing`);
      return result;
    }
    const one = await verifyOne(current);
    result.chain.push(basename(current));
    result.problems.push(...one.problems.map((p) => label + p));
    if (depth === 0) {
      result.rows = one.rows;
      result.kind = one.manifest?.kind;
    }
    const manifest = one.manifest;
    if (!manifest) return result;
    if (newerCreatedAt !== undefined && Date.parse(manifest.createdAt) >= Date.parse(newerCreatedAt)) {
      result.problems.push(`${label}is not older than the snapshot that builds on it`);
    }
    if (newerPortal !== undefined && manifest.portal !== newerPortal) {
      result.problems.push(`${label}belongs to another portal (${manifest.portal})`);
    }
    if (manifest.kind === 'full') {
      result.ok = result.problems.length === 0;
      return result;
    }
    if (!manifest.base) {
      result.problems.push(`${label}an incremental without a base`);
      return result;
    }
    const next = join(root, manifest.base.name);
    if (await exists(next)) {
      try {
        const baseManifest = await readManifest(next);
        if (baseManifest.createdAt !== manifest.base.createdAt) {
          result.problems.push(
            `the chain is broken: ${manifest.base.name} is not the snapshot this one was built on`,
          );
        }
      } catch {
        // verifyOne of the base reports it
      }
    }
    newerCreatedAt = manifest.createdAt;
    newerPortal = manifest.portal;
    current = next;
  }
  result.problems.push('the incremental chain loops');
  return result;
}
