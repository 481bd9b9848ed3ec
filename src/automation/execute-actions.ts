/**
 * Carries out intended actions exactly once, with the ledger around each REST call:
 *
 *   settled in the ledger (done/skipped)     -> nothing
 *   left planned or unknown by an earlier run -> look for it on the portal (verify-action.ts);
 *                                                found -> done, not found -> do it
 *   plan (committed) -> REST call -> done
 *                             \-> error that proves it did not run (503, 429, refused) -> failed,
 *                                 retried by a later run
 *                             \-> any other error: unknown -> check the portal at once; found -> done,
 *                                 not found -> the call is taken as not run and made again (bounded)
 *
 * A process killed between the call and the ledger write leaves `planned`: the next run checks the
 * portal before anything is repeated, so the task exists once. Writes are never retried blindly
 * (STYLE.md §8): the REST client repeats only provably-unrun writes, everything else is checked here.
 */
import type { Clock } from '../clock.js';
import type { B24Client } from '../rest/client.js';
import { B24Error } from '../rest/errors.js';
import { provesNotRun } from '../rest/retry-policy.js';
import type { Ledger, LedgerEntry, LedgerPlan } from '../state/ledger.js';
import { isSettled } from '../state/ledger.js';
import type { KeyedTaskStore } from '../state/keyed-task-store.js';
import type { Logger } from '../ui/logger.js';
import { completeTasks } from './actions/complete-task.js';
import { copyDocuments } from './actions/copy-documents.js';
import { addItem } from './actions/create-item.js';
import { copyItem } from './actions/copy-item.js';
import { updateChildren } from './actions/update-children.js';
import { refKey } from './entity.js';
import { updateLinked } from './linked-records.js';
import { updateListElement } from './actions/update-element.js';
import { isListEntityType } from './list-records.js';
import type { IntendedAction } from './intended-action.js';
import type { Found } from './verify-action.js';
import { findOnPortal } from './verify-action.js';

/**
 *   done      made now
 *   found     an earlier run had made it (found on the portal), now recorded
 *   already   settled in the ledger before this run
 *   skipped   nothing to do (no recipient...), recorded
 *   failed    not made this time (provably not run, or refused); a later run tries again
 *   unknown   the call may have run and the portal could not be asked; a later run checks
 *   gave-up   refused too many times; no more attempts
 *   would-do  --dry-run: what a real run would do
 */
export type ActionOutcome =
  'done' | 'found' | 'already' | 'skipped' | 'failed' | 'unknown' | 'gave-up' | 'would-do';

export interface ActionReport {
  key: string;
  ruleId: string;
  entity: string;
  occurrence: string;
  kind: IntendedAction['kind'];
  summary: string;
  outcome: ActionOutcome;
  /** The REST answer's id (task, comment, notification) or where it was found. */
  result?: unknown;
  error?: string;
}

export interface ExecutorDeps {
  client: B24Client;
  ledger: Ledger;
  /** Tasks made under a name (`key:`): written when such a task is made, read by complete_task. */
  tasks: KeyedTaskStore;
  run: { runId: string; job: string };
  /** The machine's clock: ledger timestamps. */
  clock: Clock;
  logger: Logger;
  dryRun: boolean;
  /** Attempts across runs before an action that keeps failing is given up. */
  maxAttempts?: number;
  /**
   * A test seam at the worst moment: after the REST call answered, before the ledger records it.
   * Throwing here is a process killed there.
   */
  afterCall?: (action: IntendedAction) => void;
}

/** Where b24lab's notifications come from, for the TAG (webhooks must send CLIENT_ID with a TAG). */
const CLIENT_ID = 'b24lab';
const DEFAULT_MAX_ATTEMPTS = 5;
/** Calls of one action within one run (the first plus repeats after the portal showed it missing). */
const CALLS_PER_RUN = 3;

function planOf(action: IntendedAction): LedgerPlan {
  return {
    key: action.key,
    rule: action.ruleId,
    entity: refKey(action.entity),
    occurrence: action.occurrence,
    action: action.kind,
    marker: action.marker,
  };
}

/** The REST call of an action; its answer reduced to what the ledger keeps. */
async function perform(
  client: B24Client,
  action: IntendedAction,
  deps: ExecutorDeps,
): Promise<Record<string, unknown>> {
  switch (action.kind) {
    case 'notify': {
      const id = await client.call<number | false>('im.notify.system.add', {
        USER_ID: action.userId,
        MESSAGE: action.message,
        TAG: action.marker,
        CLIENT_ID,
      });
      return { notificationId: id };
    }
    case 'task': {
      const answer = await client.call<{ task?: { id?: string | number } }>('tasks.task.add', {
        fields: action.task,
      });
      return { taskId: Number(answer.task?.id) };
    }
    case 'comment': {
      // crm.timeline.comment.add takes lower-case `fields` only (crm >= 23.100.0).
      const id = await client.call<number>('crm.timeline.comment.add', {
        fields: { ENTITY_ID: action.entity.id, ENTITY_TYPE: action.entityType, COMMENT: action.text },
      });
      return { commentId: id };
    }
    case 'update': {
      // A list element is written back whole (lists.element.update replaces every field).
      if (isListEntityType(action.entity.entityTypeId))
        return updateListElement(client, action.entity, action.fields);
      await client.call('crm.item.update', {
        entityTypeId: action.entity.entityTypeId,
        id: action.entity.id,
        fields: action.fields,
        useOriginalUfNames: 'Y',
      });
      return { itemId: action.entity.id };
    }
    case 'update_linked':
      return { updated: await updateLinked(client, action.entity, action.to, action.fields) };
    case 'update_children':
      return updateChildren(client, action);
    case 'complete_task':
      return completeTasks(client, deps.tasks, action, () => deps.clock.now());
    case 'copy_documents':
      return { ...(await copyDocuments(client, action)) };
    case 'create_item':
      return addItem(client, action.entityTypeId, action.fields);
    case 'copy_item':
      return copyItem(client, action.entity, action, action.marker);
    case 'skip':
      return {};
  }
}

