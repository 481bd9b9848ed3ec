/**
 * "Did this side effect happen?" — asked of the portal before a run repeats an action whose outcome is
 * unknown (STYLE.md §8: check, then decide). Each action carries a marker (intended-action.ts) that
 * is looked for in what the portal holds:
 *   task     tasks.task.list of the record's binding (UF_CRM_TASK), marker in DESCRIPTION
 *            (tasks/tasks-task-list.md: UF_CRM_TASK is a filter key)
 *   comment  crm.timeline.comment.list of the record, marker in COMMENT
 *            (crm/timeline/comments/crm-timeline-comment-list.md)
 *   update   crm.item.get: the fields already hold the wanted values
 *   create_item, copy_item   crm.item.list of the item whose xmlId is the marker (create-item.ts)
 *   notify   not readable over REST; but a notification with the same TAG replaces the older one
 *            (chats/notifications/im-notify-system-add.md), so sending it again cannot double it
 *   update_children  crm.item.list of the record's items: every open one holds the values
 *   complete_task  tasks.task.list of the named tasks: none still open (actions/complete-task.ts)
 */
import type { B24Client } from '../rest/client.js';
import type { KeyedTaskStore } from '../state/keyed-task-store.js';
import { findCompleted } from './actions/complete-task.js';
import { findCopiedDocuments } from './actions/copy-documents.js';
import { findItemByMarker } from './actions/create-item.js';
import { childrenHold } from './actions/update-children.js';
import { listElementHolds } from './actions/update-element.js';
import { isListEntityType } from './list-records.js';
import type { IntendedAction } from './intended-action.js';
import { linkedHold } from './linked-records.js';

/** Where the side effect was found, or undefined when the portal does not have it. */
export type Found = Record<string, unknown> | undefined;

interface TaskRow {
  id?: string | number;
  ID?: string | number;
  description?: string;
  DESCRIPTION?: string;
}

interface CommentRow {
  ID?: string | number;
  id?: string | number;
  COMMENT?: string;
  comment?: string;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const la = (Array.isArray(a) ? a : [a]).map(String);
    const lb = (Array.isArray(b) ? b : [b]).map(String);
    return la.length === lb.length && la.every((v, i) => v === lb[i]);
  }
  if (typeof b === 'boolean') return (a === true || a === 'Y' || a === 1 || a === '1') === b;
  // A date written as YYYY-MM-DD ({{today}}) reads back as that day's midnight in the portal's zone,
  // printed with its offset: '2025-03-10' -> '2025-03-10T03:00:00+03:00' (reference/bitrix24-rest.md §7).
  if (typeof b === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(b) && typeof a === 'string')
    return a.slice(0, 10) === b;
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && a !== null && b !== null && Number.isFinite(na) && Number.isFinite(nb))
    return na === nb;
  return String(a ?? '') === String(b ?? '');
}

/** The local state some checks need: the named tasks (complete_task) and the time to stamp them. */
export interface VerifyState {
  tasks: KeyedTaskStore;
  now: () => number;
}

export async function findOnPortal(
  client: B24Client,
  action: IntendedAction,
  state?: VerifyState,
): Promise<Found> {
  switch (action.kind) {
    case 'task': {
      // The task's own binding (a list element's task is bound to its deal, or to nothing: then it is
      // looked for among its responsible's tasks).
      const binding = action.task.UF_CRM_TASK[0];
      for await (const t of client.list<TaskRow>('tasks.task.list', {
        filter:
          binding !== undefined ? { UF_CRM_TASK: binding } : { RESPONSIBLE_ID: action.task.RESPONSIBLE_ID },
        select: ['ID', 'TITLE', 'DESCRIPTION', 'UF_CRM_TASK'],
      })) {
        const text = t.description ?? t.DESCRIPTION ?? '';
        if (text.includes(action.marker)) return { taskId: Number(t.id ?? t.ID) };
      }
      return undefined;
    }
    case 'comment': {
      const rows = await client.call<CommentRow[]>('crm.timeline.comment.list', {
        filter: { ENTITY_ID: action.entity.id, ENTITY_TYPE: action.entityType },
        select: ['ID', 'COMMENT'],
        order: { ID: 'DESC' },
      });
      const hit = (Array.isArray(rows) ? rows : []).find((c) =>
        (c.COMMENT ?? c.comment ?? '').includes(action.marker),
      );
      return hit ? { commentId: Number(hit.ID ?? hit.id) } : undefined;
    }
    case 'update': {
      if (isListEntityType(action.entity.entityTypeId))
        return (await listElementHolds(client, action.entity, action.fields))
          ? { elementId: action.entity.id }
          : undefined;
      const answer = await client.call<{ item?: Record<string, unknown> }>('crm.item.get', {
        entityTypeId: action.entity.entityTypeId,
        id: action.entity.id,
        useOriginalUfNames: 'Y',
      });
      const item = answer.item ?? {};
      const all = Object.entries(action.fields).every(([k, v]) => sameValue(item[k], v));
      return all ? { itemId: action.entity.id } : undefined;
    }
    case 'update_linked':
      return (await linkedHold(client, action.entity, action.to, action.fields))
        ? { itemId: action.entity.id }
        : undefined;
    case 'update_children':
      return (await childrenHold(client, action)) ? { itemId: action.entity.id } : undefined;
    case 'complete_task':
      // Only the state database knows which tasks bear the name: without it nothing can be said.
      return state ? findCompleted(client, state.tasks, action, state.now) : undefined;
    case 'copy_documents': {
      const found = await findCopiedDocuments(client, action);
      return found ? { ...found } : undefined;
    }
    case 'create_item':
      return findItemByMarker(client, action.entityTypeId, action.marker);
    case 'copy_item':
      return findItemByMarker(client, action.entity.entityTypeId, action.marker);
    case 'notify':
    case 'skip':
      return undefined;
  }
}
