/**
 * The contact(s) and company of a deal, and bringing their fields in line with the deal: process 5 of
 * the case study «Смена ответственных» (a new responsible of the deal becomes the responsible of its
 * contact and company; reference/bitrix24-automation-and-domain.md §6: crm.item.update
 * ASSIGNED_BY_ID of each linked record).
 *
 * The links are read when the action runs, not when it is planned: `contactIds` is not among the
 * fields crm.item.list returns for `select: ['*']` (crm/universal/crm-item-list.md), and a link
 * added between planning and running should be covered too. Re-running is harmless: only records
 * whose value differs are updated, and "every linked record holds the value" is the check of
 * whether an interrupted run already did it.
 */
import type { B24Client } from '../rest/client.js';
import type { EntityRef } from './entity.js';

export type LinkedKind = 'contacts' | 'company';

const CONTACT = 3;
const COMPANY = 4;

function ids(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** The linked records of a CRM record, as entity refs. */
export async function readLinked(client: B24Client, ref: EntityRef, to: LinkedKind[]): Promise<EntityRef[]> {
  const answer = await client.call<{ item?: Record<string, unknown> }>('crm.item.get', {
    entityTypeId: ref.entityTypeId,
    id: ref.id,
  });
  const item = answer.item ?? {};
  const out: EntityRef[] = [];
  if (to.includes('contacts')) {
    for (const id of ids(item.contactIds ?? item.contactId)) out.push({ entityTypeId: CONTACT, id });
  }
  if (to.includes('company')) {
    for (const id of ids(item.companyId)) out.push({ entityTypeId: COMPANY, id });
  }
  return out;
}

async function differing(
  client: B24Client,
  linked: EntityRef[],
  fields: Record<string, unknown>,
): Promise<EntityRef[]> {
  const out: EntityRef[] = [];
  for (const ref of linked) {
    const answer = await client.call<{ item?: Record<string, unknown> }>('crm.item.get', {
      entityTypeId: ref.entityTypeId,
      id: ref.id,
    });
    const item = answer.item ?? {};
    if (Object.entries(fields).some(([k, v]) => String(item[k] ?? '') !== String(v ?? ''))) out.push(ref);
  }
  return out;
}

/** Updates the linked records that differ; the refs updated. */
export async function updateLinked(
  client: B24Client,
  ref: EntityRef,
  to: LinkedKind[],
  fields: Record<string, unknown>,
): Promise<string[]> {
  const stale = await differing(client, await readLinked(client, ref, to), fields);
  for (const target of stale) {
    await client.call('crm.item.update', { entityTypeId: target.entityTypeId, id: target.id, fields });
  }
  return stale.map((r) => `${r.entityTypeId}:${r.id}`);
}

/** Whether every linked record already holds the values. */
export async function linkedHold(
  client: B24Client,
  ref: EntityRef,
  to: LinkedKind[],
  fields: Record<string, unknown>,
): Promise<boolean> {
  return (await differing(client, await readLinked(client, ref, to), fields)).length === 0;
}
