/**
 * `create_item`: crm.item.add of a smart-process item linked to the record, e.g. the «Лаборатория»
 * project of a deal entering production (crm/universal/crm-item-add.md: `parentId<entityTypeId>`
 * links the item to its parent, parentId2 = the deal; categoryId + stageId place it).
 *
 * Exactly once. The item carries the action's marker (`b24lab#<16 hex>`, intended-action.ts) in its
 * `xmlId` («Внешний код», a field of every smart-process item, crm-item-update.md) written by the same
 * crm.item.add call, so "the item this action made" is one filter away after a crash
 * (crm.item.list filter xmlId = marker). Why not parent + direction + title, or a timeline comment:
 * people rename items, move them between directions and add items to the same deal by hand, so those
 * identify nothing; a comment is a second call, and a crash between the two leaves an unmarked item
 * that would be made again. The xmlId is not shown on the item's card and nothing else here writes it.
 */
import type { B24Client } from '../../rest/client.js';
import type { TargetInfo } from '../catalog.js';
import { fieldValue } from '../entity.js';
import type { EnumFields } from '../enum-values.js';
import { enumWriteFields, sameEnumItem } from '../enum-values.js';
import type { IntendedAction } from '../intended-action.js';
import type { Action } from '../rule-schema.js';
import type { ItemPlanContext } from './plan-item-actions.js';

export type CreateItemRule = Extract<Action, { type: 'create_item' }>;
export type ItemAction = Extract<IntendedAction, { kind: 'create_item' | 'copy_item' }>;

export type ItemPlan =
  | { ok: true; entityTypeId: number; fields: Record<string, unknown>; summary: string }
  | { ok: false; reason: string };

export interface CreateItemInput extends ItemPlanContext {
  action: CreateItemRule;
}

/** The direction and stage of a smart process by keys: the stage named, else the direction's first. */
export function placeIn(
  target: TargetInfo,
  direction: string,
  stage: string | undefined,
): { categoryId: number; stageId: string; name: string } | undefined {
  const category = target.categories.find((c) => c.key === direction);
  const found = stage === undefined ? category?.stages[0] : category?.stages.find((s) => s.code === stage);
  if (!category || !found) return undefined;
  return { categoryId: category.id, stageId: found.id, name: `${category.name} / ${found.name}` };
}

/**
 * The value of a record's field for the same-code field of the item: list fields go item to item by
 * XML_ID (a deal's SERVICE ids are not the smart process's).
 */
function copied(
  value: unknown,
  fromItems: EnumFields[string] | undefined,
  toItems: EnumFields[string] | undefined,
): unknown {
  if (!fromItems || !toItems) return value;
  const one = (v: unknown): unknown => sameEnumItem(fromItems, toItems, v);
  if (Array.isArray(value)) return value.map(one).filter((v) => v !== undefined);
  return value === null || value === undefined || value === '' ? value : (one(value) ?? null);
}

/** The crm.item.add fields of a create_item action for a record (pure). */
export function planCreateItem(input: CreateItemInput): ItemPlan {
  const { action, entity, catalog } = input;
  const target = catalog.smartProcesses[action.smartProcess];
  if (!target) return { ok: false, reason: `unknown smart process ${action.smartProcess}` };
  const place = placeIn(target, action.direction, action.stage);
  if (!place) return { ok: false, reason: `no stage ${action.stage ?? '(first)'} in ${action.direction}` };
  const itemAliases = target.fields ?? {};
  const itemName = (code: string): string => itemAliases[code] ?? code;
  const fields: Record<string, unknown> = {};
  for (const code of action.copy) {
    const from = input.aliases[code] ?? code;
    const to = itemName(code);
    fields[to] = copied(fieldValue(entity, from), input.enums?.[from], target.enums?.[to]);
  }
  for (const [code, value] of Object.entries(action.fields)) {
    fields[itemName(code)] = typeof value === 'string' ? input.render(value) : value;
  }
  const title = input.render(action.title ?? '{{title}}');
  return {
    ok: true,
    entityTypeId: target.entityTypeId,
    fields: {
      ...enumWriteFields(target.enums, fields),
      title,
      categoryId: place.categoryId,
      stageId: place.stageId,
      [`parentId${entity.entityTypeId}`]: entity.id,
      ...(input.responsible !== undefined ? { assignedById: input.responsible } : {}),
      xmlId: input.marker,
    },
    summary: `create «${title}» in ${target.name}: ${place.name} (${place.stageId})`,
  };
}

/** crm.item.add of a planned item; the new item's id. */
export async function addItem(
  client: B24Client,
  entityTypeId: number,
  fields: Record<string, unknown>,
): Promise<{ itemId: number }> {
  const answer = await client.call<{ item?: { id?: number | string } }>('crm.item.add', {
    entityTypeId,
    fields,
    useOriginalUfNames: 'Y',
  });
  return { itemId: Number(answer.item?.id) };
}

/** The item an earlier run made under this marker (crm.item.list filter xmlId), if any. */
export async function findItemByMarker(
  client: B24Client,
  entityTypeId: number,
  marker: string,
): Promise<{ itemId: number } | undefined> {
  const answer = await client.call<{ items?: { id?: number | string }[] }>('crm.item.list', {
    entityTypeId,
    filter: { xmlId: marker },
    select: ['id'],
  });
  const hit = (answer.items ?? [])[0];
  return hit ? { itemId: Number(hit.id) } : undefined;
}
