/**
 * Reads the parent deals of the records whose rules use `parent.` (parent-record.ts): one
 * crm.item.list with `@id` per 50 deals (crm/universal/crm-item-list.md: `@` = in the list), never a
 * call per record, and nothing at all when no rule of the records' types reads a parent.
 */
import type { B24Client } from '../rest/client.js';
import type { ResolvedRule } from './catalog.js';
import type { Entity } from './entity.js';
import { DEAL_ENTITY_TYPE_ID, entityFromItem, refKey } from './entity.js';
import { parentRefOf, ruleUsesParent } from './parent-record.js';

const PER_REQUEST = 50;

/** Parent deals by refKey (`2:15`); an empty map when no rule asks for them. */
export async function readParents(
  client: B24Client,
  rules: ResolvedRule[],
  entities: Entity[],
): Promise<Map<string, Entity>> {
  const types = new Set(rules.filter((r) => ruleUsesParent(r.rule)).map((r) => r.entityTypeId));
  const ids = new Set<number>();
  for (const e of entities) {
    if (!types.has(e.entityTypeId)) continue;
    const ref = parentRefOf(e);
    if (ref) ids.add(ref.id);
  }
  const out = new Map<string, Entity>();
  const all = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < all.length; i += PER_REQUEST) {
    for await (const row of client.list<Record<string, unknown>>('crm.item.list', {
      entityTypeId: DEAL_ENTITY_TYPE_ID,
      filter: { '@id': all.slice(i, i + PER_REQUEST) },
      select: ['*'],
      useOriginalUfNames: 'Y',
    })) {
      const deal = entityFromItem(DEAL_ENTITY_TYPE_ID, row);
      out.set(refKey(deal), deal);
    }
  }
  return out;
}
