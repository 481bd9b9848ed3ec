/**
 * The items (ID, XML_ID, VALUE) of the list fields of deals and of a smart process, for the catalog
 * (enum-values.ts). crm.item.fields lists a list field's items with ID and VALUE only
 * (reference/bitrix24-rest.md §6.9), and the XML_ID is what the configuration names, so:
 *   deals           crm.deal.userfield.list, USER_TYPE_ID enumeration: LIST has ID, VALUE, XML_ID
 *                   (crm/deals/user-defined-fields/crm-deal-userfield-list.md)
 *   smart process   userfieldconfig.list of CRM_<type id> (it leaves the items out), then
 *                   userfieldconfig.get of each list field: `enum` [{id, value, xmlId}]
 *                   (crm/universal/userfieldconfig/userfieldconfig-get.md)
 * userfieldconfig.* needs its own scope besides crm (reference/bitrix24-rest.md §6.10), which b24lab
 * does not require of a webhook: without it the items come from crm.item.fields (ID, VALUE) and their
 * keys from the configuration, by label.
 */
import type { B24Client } from '../rest/client.js';
import { B24Error } from '../rest/errors.js';
import type { EnumFields, EnumItem } from './enum-values.js';

/** A list field of the configuration (config/smart-processes.yaml `fields:`). */
export interface ConfiguredField {
  code: string;
  list?: { key?: string | undefined; value: string }[] | undefined;
}

interface LegacyFieldRow {
  FIELD_NAME: string;
  LIST?: { ID: string | number; VALUE?: string; XML_ID?: string | null }[];
}

interface ConfigFieldRow {
  id: string | number;
  fieldName: string;
  enum?: { id: string | number; value?: string; xmlId?: string | null }[];
}

const item = (
  id: string | number,
  value: string | undefined,
  xmlId: string | null | undefined,
): EnumItem => ({
  id: Number(id),
  xmlId: xmlId === undefined || xmlId === null || xmlId === '' ? null : xmlId,
  value: value ?? '',
});

export async function readDealEnums(client: B24Client): Promise<EnumFields> {
  const out: EnumFields = {};
  for await (const row of client.list<LegacyFieldRow>('crm.deal.userfield.list', {
    filter: { USER_TYPE_ID: 'enumeration' },
  })) {
    out[row.FIELD_NAME] = (row.LIST ?? []).map((i) => item(i.ID, i.VALUE, i.XML_ID));
  }
  return out;
}

/** Refused for want of a scope or a right: the fallback may still work. */
const refused = (e: unknown): boolean =>
  e instanceof B24Error &&
  (e.code === 'insufficient_scope' ||
    e.code === 'ACCESS_DENIED' ||
    e.httpStatus === 401 ||
    e.httpStatus === 403);

/**
 * `typeId`: the smart process's crm.type id (its fields live in CRM_<typeId>); `configured`: its
 * fields in the configuration (keys for the crm.item.fields fallback).
 */
export async function readItemEnums(
  client: B24Client,
  entityTypeId: number,
  typeId: number,
  configured: ConfiguredField[] = [],
): Promise<EnumFields> {
  try {
    return await viaUserfieldconfig(client, typeId);
  } catch (e) {
    if (!refused(e)) throw e;
    return viaItemFields(client, entityTypeId, typeId, configured);
  }
}

async function viaItemFields(
  client: B24Client,
  entityTypeId: number,
  typeId: number,
  configured: ConfiguredField[],
): Promise<EnumFields> {
  const { fields } = await client.call<{
    fields: Record<string, { type?: string; items?: { ID: string | number; VALUE?: string }[] }>;
  }>('crm.item.fields', { entityTypeId, useOriginalUfNames: 'Y' });
  const out: EnumFields = {};
  for (const [name, d] of Object.entries(fields)) {
    if (d.type !== 'enumeration') continue;
    const list = configured.find((f) => `UF_CRM_${typeId}_${f.code}` === name)?.list ?? [];
    out[name] = (d.items ?? []).map((i) =>
      item(
        i.ID,
        i.VALUE,
        list.find((l) => l.value.trim().toLowerCase() === (i.VALUE ?? '').trim().toLowerCase())?.key,
      ),
    );
  }
  return out;
}

async function viaUserfieldconfig(client: B24Client, typeId: number): Promise<EnumFields> {
  const ids: (string | number)[] = [];
  for await (const row of client.list<ConfigFieldRow>('userfieldconfig.list', {
    moduleId: 'crm',
    filter: { entityId: `CRM_${typeId}`, userTypeId: 'enumeration' },
  })) {
    ids.push(row.id);
  }
  const out: EnumFields = {};
  for (const id of ids) {
    const { field } = await client.call<{ field: ConfigFieldRow }>('userfieldconfig.get', {
      moduleId: 'crm',
      id,
    });
    out[field.fieldName] = (field.enum ?? []).map((i) => item(i.id, i.value, i.xmlId));
  }
  return out;
}