/**
 * Marks the action done, a named task first remembered by its name: a crash between the two leaves
 * the ledger entry planned, and the rerun finds the task and remembers it again (no change).
 */
function recordDone(action: IntendedAction, result: Record<string, unknown>, deps: ExecutorDeps): void {
  const now = deps.clock.now();
  const taskId = Number(result.taskId);
  if (action.kind === 'task' && action.name !== undefined && Number.isInteger(taskId) && taskId > 0) {
    deps.tasks.add(
      {
        taskId,
        name: action.name,
        entityTypeId: action.entity.entityTypeId,
        entityId: action.entity.id,
        ledgerKey: action.key,
      },
      now,
    );
  }
  deps.ledger.done(action.key, result, now);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function executeAction(action: IntendedAction, deps: ExecutorDeps): Promise<ActionReport> {
  const base = {
    key: action.key,
    ruleId: action.ruleId,
    entity: refKey(action.entity),
    occurrence: action.occurrence,
    kind: action.kind,
    summary: action.summary,
  };
  const entry: LedgerEntry | undefined = deps.ledger.get(action.key);
  if (entry && isSettled(entry.state)) return { ...base, outcome: 'already' };
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (entry && entry.state === 'failed' && entry.attempts >= maxAttempts) {
    return { ...base, outcome: 'gave-up', ...(entry.error ? { error: entry.error } : {}) };
  }
  if (deps.dryRun) {
    const note =
      entry && (entry.state === 'planned' || entry.state === 'unknown')
        ? 'outcome unknown: would check the portal first'
        : undefined;
    return { ...base, outcome: 'would-do', ...(note ? { error: note } : {}) };
  }
  const now = (): number => deps.clock.now();
  if (action.kind === 'skip') {
    deps.ledger.skipped(planOf(action), deps.run, action.reason, now());
    return { ...base, outcome: 'skipped', error: action.reason };
  }
  // An earlier run died or lost the answer: the portal decides whether it happened.
  if (entry && (entry.state === 'planned' || entry.state === 'unknown')) {
    const found = await findOnPortal(deps.client, action, { tasks: deps.tasks, now });
    if (found) {
      recordDone(action, found, deps);
      return { ...base, outcome: 'found', result: found };
    }
  }

  for (let call = 1; ; call++) {
    deps.ledger.plan(planOf(action), deps.run, now());
    let result: Record<string, unknown>;
    try {
      result = await perform(deps.client, action, deps);
    } catch (e) {
      if (!(e instanceof B24Error)) throw e;
      if (provesNotRun(e)) {
        deps.ledger.failed(action.key, describe(e), now());
        return { ...base, outcome: 'failed', error: describe(e) };
      }
      if (!e.retryable && e.httpStatus > 0) {
        // The portal answered and refused (bad user, access denied): it did not do it.
        deps.ledger.failed(action.key, describe(e), now());
        return { ...base, outcome: 'failed', error: describe(e) };
      }
      deps.ledger.unknown(action.key, describe(e), now());
      let found: Found;
      try {
        found = await findOnPortal(deps.client, action, { tasks: deps.tasks, now });
      } catch (check) {
        if (!(check instanceof B24Error)) throw check;
        return {
          ...base,
          outcome: 'unknown',
          error: `${describe(e)}; the check failed too: ${describe(check)}`,
        };
      }
      if (found) {
        recordDone(action, found, deps);
        return { ...base, outcome: 'found', result: found };
      }
      // The portal does not have it: the call did not run. Make it again, a few times at most.
      if (call >= CALLS_PER_RUN) return { ...base, outcome: 'unknown', error: describe(e) };
      continue;
    }
    deps.afterCall?.(action);
    if (action.kind === 'notify' && result.notificationId === false) {
      // The messenger created nothing (no such user): nothing to repeat.
      deps.ledger.skipped(
        planOf(action),
        deps.run,
        `no notification created for user ${action.userId}`,
        now(),
      );
      return { ...base, outcome: 'skipped', error: `no notification created for user ${action.userId}` };
    }
    recordDone(action, result, deps);
    return { ...base, outcome: 'done', result };
  }
}

/** Executes actions one after another and logs each that did something (one JSON line under cron). */
export async function executeActions(actions: IntendedAction[], deps: ExecutorDeps): Promise<ActionReport[]> {
  const reports: ActionReport[] = [];
  for (const action of actions) {
    const report = await executeAction(action, deps);
    reports.push(report);
    if (report.outcome === 'already') continue;
    const fields = {
      job: deps.run.job,
      rule: report.ruleId,
      entity: report.entity,
      action: report.kind,
      outcome: report.outcome,
      key: report.key,
      ...(report.result !== undefined ? { result: report.result } : {}),
      ...(report.error !== undefined ? { error: report.error } : {}),
    };
    const line = `${report.outcome}: ${report.summary}`;
    if (report.outcome === 'failed' || report.outcome === 'unknown' || report.outcome === 'gave-up') {
      deps.logger.warn(line, fields);
    } else {
      deps.logger.info(line, fields);
    }
  }
  return reports;
}
