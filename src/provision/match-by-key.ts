/**
 * Matching config entities to portal entities that carry b24lab's key (pipelines, smart processes,
 * directions): first by key; then an entity without any key whose name is the same is adopted (the
 * apply stores the key on it). An entity keyed by someone else is never adopted.
 */
import { sameName } from '../config/sections/common.js';

export interface Keyed {
  key: string;
}

export function matchByKey<D extends { key: string }, A extends Keyed>(
  desired: readonly D[],
  actual: readonly A[],
  nameOf: (d: D) => string,
  actualName: (a: A) => string,
): { matches: Map<D, { actual: A; adopted: boolean }>; leftovers: A[] } {
  const matches = new Map<D, { actual: A; adopted: boolean }>();
  const claimed = new Set<A>();
  for (const d of desired) {
    const hit = actual.find((a) => !claimed.has(a) && a.key === d.key);
    if (hit) {
      matches.set(d, { actual: hit, adopted: false });
      claimed.add(hit);
    }
  }
  for (const d of desired) {
    if (matches.has(d)) continue;
    const hit = actual.find((a) => !claimed.has(a) && a.key === '' && sameName(actualName(a), nameOf(d)));
    if (hit) {
      matches.set(d, { actual: hit, adopted: true });
      claimed.add(hit);
    }
  }
  return { matches, leftovers: actual.filter((a) => !claimed.has(a)) };
}
