/**
 * From findings to REST calls (pure). Fixes of one record from several findings become one update;
 * when two fixes set the same field, the later check wins (CHECKS order): a contact whose dismissed
 * responsible the inactive check would hand to the department head goes to the manager of its open
 * deals instead, as the responsible-mismatch check asks, so a rerun finds nothing left.
 *
 * Calls (reference/bitrix24-automation-and-domain.md §4): crm.item.update with categoryId next to a
 * stageId (crm-item-update.md: a smart-process item updated without categoryId may land in the
 * default direction), tasks.task.update, bizproc.workflow.terminate, crm.entity.mergeBatch.
 */
import type { EntityRef, Finding, FixAction, FixTarget } from './finding.js';

export interface RepairCall {
  method: string;
  params: Record<string, unknown>;
  /** The record the call changes (for the pre-repair backup and the report). */
  target:
    FixTarget | { type: 'workflow'; id: string } | { type: 'merge'; entityTypeId: number; ids: number[] };
  /** Fields changed (set-fields), so a restore puts back exactly these. */
  fields: string[];
  /** What a person reads: the entities and the fix. */
  entities: EntityRef[];
  describe: string;
}

export interface RepairPlan {
  calls: RepairCall[];
  /** Findings left for a person (and duplicates without --merge-duplicates). */
  left: Finding[];
}

const targetKey = (t: FixTarget): string =>
  t.type === 'crm' ? `crm:${t.entityTypeId}:${t.id}` : `task:${t.id}`;

export function planRepair(findings: readonly Finding[], options: { mergeDuplicates: boolean }): RepairPlan {
  const updates = new Map<
    string,
    { target: FixTarget; fields: Record<string, unknown>; entities: EntityRef[]; hints: string[] }
  >();
  const others: RepairCall[] = [];
  const left: Finding[] = [];
  for (const finding of findings) {
    const wanted = finding.fixable === 'repair' || (finding.fixable === 'merge' && options.mergeDuplicates);
    if (!wanted || !finding.fixes) {
      left.push(finding);
      continue;
    }
    for (const fix of finding.fixes) {
      if (fix.kind === 'set-fields') {
        const key = targetKey(fix.target);
        let u = updates.get(key);
        if (!u) updates.set(key, (u = { target: fix.target, fields: {}, entities: [], hints: [] }));
        Object.assign(u.fields, fix.fields);
        const entity = entityOf(finding, fix);
        if (entity && !u.entities.some((e) => e.type === entity.type && e.id === entity.id))
          u.entities.push(entity);
        u.hints.push(`${finding.check}: ${finding.hint}`);
      } else others.push(otherCall(finding, fix));
    }
  }
  const calls: RepairCall[] = [];
  for (const u of updates.values()) {
    const t = u.target;
    calls.push(
      t.type === 'crm'
        ? {
            method: 'crm.item.update',
            params: { entityTypeId: t.entityTypeId, id: t.id, fields: u.fields },
            target: t,
            fields: Object.keys(u.fields),
            entities: u.entities,
            describe: u.hints.join('; '),
          }
        : {
            method: 'tasks.task.update',
            params: { taskId: t.id, fields: u.fields },
            target: t,
            fields: Object.keys(u.fields),
            entities: u.entities,
            describe: u.hints.join('; '),
          },
    );
  }
  return { calls: [...calls, ...others], left };
}

/** The entity of a finding a set-fields fix is about (findings that group records list them all). */
function entityOf(finding: Finding, fix: Extract<FixAction, { kind: 'set-fields' }>): EntityRef | undefined {
  const t = fix.target;
  return finding.entities.find(
    (e) =>
      (t.type === 'task' ? e.type === 'task' : e.entityTypeId === t.entityTypeId) && Number(e.id) === t.id,
  );
}

function otherCall(finding: Finding, fix: Exclude<FixAction, { kind: 'set-fields' }>): RepairCall {
  if (fix.kind === 'terminate-workflow')
    return {
      method: 'bizproc.workflow.terminate',
      params: { ID: fix.workflowId, STATUS: 'Terminated by b24lab repair: stuck' },
      target: { type: 'workflow', id: fix.workflowId },
      fields: [],
      entities: finding.entities,
      describe: `${finding.check}: ${finding.hint}`,
    };
  // crm-entity-merge-batch.md: params.entityTypeId and params.entityIds; the first ID is kept.
  return {
    method: 'crm.entity.mergeBatch',
    params: { params: { entityTypeId: fix.entityTypeId, entityIds: fix.ids } },
    target: { type: 'merge', entityTypeId: fix.entityTypeId, ids: fix.ids },
    fields: [],
    entities: finding.entities,
    describe: `${finding.check}: merge into #${fix.ids[0]}`,
  };
}
