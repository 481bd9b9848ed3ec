/**
 * The `task_completed` trigger: a task a rule made under a name (`key:`) was completed on the portal.
 *
 * Detection is part of the sync job, by polling: the tasks the state database holds as `open`
 * (state/keyed-task-store.ts) are asked for by id (read-tasks.ts: 500 ids per filter, one chained
 * request each: 1,200 open tasks cost 3 requests; nothing at all while none are open). Asking for the known ids is cheaper and surer than
 * listing every task changed since a checkpoint (CHANGED_DATE): the portal's other tasks never come
 * back, and no time window can miss a completion. Each completed task (status 5) becomes one event
 * for the record it was made for (listed with crm.item.list), queued in the outbox in the same
 * transaction that marks the task `completed`: a crash before the commit finds the task again, one
 * after it finds the event queued. A task deleted on the portal is marked `gone`; a task b24lab
 * closed itself (complete_task) is never looked at, so it fires nothing.
 *
 * Worked example: rule task `key: results` made task 812 for deal 15; the manager completes it ->
 * event `task_completed` of 2:15, occurrence `task:results#812`, with {{taskClosedBy}} = his id,
 * {{taskClosedByName}}, {{taskClosedDate}} = 2025-03-20 (the portal's date).
 */
import type { Clock } from '../clock.js';
import type { B24Client } from '../rest/client.js';
import type { KeyedTask } from '../state/keyed-task-store.js';
import type { StateDb } from '../state/state-db.js';
import type { ChangeEvent } from './detect-changes.js';
import { eventKey } from './detect-changes.js';
import type { Entity } from './entity.js';
import { entityFromItem, localTime } from './entity.js';
import type { Catalog } from './catalog.js';
import { listTargetOf, readListRecords } from './list-records.js';
import type { OrgChart } from './org-chart.js';
import { userName } from './org-chart.js';
import type { TaskState } from './read-tasks.js';
import { readTaskStates, TASK_COMPLETED } from './read-tasks.js';

export interface TaskCompletedEvent {
  kind: 'task_completed';
  /** `task:<name>#<taskId>`: once per task. */
  occurrence: string;
  /** When it was completed (the portal's closedDate), epoch ms. */
  at: number;
  /** The task's name (`key:` of the task action). */
  task: string;
  taskId: number;
  /** closedBy; 0 when the portal did not say. */
  closedBy: number;
}

export const taskOccurrence = (name: string, taskId: number): string => `task:${name}#${taskId}`;

/** The event of a completed task. */
export function taskCompletedEvent(task: KeyedTask, state: TaskState, now: number): TaskCompletedEvent {
  return {
    kind: 'task_completed',
    occurrence: taskOccurrence(task.name, task.taskId),
    at: state.closedAt ?? now,
    task: task.name,
    taskId: task.taskId,
    closedBy: state.closedBy ?? 0,
  };
}

/** The template values a task_completed event brings: who completed the task and on which day. */
export function taskEventVars(
  event: ChangeEvent,
  org: OrgChart,
  offsetMinutes: number,
): Record<string, string | number> {
  if (event.kind !== 'task_completed') return {};
  return {
    taskId: event.taskId,
    taskClosedBy: event.closedBy > 0 ? event.closedBy : '',
    taskClosedByName: event.closedBy > 0 ? userName(org, event.closedBy) : '',
    taskClosedDate: localTime(event.at, offsetMinutes).date,
  };
}

export interface QueuedTaskEvent {
  key: string;
  body: { event: TaskCompletedEvent; entity: Entity };
}

/** What the poll works with: the job environment's client, state database and clock. */
export interface TaskPollEnvironment {
  client: B24Client;
  state: StateDb;
  clock: Clock;
}

export interface TaskPollOptions {
  /** The portal's time of the run: the event's time when the portal gives no closedDate. */
  portalNow: number;
  dryRun: boolean;
  signal?: AbortSignal;
  /** The rules' catalog and the portal's offset: records of list rules are list elements (list-records.ts). */
  lists?: { catalog: Catalog; offsetMinutes: number };
}

/** Reads the records (crm.item.list by id) the completed tasks were made for, by `entityTypeId:id`. */
async function readRecords(
  env: TaskPollEnvironment,
  tasks: KeyedTask[],
  signal: AbortSignal | undefined,
  lists?: TaskPollOptions['lists'],
): Promise<Map<string, Entity>> {
  const byType = new Map<number, number[]>();
  for (const t of tasks) byType.set(t.entityTypeId, [...(byType.get(t.entityTypeId) ?? []), t.entityId]);
  const out = new Map<string, Entity>();
  for (const [entityTypeId, ids] of byType) {
    const list = lists ? listTargetOf(lists.catalog, entityTypeId)?.list : undefined;
    if (list && lists) {
      const only = { ids: [...new Set(ids)], ...(signal ? { signal } : {}) };
      for await (const entity of readListRecords(env.client, list, lists.offsetMinutes, only))
        out.set(`${entityTypeId}:${entity.id}`, entity);
      continue;
    }
    for await (const row of env.client.list<Record<string, unknown>>(
      'crm.item.list',
      { entityTypeId, filter: { '@id': [...new Set(ids)] }, select: ['*'], useOriginalUfNames: 'Y' },
      signal ? { signal } : {},
    )) {
      const entity = entityFromItem(entityTypeId, row);
      out.set(`${entityTypeId}:${entity.id}`, entity);
    }
  }
  return out;
}

/**
 * Asks the portal about the open named tasks and queues an event for each completed one (a dry run
 * only returns them). `checked`: the tasks asked about.
 */
export async function detectTaskCompletions(
  env: TaskPollEnvironment,
  options: TaskPollOptions,
): Promise<{ checked: number; events: QueuedTaskEvent[] }> {
  const state = env.state;
  const open = state.keyedTasks.inState('open');
  if (open.length === 0) return { checked: 0, events: [] };
  const states = await readTaskStates(
    env.client,
    open.map((t) => t.taskId),
    options.signal,
  );
  const gone = open.filter((t) => !states.has(t.taskId));
  const completed = open.filter((t) => states.get(t.taskId)?.status === TASK_COMPLETED);
  const records =
    completed.length > 0
      ? await readRecords(env, completed, options.signal, options.lists)
      : new Map<string, Entity>();
  const events: QueuedTaskEvent[] = [];
  for (const task of completed) {
    const entity = records.get(`${task.entityTypeId}:${task.entityId}`);
    // The record was deleted: there is nothing left to fire on.
    if (!entity) continue;
    const event = taskCompletedEvent(task, states.get(task.taskId)!, options.portalNow);
    events.push({ key: eventKey(entity, event), body: { event, entity } });
  }
  if (options.dryRun) return { checked: open.length, events };
  const now = env.clock.now();
  state.transaction(() => {
    for (const e of events) {
      state.events.enqueue(
        {
          key: e.key,
          entityTypeId: e.body.entity.entityTypeId,
          entityId: e.body.entity.id,
          kind: e.body.event.kind,
          body: e.body,
        },
        now,
      );
    }
    for (const t of completed) state.keyedTasks.set(t.taskId, 'completed', now);
    for (const t of gone) state.keyedTasks.set(t.taskId, 'gone', now);
  });
  return { checked: open.length, events };
}
