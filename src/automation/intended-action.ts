/**
 * What a rule wants done, before anything is done: a value (STYLE.md §2) that the executor turns into
 * REST calls around the ledger, and `--dry-run` prints.
 *
 * Every action carries its ledger key, built from (rule, record, occurrence, action, recipient), so
 * the same due action computed by another run, a rerun, or a run after a crash has the same key and
 * is done once. The marker (a hash of the key) is embedded in what the action creates — the task's
 * description, the comment's text, the notification's TAG — so a run that died between the call and
 * the ledger write can find out on the portal whether the call went through.
 */
import { createHash } from 'node:crypto';
import type { EntityRef } from './entity.js';
import type { LinkedKind } from './linked-records.js';

export interface TaskFields {
  TITLE: string;
  DESCRIPTION: string;
  RESPONSIBLE_ID: number;
  AUDITORS: number[];
  UF_CRM_TASK: string[];
  DEADLINE?: string;
  CREATED_BY?: number;
}

interface ActionBase {
  /** The ledger key. */
  key: string;
  marker: string;
  ruleId: string;
  entity: EntityRef;
  occurrence: string;
  /** One line for people: what this action does. */
  summary: string;
}

export type IntendedAction = ActionBase &
  (
    | { kind: 'notify'; userId: number; message: string }
    /** `name`: the task action's `key:`, remembered with the task id (state/keyed-task-store.ts). */
    | { kind: 'task'; task: TaskFields; name?: string }
    | { kind: 'comment'; entityType: string; text: string }
    | { kind: 'update'; fields: Record<string, unknown> }
    /** crm.item.update of the record's linked contacts / company whose values differ. */
    | { kind: 'update_linked'; to: LinkedKind[]; fields: Record<string, unknown> }
    /** tasks.task.complete of the record's open tasks made under `name` (actions/complete-task.ts). */
    | { kind: 'complete_task'; name: string }
    /** A Drive folder (path under the storage's root) with the record's documents (actions/copy-documents.ts). */
    | { kind: 'copy_documents'; folder: string[]; storage: 'common' | number; saveTo?: string }
    /** crm.item.add of a smart-process item whose xmlId is the marker (actions/create-item.ts). */
    | { kind: 'create_item'; entityTypeId: number; fields: Record<string, unknown> }
    /** crm.item.add of a copy of the record into another direction (actions/copy-item.ts). */
    | { kind: 'copy_item'; categoryId: number; stageId: string }
    /**
     * crm.item.update of the record's items of a smart process (`parentField` = the record) in the
     * open stages, whose values differ (actions/update-children.ts).
     */
    | {
        kind: 'update_children';
        entityTypeId: number;
        parentField: string;
        openStageIds: string[];
        fields: Record<string, unknown>;
      }
    /** Nothing can be done (no head, no responsible...): recorded once so it is reported once. */
    | { kind: 'skip'; reason: string }
  );

/** One firing of a rule for one record: the occurrence and the actions it asks for. */
export interface Firing {
  ruleId: string;
  entity: EntityRef;
  occurrence: string;
  /** When the firing became due (the event's time, the threshold's moment). */
  at: number;
  actions: IntendedAction[];
}

/** Worked example: 'sales-qualified-control|2:15|stayed:C3:QUALIFIED@1740812400000#15d|0|u7'. */
export function ledgerKey(
  ruleId: string,
  entity: EntityRef,
  occurrence: string,
  actionIndex: number,
  userId?: number,
): string {
  const who = userId === undefined ? '' : `|u${userId}`;
  return `${ruleId}|${entity.entityTypeId}:${entity.id}|${occurrence}|${actionIndex}${who}`;
}

/** `b24lab#` + 16 hex digits of the key's SHA-256: short, unique, findable by substring search. */
export function markerOf(key: string): string {
  return `b24lab#${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** The line appended to a task description or a comment so it can be found again. */
export function markerLine(marker: string): string {
  return `[${marker}]`;
}
