import type { Store, QueryOptions, Doc } from '../store/store.js';
import type { MethodOutput } from '../methods/registry.js';

/** The fixed page size of every classic list method (reference/bitrix24-rest.md §5). */
export const PAGE_SIZE = 50;

/**
 * Runs one page of a list the way Bitrix24 pages it: `start` is rounded down to a page boundary,
 * `total` counts every match, `next` appears only while more rows exist; `start=-1` skips the count
 * and never answers `next` (the fast path of settings/performance/huge-data.md).
 */
export function listPage<T extends Doc>(
  store: Store,
  kind: string,
  start: number | undefined,
  query: Omit<QueryOptions, 'offset' | 'limit'>,
  render: (rows: T[]) => unknown,
): MethodOutput {
  if (start === -1) {
    const rows = store.query<T>(kind, { ...query, offset: 0, limit: PAGE_SIZE });
    return { result: render(rows), total: 0 };
  }
  const offset = Math.max(0, Math.floor((start ?? 0) / PAGE_SIZE) * PAGE_SIZE);
  const rows = store.query<T>(kind, { ...query, offset, limit: PAGE_SIZE });
  const total = store.count(kind, query.where ?? []);
  const output: MethodOutput = { result: render(rows), total };
  if (offset + rows.length < total) output.next = offset + PAGE_SIZE;
  return output;
}

/** Pages an in-memory array (small directories: scopes, stage lists, entity types). */
export function pageArray<T>(
  items: T[],
  start: number | undefined,
): { rows: T[]; total: number; next?: number } {
  if (start === -1) return { rows: items.slice(0, PAGE_SIZE), total: 0 };
  const offset = Math.max(0, Math.floor((start ?? 0) / PAGE_SIZE) * PAGE_SIZE);
  const rows = items.slice(offset, offset + PAGE_SIZE);
  return offset + rows.length < items.length
    ? { rows, total: items.length, next: offset + PAGE_SIZE }
    : { rows, total: items.length };
}
