/**
 * The state of tasks b24lab made, asked of the portal by id: tasks.task.list with an `ID` array
 * filter and a small select (tasks/tasks-task-list.md: `ID` is a filter key, an array matches any of
 * its values; rows come back camelCase with string values, `closedDate` ISO 8601 with the portal's
 * offset, `closedBy` null until completed). A task the answer leaves out was deleted (or is no longer
 * visible to b24lab's user).
 */
import type { B24Client } from '../rest/client.js';
import { parseTime } from './entity.js';

/** tasks.task status: 2 pending, 3 in progress, 4 awaiting control, 5 completed, 6 deferred. */
export const TASK_COMPLETED = 5;

export interface TaskState {
  id: number;
  status: number;
  /** Who completed it (closedBy); undefined while it is not completed. */
  closedBy: number | undefined;
  /** When (epoch ms) and how the portal printed it. */
  closedAt: number | undefined;
  closedDate: string | undefined;
}

interface Row {
  id?: string | number;
  ID?: string | number;
  status?: string | number;
  STATUS?: string | number;
  closedBy?: string | number | null;
  CLOSED_BY?: string | number | null;
  closedDate?: string | null;
  CLOSED_DATE?: string | null;
}

/** Ids per request: keeps the filter of one request short. */
const IDS_PER_REQUEST = 500;

function positive(value: unknown): number | undefined {
  const n = Number(value);
  return value !== null && value !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function readTaskStates(
  client: B24Client,
  ids: number[],
  signal?: AbortSignal,
): Promise<Map<number, TaskState>> {
  const out = new Map<number, TaskState>();
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  for (let i = 0; i < unique.length; i += IDS_PER_REQUEST) {
    const chunk = unique.slice(i, i + IDS_PER_REQUEST);
    for await (const row of client.list<Row>(
      'tasks.task.list',
      { filter: { ID: chunk }, select: ['ID', 'STATUS', 'CLOSED_BY', 'CLOSED_DATE'] },
      signal ? { signal } : {},
    )) {
      const id = positive(row.id ?? row.ID);
      if (id === undefined) continue;
      const closedDate = row.closedDate ?? row.CLOSED_DATE ?? undefined;
      out.set(id, {
        id,
        status: Number(row.status ?? row.STATUS),
        closedBy: positive(row.closedBy ?? row.CLOSED_BY),
        closedAt: parseTime(closedDate),
        closedDate: closedDate ?? undefined,
      });
    }
  }
  return out;
}
