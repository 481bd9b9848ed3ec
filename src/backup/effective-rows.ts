/**
 * The rows a chain of snapshots stands for: a full snapshot plus incrementals on top. For each entity,
 * the newest version of every record whose ID is still present in the newest snapshot's ID list:
 *
 *   full:  deals 1, 2, 3           inc1: deal 2 (changed), IDs [1, 2, 3, 4] + deal 4 (new)
 *   inc2:  nothing changed, IDs [1, 2, 4] (3 deleted)
 *   -> deal 2 from inc1, deal 4 from inc1, deal 1 from full; 3 is gone.
 *
 * Memory: a set of the IDs already given (numbers), not the rows.
 */
import { join } from 'node:path';
import type { Manifest } from './manifest.js';
import { readManifest, readRows } from './read-snapshot.js';
import type { Row } from './write-snapshot.js';
import { numericId } from './write-snapshot.js';

export interface ChainLink {
  dir: string;
  manifest: Manifest;
}

/** The snapshot and its bases, newest first, ending with the full one. */
export async function loadChain(dir: string): Promise<ChainLink[]> {
  const chain: ChainLink[] = [];
  let current = dir;
  for (;;) {
    const manifest = await readManifest(current);
    chain.push({ dir: current, manifest });
    if (manifest.kind === 'full' || !manifest.base) return chain;
    current = join(current, '..', manifest.base.name);
  }
}

export async function* effectiveRows(chain: ChainLink[], entity: string): AsyncGenerator<Row> {
  const newest = chain[0];
  if (!newest) return;
  const head = newest.manifest.entities[entity];
  if (!head) return;
  if (newest.manifest.kind === 'full' || head.idField === null) {
    yield* readRows<Row>(newest.dir, head.file);
    return;
  }
  const present = new Set<number>();
  if (head.ids) for await (const id of readRows<number>(newest.dir, head.ids.file)) present.add(id);
  const given = new Set<number>();
  for (const link of chain) {
    const entry = link.manifest.entities[entity];
    if (!entry) continue;
    for await (const row of readRows<Row>(link.dir, entry.file)) {
      const id = numericId(row[head.idField]);
      if (id === undefined || !present.has(id) || given.has(id)) continue;
      given.add(id);
      yield row;
    }
  }
}
