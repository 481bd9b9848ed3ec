/**
 * `copy_item`: a copy of the smart-process item in another direction, e.g. a «Лаборатория» project
 * that needs both the ГТИ and the analytics group runs in both (the case study, «Смарт-процессы»).
 *
 * The copy is made when the action runs, from the item as the portal has it then (crm.item.get):
 * every field crm.item.fields does not mark read-only (crm/universal/crm-item-fields.md:
 * isReadOnly), so user fields, the parents (`parentId2`: both copies stay linked to the deal), the
 * responsible and observers come along; the direction, stage and xmlId are the copy's own. File
 * fields are left out: crm.item.get gives a file as {id, url}, which crm.item.add does not take as a
 * new file (crm-item-update.md, "How to Update a File Type Custom Field").
 *
 * Exactly once: the copy carries the action's marker in its xmlId, as create_item's items do
 * (create-item.ts), and is looked for by it after a crash.
 */
import type { B24Client } from '../../rest/client.js';
import type { EntityRef } from '../entity.js';
import { addItem } from './create-item.js';

interface FieldDescriptor {
  type?: string;
  isReadOnly?: boolean;
}

/** Never copied: who the item is, where it is, and the marker. */
const OWN = new Set(['id', 'xmlId', 'categoryId', 'stageId', 'previousStageId', 'entityTypeId']);

/** The fields of the copy: the source's writable values, placed in the target direction and stage. */
export function copyFields(
  source: Record<string, unknown>,
  descriptors: Record<string, FieldDescriptor>,
  place: { categoryId: number; stageId: string },
  marker: string,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(descriptors)) {
    if (d.isReadOnly || d.type === 'file' || OWN.has(name)) continue;
    const value = source[name];
    if (value === undefined || value === null) continue;
    fields[name] = value;
  }
  return { ...fields, categoryId: place.categoryId, stageId: place.stageId, xmlId: marker };
}

export async function copyItem(
  client: B24Client,
  source: EntityRef,
  place: { categoryId: number; stageId: string },
  marker: string,
): Promise<{ itemId: number }> {
  const [{ item }, { fields }] = await Promise.all([
    client.call<{ item: Record<string, unknown> }>('crm.item.get', {
      entityTypeId: source.entityTypeId,
      id: source.id,
      useOriginalUfNames: 'Y',
    }),
    client.call<{ fields: Record<string, FieldDescriptor> }>('crm.item.fields', {
      entityTypeId: source.entityTypeId,
      useOriginalUfNames: 'Y',
    }),
  ]);
  return addItem(client, source.entityTypeId, copyFields(item, fields, place, marker));
}
