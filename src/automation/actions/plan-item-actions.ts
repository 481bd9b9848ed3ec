/**
 * Planning of the smart-process item actions (pure): create_item, copy_item and move_stage with a
 * `direction`. evaluate-rules.ts calls these from its action switch; the result is the intended
 * action without its ledger base, or the reason nothing can be done.
 */
import type { Catalog, TargetInfo } from '../catalog.js';
import type { Entity } from '../entity.js';
import type { EnumFields } from '../enum-values.js';
import type { IntendedAction } from '../intended-action.js';
import type { Action } from '../rule-schema.js';
import { placeIn, planCreateItem } from './create-item.js';

type Planned<K extends IntendedAction['kind']> = Omit<
  Extract<IntendedAction, { kind: K }>,
  'key' | 'marker' | 'ruleId' | 'entity' | 'occurrence'
>;

/** What planning an item action needs of the firing (planFiring in evaluate-rules.ts). */
export interface ItemPlanContext {
  entity: Entity;
  catalog: Catalog;
  /** The record's own field codes -> names and list items (the rule's). */
  aliases: Record<string, string>;
  enums: EnumFields | undefined;
  marker: string;
  render: (template: string) => string;
  /** The item's responsible (the action's recipient), undefined when nobody resolves. */
  responsible: number | undefined;
}

/** The smart process a record belongs to. */
export function smartProcessOf(catalog: Catalog, entityTypeId: number): TargetInfo | undefined {
  return Object.values(catalog.smartProcesses).find((t) => t.entityTypeId === entityTypeId);
}

export function planItemAction(
  action: Extract<Action, { type: 'create_item' | 'copy_item' }>,
  ctx: ItemPlanContext,
): Planned<'create_item'> | Planned<'copy_item'> | string {
  if (action.type === 'create_item') {
    const plan = planCreateItem({ ...ctx, action });
    if (!plan.ok) return plan.reason;
    return {
      kind: 'create_item',
      entityTypeId: plan.entityTypeId,
      fields: plan.fields,
      summary: plan.summary,
    };
  }
  const target = smartProcessOf(ctx.catalog, ctx.entity.entityTypeId);
  const place = target && placeIn(target, action.direction, action.stage);
  if (!target || !place) return `no direction ${action.direction} of the record's smart process`;
  return {
    kind: 'copy_item',
    categoryId: place.categoryId,
    stageId: place.stageId,
    summary: `copy into ${place.name} (${place.stageId})`,
  };
}

/** move_stage with `direction`: categoryId + stageId (crm/universal/crm-item-update.md, SPA tab). */
export function planMoveToDirection(
  catalog: Catalog,
  entity: Entity,
  direction: string,
  stage: string | undefined,
): Planned<'update'> | string {
  const target = smartProcessOf(catalog, entity.entityTypeId);
  const place = target && placeIn(target, direction, stage);
  if (!place) return `no stage ${stage ?? '(first)'} in direction ${direction} of the record's smart process`;
  return {
    kind: 'update',
    fields: { categoryId: place.categoryId, stageId: place.stageId },
    summary: `move to ${place.name} (${place.stageId})`,
  };
}
