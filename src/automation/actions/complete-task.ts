/**
 * `complete_task`: the record's open tasks made under a name (`key:` of a task action) are completed
 * with tasks.task.complete (tasks/status/tasks-task-complete.md), e.g. «Указать сроки проекта» once
 * PROJECT_START and PROJECT_END are filled in.
 *
 * Which tasks: the ones the state database knows for (record, name) (state/keyed-task-store.ts) that
 * the portal still shows open: pending (2), in progress (3) or deferred (6). A task people completed
 * themselves is left alone, so the sync job reports it as task_completed; one awaiting control (4)
 * is the creator's to accept. A task closed here is marked `closing` before its call and `closed`
 * after, and is never reported as task_completed: closing a task is not its completion by people
 * (a rejected contract closes the approval task, which must not read as approved).
 *
 * Exactly once: the ledger wraps the whole action; after a crash the verify step (findCompleted)
 * asks the portal whether any task of the name is still open. None open -> found; some open -> the
 * action runs again and completes only those.
 */
import type { B24Client } from '../../rest/client.js';
import { B24Error } from '../../rest/errors.js';
import type { KeyedTask, KeyedTaskStore } from '../../state/keyed-task-store.js';
import type { IntendedAction } from '../intended-action.js';
import { readTaskStates, TASK_COMPLETED } from '../read-tasks.js';

export type CompleteTaskAction = Extract<IntendedAction, { kind: 'complete_task' }>;

/** Statuses tasks.task.complete takes a task out of: pending, in progress, deferred. */
const OPEN_STATUSES = new Set([2, 3, 6]);

/** The tasks of the name b24lab has not seen finished (open, or being closed by an earlier run). */
function candidates(store: KeyedTaskStore, action: CompleteTaskAction): KeyedTask[] {
  return store
    .ofRecord(action.entity, action.name)
    .filter((t) => t.state === 'open' || t.state === 'closing');
}

/**
 * Completes the open tasks; the result lists the ids it completed (or found completed by an earlier
 * run of this action). Throws the B24Error of a call that failed with the task still open.
 */
export async function completeTasks(
  client: B24Client,
  store: KeyedTaskStore,
  action: CompleteTaskAction,
  now: () => number,
): Promise<{ completed: number[] }> {
  const tasks = candidates(store, action);
  if (tasks.length === 0) return { completed: [] };
  const states = await readTaskStates(
    client,
    tasks.map((t) => t.taskId),
  );
  const completed: number[] = [];
  for (const task of tasks) {
    const state = states.get(task.taskId);
    if (!state) {
      store.set(task.taskId, 'gone', now());
      continue;
    }
    if (!OPEN_STATUSES.has(state.status)) {
      // Completed while `closing`: the call of an earlier run went through.
      if (task.state === 'closing' && state.status === TASK_COMPLETED) {
        store.set(task.taskId, 'closed', now());
        completed.push(task.taskId);
      }
      continue;
    }
    store.set(task.taskId, 'closing', now());
    try {
      await client.call('tasks.task.complete', { taskId: task.taskId });
    } catch (e) {
      if (!(e instanceof B24Error)) throw e;
      // The portal answered "not allowed" (people completed it a moment ago) or the answer was lost:
      // the task's status says which.
      const after = (await readTaskStates(client, [task.taskId])).get(task.taskId);
      const refused = e.httpStatus > 0 && !e.retryable;
      if (after && after.status === TASK_COMPLETED && !refused) {
        store.set(task.taskId, 'closed', now());
        completed.push(task.taskId);
        continue;
      }
      store.set(task.taskId, after ? 'open' : 'gone', now());
      if (!after || after.status === TASK_COMPLETED) continue;
      throw e;
    }
    store.set(task.taskId, 'closed', now());
    completed.push(task.taskId);
  }
  return { completed };
}

/**
 * After a crash or a lost answer: the action happened when no task of the name is open on the
 * portal any more. Tasks left `closing` and found completed were closed by that earlier call.
 */
export async function findCompleted(
  client: B24Client,
  store: KeyedTaskStore,
  action: CompleteTaskAction,
  now: () => number,
): Promise<Record<string, unknown> | undefined> {
  const tasks = candidates(store, action);
  if (tasks.length === 0) return { completed: [] };
  const states = await readTaskStates(
    client,
    tasks.map((t) => t.taskId),
  );
  if (tasks.some((t) => OPEN_STATUSES.has(states.get(t.taskId)?.status ?? 0))) return undefined;
  const completed: number[] = [];
  for (const task of tasks) {
    const state = states.get(task.taskId);
    if (!state) store.set(task.taskId, 'gone', now());
    else if (task.state === 'closing' && state.status === TASK_COMPLETED) {
      store.set(task.taskId, 'closed', now());
      completed.push(task.taskId);
    }
  }
  return { completed };
}
