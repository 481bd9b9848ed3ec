/**
 * The `children_finished` trigger of deal rules: every item of a smart process linked to the deal
 * (parentId2) is in a final stage, at least one of them successful — «when the project (all its
 * copies) is finished, the manager sends the results» (case study, «Смарт-процессы»).
 *
 * Found by the sync job: it also lists the items of the smart processes such rules name (every
 * direction), and when one enters a final stage (semantics S or F, crm.status.list SEMANTICS) it
 * reads the deal's items (crm.item.list filter parentId2, crm/universal/crm-item-list.md) and the
 * deal, and plans the deal's rules. The occurrence is the sorted ids of the items, so the rules
 * fire once per set of items: two items finishing in one sync give the same key twice (the ledger
 * keeps one), and an item added later and finished makes a new set, a new firing. An item deleted
 * while the others are finished is not noticed until another item enters a final stage (polling
 * does not see deletions).
 *
 * With `directions:` only the items in those directions are the deal's work (the set, {{children}}):
 * an item in another direction keeps the set unfinished while open (semantics P) and is ignored once
 * final — an item left at «Передано в работу» of the new-request direction is a success stage, not a
 * finished project.
 */
import type { B24Client } from '../../rest/client.js';
import type { Catalog, ResolvedRule, StageSemantics } from '../catalog.js';
import { findStage } from '../catalog.js';
import type { ChangeEvent } from '../detect-changes.js';
import type { Entity } from '../entity.js';
import { DEAL_ENTITY_TYPE_ID, entityFromItem } from '../entity.js';
import type { RuleContext } from '../evaluate-rules.js';
import { appliesTo, planFiring } from '../evaluate-rules.js';
import type { Firing } from '../intended-action.js';
import { matchesConditions } from '../match-conditions.js';
import { conditionContextOf, parentRefOf } from '../parent-record.js';

export interface ChildRow {
  id: number;
  categoryId: number;
  stageId: string;
  stageSemanticId?: string | null;
}

const watching = (rule: ResolvedRule): string | undefined =>
  rule.rule.trigger.type === 'children_finished' ? rule.rule.trigger.smartProcess : undefined;

const workDirections = (rule: ResolvedRule): string[] | undefined =>
  rule.rule.trigger.type === 'children_finished' ? rule.rule.trigger.directions : undefined;

/** The smart processes children_finished rules watch: entityTypeId -> every direction's id. */
export function childWatches(rules: ResolvedRule[], catalog: Catalog): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const rule of rules) {
    const key = watching(rule);
    const target = key === undefined ? undefined : catalog.smartProcesses[key];
    if (target)
      out.set(
        target.entityTypeId,
        target.categories.map((c) => c.id),
      );
  }
  return out;
}

function semanticsOf(catalog: Catalog, entityTypeId: number, child: ChildRow): StageSemantics {
  const stage = findStage(catalog, entityTypeId, child.categoryId, child.stageId);
  if (stage) return stage.semantics;
  return child.stageSemanticId === 'S' || child.stageSemanticId === 'F' ? child.stageSemanticId : 'P';
}

/**
 * The finished set of the deal's items, or undefined while it is not finished (pure): all in a final
 * stage, at least one successful. With `directions` (keys), the set is the items in those directions;
 * an open item elsewhere keeps it unfinished, a final one elsewhere is left out.
 */
export function finishedChildren(
  catalog: Catalog,
  entityTypeId: number,
  children: ChildRow[],
  directions?: string[],
): ChildRow[] | undefined {
  const rows = children.map((c) => ({ child: c, semantics: semanticsOf(catalog, entityTypeId, c) }));
  let work = rows;
  if (directions !== undefined) {
    const target = Object.values(catalog.smartProcesses).find((t) => t.entityTypeId === entityTypeId);
    const ids = new Set(
      (target?.categories ?? []).filter((c) => directions.includes(c.key)).map((c) => c.id),
    );
    if (rows.some((r) => !ids.has(r.child.categoryId) && r.semantics === 'P')) return undefined;
    work = rows.filter((r) => ids.has(r.child.categoryId));
  }
  const finished =
    work.length > 0 && work.every((r) => r.semantics !== 'P') && work.some((r) => r.semantics === 'S');
  return finished ? work.map((r) => r.child) : undefined;
}

