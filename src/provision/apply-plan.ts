/**
 * Executes a plan (STYLE.md §2: apply only executes). Operations run in plan order, in batches of at
 * most 50 calls (one batch request: the portal runs its commands in order). An operation that needs
 * the id of something created earlier waits for the next batch. Entities the portal creates by itself
 * (predicted: the default stages of a new pipeline, the default direction of a new smart process) are
 * looked up right after their container exists.
 *
 * On the first failure the run stops after the batch it was in and reports what was done and what was
 * not; nothing is rolled back. A rerun plans against the portal as it is then, so it finishes the rest.
 */
import { B24Error } from '../rest/errors.js';
import type { BatchCall } from '../rest/batch.js';
import type { B24Client } from '../rest/client.js';
import { callFor, callIds, createdRef } from './operation-calls.js';
import type { Operation, Plan, PortalRef } from './plan.js';
import { stageEntityId, stagePrefix } from './read-snapshot.js';
import { selectOperations } from './select-operations.js';

export const APPLY_BATCH_SIZE = 50;

export interface ApplyProgress {
  done: number;
  total: number;
}

export interface ApplyOptions {
  allowDeletes: boolean;
  onProgress?: (progress: ApplyProgress) => void;
}

export interface OperationFailure {
  op: Operation;
  /** What went wrong and what to do, for a person. */
  message: string;
  /** The portal's error code, when the portal refused. */
  code?: string;
}

export interface ApplyResult {
  done: Operation[];
  failed: OperationFailure[];
  /** Not attempted: the run stopped before them. */
  notDone: Operation[];
  /** Destructive operations left out for want of --allow-deletes. */
  skipped: Operation[];
  /** Batch requests sent. */
  batches: number;
}

/** The addresses an operation needs portal ids for. */
function dependencies(op: Operation): string[] {
  const deps: string[] = [];
  if (op.owner && (op.action === 'create' || op.entity === 'category' || op.predicted)) deps.push(op.owner);
  for (const value of Object.values(op.set ?? {}))
    if (value && typeof value === 'object' && 'ref' in value) deps.push(String(value.ref));
  return deps;
}

/**
 * A refusal explained: "There are active items in this status" becomes which stage, why Bitrix24
 * refuses (crm-status-delete.md; crm-category-delete.md for pipelines) and what to do.
 */
export function explainFailure(op: Operation, error: unknown): OperationFailure {
  if (!(error instanceof B24Error)) return { op, message: `${op.name}: ${String(error)}` };
  const text = error.description.toLowerCase();
  const holds = op.address.startsWith('pipeline:') ? 'deals' : 'items';
  if (op.action === 'delete' && op.entity === 'stage' && text.includes('active items'))
    return {
      op,
      code: error.code,
      message: `Stage «${op.name}» holds ${holds}: Bitrix24 refuses to delete a stage that holds ${holds}. Move them to another stage first, or keep the stage in the config.`,
    };
  if (
    op.action === 'delete' &&
    (op.entity === 'pipeline' || op.entity === 'category') &&
    /(related|found|elements|items)/.test(text)
  )
    return {
      op,
      code: error.code,
      message: `«${op.name}» holds ${holds}: Bitrix24 refuses to delete it while it does. Move or delete them first, or keep it in the config.`,
    };
  return {
    op,
    code: error.code,
    message: `${op.action} «${op.name}»: ${error.description || error.message}`,
  };
}

export async function applyPlan(client: B24Client, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const { run, skipped } = selectOperations(plan, options.allowDeletes);
  const ids = new Map<string, PortalRef>(Object.entries(plan.known));
  const resolve = (address: string): PortalRef | undefined => ids.get(address);
  const looked = new Set<string>();
  const result: ApplyResult = { done: [], failed: [], notDone: [], skipped, batches: 0 };
  let i = 0;

  const lookUpPredicted = async (op: Operation): Promise<void> => {
    const owner = op.owner ?? '';
    const ref = ids.get(owner);
    if (looked.has(owner) || ref?.entityTypeId === undefined) return;
    looked.add(owner);
    if (op.entity === 'category') {
      const answer = await client.call<{ categories: Record<string, unknown>[] }>('crm.category.list', {
        entityTypeId: ref.entityTypeId,
      });
      const found = answer.categories.find((c) => c.isDefault === 'Y' || c.isDefault === true);
      if (found) ids.set(op.address, { id: Number(found.id), entityTypeId: ref.entityTypeId });
      return;
    }
    const rows = await client.call<Record<string, unknown>[]>('crm.status.list', {
      filter: { ENTITY_ID: stageEntityId(ref.entityTypeId, ref.id) },
    });
    const prefix = stagePrefix(ref.entityTypeId, ref.id);
    const codes = rows.map((r) => ({ id: Number(r.ID), code: String(r.STATUS_ID).slice(prefix.length) }));
    for (const row of codes) ids.set(`${owner}/stage:${row.code}`, { id: row.id });
    // Long default codes are cut to the STATUS_ID limit (C10:PREPAYMENT_INVOIC): match by prefix.
    for (const other of run.slice(i)) {
      if (!other.predicted || other.owner !== owner || ids.has(other.address)) continue;
      const code = other.address.slice(other.address.lastIndexOf(':') + 1);
      const cut = codes.find((c) => code.startsWith(c.code) && !ids.has(`${owner}/stage:${code}`));
      if (cut) ids.set(other.address, { id: cut.id });
    }
  };

  const stop = (failure: OperationFailure): void => {
    result.failed.push(failure);
  };

  while (i < run.length && result.failed.length === 0) {
    const batch: { op: Operation; call: BatchCall }[] = [];
    const pending = new Set<string>();
    while (i < run.length && batch.length < APPLY_BATCH_SIZE) {
      const op = run[i] as Operation;
      if (dependencies(op).some((d) => pending.has(d)) || (op.predicted && pending.has(op.owner ?? '')))
        break;
      if ((op.predicted && !ids.has(op.address)) || op.blocked) {
        if (batch.length > 0) break;
        if (op.blocked) {
          stop({ op, message: `«${op.name}»: ${op.blocked}. Nothing was sent for it.` });
          i++;
          break;
        }
        await lookUpPredicted(op);
        if (!ids.has(op.address)) {
          i++;
          if (op.action === 'delete') {
            // The portal did not create this default stage: nothing to delete.
            result.done.push(op);
            continue;
          }
          stop({
            op,
            message: `«${op.name}»: expected the portal to create it with its container, and it did not. Run apply again: the new plan reads the portal as it is.`,
          });
          break;
        }
      }
      let call: BatchCall;
      try {
        call = callFor(op, callIds(resolve, true));
      } catch (e) {
        if (batch.length > 0) break;
        stop({ op, message: `«${op.name}»: ${(e as Error).message}` });
        i++;
        break;
      }
      batch.push({ op, call });
      pending.add(op.address);
      i++;
    }
    if (batch.length === 0) continue;
    const outcomes = await client.batch(batch.map((b) => b.call));
    result.batches += 1;
    batch.forEach(({ op }, j) => {
      const outcome = outcomes[j];
      if (!outcome) return;
      if (!outcome.ok) {
        stop(explainFailure(op, outcome.error));
        return;
      }
      if (op.action === 'create') {
        const ref = createdRef(op, outcome.result, callIds(resolve, false));
        if (ref) ids.set(op.address, ref);
      }
      result.done.push(op);
    });
    options.onProgress?.({ done: result.done.length, total: run.length });
  }
  const finished = new Set<Operation>([...result.done, ...result.failed.map((f) => f.op)]);
  result.notDone = run.filter((op) => !finished.has(op));
  return result;
}
