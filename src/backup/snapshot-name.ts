/**
 * Snapshot directory names sort by time and say what they are:
 *
 *   snapshotName('lab.example.ru', Date.UTC(2026, 10, 26, 1, 0, 0), 'full')
 *     -> 'lab-example-ru-20261126T010000Z-full'
 *
 * A snapshot being written lives under a hidden temporary name ('.<name>.partial') and is renamed to
 * its final name only when complete, so an interrupted backup never looks like a snapshot.
 */
export type SnapshotKind = 'full' | 'incremental';

const PARTIAL = /^\.(.+)\.partial$/;

/** A file-system-safe slug of a portal address: letters, digits and dashes. */
export function portalSlug(portal: string): string {
  const slug = portal
    .replace(/^[a-z]+:\/\//i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 60) || 'portal';
}

/** `20261126T010000Z` for a moment in UTC. */
export function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function snapshotName(portal: string, atMs: number, kind: SnapshotKind): string {
  return `${portalSlug(portal)}-${compactTime(atMs)}-${kind === 'full' ? 'full' : 'incr'}`;
}

export function partialName(name: string): string {
  return `.${name}.partial`;
}

/** The final name a temporary directory was meant to get, or undefined when it is not one. */
export function partialTarget(dirName: string): string | undefined {
  return PARTIAL.exec(dirName)?.[1];
}
