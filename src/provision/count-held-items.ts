/**
 * Counts the deals or items in the stages a plan would delete, so the plan can say up front that
 * Bitrix24 will refuse ("There are active items in this status", crm-status-delete.md) instead of
 * failing half-way through an apply. One batch of crm.item.list calls (select id, the total is the
 * count; crm/universal/crm-item-list.md). A portal without crm.item.list simply gets no counts.
 */
import type { B24Client } from '../rest/client.js';
import type { Plan } from './plan.js';
import { DEAL_ENTITY_TYPE_ID } from './plan-pipelines.js';
import type { PortalSnapshot, SnapshotStage } from './snapshot.js';

interface Target {
  entityTypeId: number;
  stage: SnapshotStage;
}

function targets(snapshot: PortalSnapshot, plan: Plan): Target[] {
  const deleted = new Set(
    plan.operations
      .filter((op) => op.action === 'delete' && op.portalId !== undefined)
      .map((op) => `${op.entity}:${op.portalId}`),
  );
  const out: Target[] = [];
  for (const p of snapshot.pipelines) {
    const whole = deleted.has(`pipeline:${p.id}`);
    for (const stage of p.stages)
      if (whole || deleted.has(`stage:${stage.id}`)) out.push({ entityTypeId: DEAL_ENTITY_TYPE_ID, stage });
  }
  for (const t of snapshot.smartProcesses)
    for (const c of t.categories) {
      const whole = deleted.has(`category:${c.id}`);
      for (const stage of c.stages)
        if (whole || deleted.has(`stage:${stage.id}`)) out.push({ entityTypeId: t.entityTypeId, stage });
    }
  return out;
}

/** Sets itemCount on the snapshot's stages; true when any count was found (the plan is worth recomputing). */
export async function countHeldItems(
  client: B24Client,
  snapshot: PortalSnapshot,
  plan: Plan,
): Promise<boolean> {
  const list = targets(snapshot, plan);
  if (list.length === 0) return false;
  const outcomes = await client.batch(
    list.map((t) => ({
      method: 'crm.item.list',
      params: { entityTypeId: t.entityTypeId, filter: { stageId: t.stage.statusId }, select: ['id'] },
    })),
  );
  let any = false;
  outcomes.forEach((outcome, i) => {
    const target = list[i];
    if (!outcome.ok || !target) return;
    const items = (outcome.result as { items?: unknown[] } | undefined)?.items ?? [];
    const count = outcome.total ?? items.length;
    target.stage.itemCount = count;
    if (count > 0) any = true;
  });
  return any;
}