/** All in a final stage (in `directions`, when given), at least one successful (pure). */
export function childrenFinished(
  catalog: Catalog,
  entityTypeId: number,
  children: ChildRow[],
  directions?: string[],
): boolean {
  return finishedChildren(catalog, entityTypeId, children, directions) !== undefined;
}

/** `children:laboratory:12,15`: one firing per set of items. */
export function childrenOccurrence(smartProcess: string, children: ChildRow[]): string {
  const ids = children.map((c) => c.id).sort((a, b) => a - b);
  return `children:${smartProcess}:${ids.join(',')}`;
}

/** Whether a change of an item may finish its deal's set: it entered a final stage. */
function entersFinal(catalog: Catalog, item: Entity, event: ChangeEvent): boolean {
  if (event.kind !== 'stage_entered') return false;
  const child = { id: item.id, categoryId: item.categoryId, stageId: event.stageId };
  return semanticsOf(catalog, item.entityTypeId, child) !== 'P';
}

/**
 * The deal rules' firings for a change of a smart-process item (none unless the item entered a final
 * stage and all the deal's items are finished). Reads the portal; throws its B24Error.
 */
export async function childrenFinishedFirings(
  client: B24Client,
  rules: ResolvedRule[],
  item: Entity,
  event: ChangeEvent,
  ctx: RuleContext,
): Promise<Firing[]> {
  const concerned = rules.filter((r) => {
    const key = watching(r);
    return key !== undefined && ctx.catalog.smartProcesses[key]?.entityTypeId === item.entityTypeId;
  });
  if (concerned.length === 0 || !entersFinal(ctx.catalog, item, event)) return [];
  const parent = parentRefOf(item);
  if (!parent) return [];
  const children: ChildRow[] = [];
  for await (const row of client.list<Record<string, unknown>>('crm.item.list', {
    entityTypeId: item.entityTypeId,
    filter: { [`parentId${DEAL_ENTITY_TYPE_ID}`]: parent.id },
    select: ['id', 'categoryId', 'stageId', 'stageSemanticId'],
  })) {
    children.push({
      id: Number(row.id),
      categoryId: Number(row.categoryId),
      stageId: String(row.stageId ?? ''),
      stageSemanticId: typeof row.stageSemanticId === 'string' ? row.stageSemanticId : null,
    });
  }
  const sets = new Map<ResolvedRule, ChildRow[]>();
  for (const rule of concerned) {
    const set = finishedChildren(ctx.catalog, item.entityTypeId, children, workDirections(rule));
    if (set) sets.set(rule, set);
  }
  if (sets.size === 0) return [];
  const answer = await client.call<{ items?: Record<string, unknown>[] }>('crm.item.list', {
    entityTypeId: DEAL_ENTITY_TYPE_ID,
    filter: { id: parent.id },
    select: ['*'],
    useOriginalUfNames: 'Y',
  });
  const row = (answer.items ?? [])[0];
  if (!row) return [];
  const deal = entityFromItem(DEAL_ENTITY_TYPE_ID, row);
  const out: Firing[] = [];
  for (const [rule, set] of sets) {
    if (!appliesTo(rule, deal)) continue;
    const context = conditionContextOf(rule.enums, deal, ctx.catalog, ctx.parents);
    if (!matchesConditions(deal, rule.rule.conditions, context)) continue;
    const occurrence = childrenOccurrence(watching(rule) ?? '', set);
    out.push(planFiring(rule, deal, occurrence, event.at, ctx, { children: set.length }));
  }
  return out;
}
