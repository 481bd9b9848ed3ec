/**
 * User fields whose values or names depend on the portal, pure:
 *
 *   enumeration values  a deal's UF_CRM_KIND "45" / an item's ufCrm5Kind 45 are IDs of enumeration
 *                       items (uf_enum_element, data-types.md), new on the target -> kind `ufEnum`
 *   smart-process names the fields of a type live on CRM_<type id> and are named UF_CRM_<type id>_...
 *                       (userfieldconfig-add.md); the type's `id` is new on the target -> kind
 *                       `smartTypeId`, and crm.item's camelCase names follow (ufCrm5Kind -> ufCrm9Kind)
 */
import type { IdMap } from './id-map.js';
import type { RefSpec } from './remap-row.js';
import type { Row } from './write-snapshot.js';

const capitalize = (s: string): string => s.charAt(0) + s.slice(1).toLowerCase();

/**
 * crm.item's camelCase name of a user field (crm/universal/index.md, "user fields"): letter blocks
 * capitalised, digit blocks keep their underscore, anything else only changes the prefix.
 */
export function ufCamelName(fieldName: string): string {
  const rest = fieldName.toUpperCase().replace(/^UF_CRM_/, '');
  const blocks = rest.split('_');
  let typeId = '';
  let suffix = blocks;
  if (blocks.length >= 2 && /^\d+$/.test(blocks[0] ?? '')) {
    typeId = blocks[0] ?? '';
    suffix = blocks.slice(1);
  }
  if (suffix.length > 0 && suffix.every((b) => /^[A-Z]+$/.test(b)))
    return `ufCrm${typeId}${suffix.map(capitalize).join('')}`;
  if (typeId !== '' && suffix.length > 0 && suffix.every((b) => /^\d+$/.test(b)))
    return `ufCrm${typeId}_${suffix.join('_')}`;
  return `ufCrm_${rest}`;
}

/** UF_CRM_5_KIND -> UF_CRM_9_KIND and CRM_5 -> CRM_9 through `smartTypeId`; unknown types stay. */
export function remapUfName(name: string, map: IdMap): string {
  return name.replace(/^(UF_)?CRM_(\d+)(?=_|$)/, (whole, uf: string | undefined, id: string) => {
    const target = map.get('smartTypeId', id);
    return target === undefined ? whole : `${uf ?? ''}CRM_${target}`;
  });
}

/** ufCrm5Kind / ufCrm5_1747 / ufCrm_5_KIND10 -> the same names for the target's type id. */
export function remapItemFieldName(name: string, map: IdMap): string {
  const m = /^ufCrm(_?)(\d+)(?=[A-Z_])/.exec(name);
  if (!m) return name;
  const target = map.get('smartTypeId', m[2] ?? '');
  return target === undefined ? name : `ufCrm${m[1] ?? ''}${target}${name.slice(m[0].length)}`;
}

/** Renames the smart-process user fields of an item's fields (crm.item.add input). */
export function renameItemFields(fields: Row, map: IdMap): Row {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [remapItemFieldName(k, map), v]));
}

const ENUM_SPEC: RefSpec = { type: 'id', kind: 'ufEnum' };

/**
 * Extra remap rules per entity for the enumeration fields: deals by their UPPER name (crm.deal.list),
 * smart-process items by crm.item's camelCase name.
 */
export function enumRules(
  fields: Iterable<Row>,
  smartFields: Iterable<Row>,
): Record<string, Record<string, RefSpec>> {
  const out: Record<string, Record<string, RefSpec>> = {
    deals: {},
    contacts: {},
    companies: {},
    'smart-process-items': {},
  };
  const owners: Record<string, string> = {
    CRM_DEAL: 'deals',
    CRM_CONTACT: 'contacts',
    CRM_COMPANY: 'companies',
  };
  for (const f of fields) {
    const owner = owners[String(f.ENTITY_ID)];
    if (owner && f.USER_TYPE_ID === 'enumeration') out[owner]![String(f.FIELD_NAME)] = ENUM_SPEC;
  }
  for (const f of smartFields) {
    if (f.userTypeId === 'enumeration')
      out['smart-process-items']![ufCamelName(String(f.fieldName))] = ENUM_SPEC;
  }
  return out;
}

/** The enumeration items of a field, from either view (LIST of crm.*.userfield, enum of userfieldconfig). */
export function enumItems(
  field: Row,
): { id: string; value: string; sort: unknown; def: unknown; xmlId: unknown }[] {
  const raw = (Array.isArray(field.LIST) ? field.LIST : Array.isArray(field.enum) ? field.enum : []) as Row[];
  return raw.map((i) => ({
    id: String(i.ID ?? i.id),
    value: String(i.VALUE ?? i.value),
    sort: i.SORT ?? i.sort,
    def: i.DEF ?? i.def,
    xmlId: i.XML_ID ?? i.xmlId,
  }));
}

/** Maps the enumeration items of a source field to the target's by VALUE; returns the values not found. */
export function mapEnumItems(source: Row, target: Row, map: IdMap): string[] {
  const targetItems = enumItems(target);
  const missing: string[] = [];
  for (const item of enumItems(source)) {
    const found = targetItems.find((t) => t.value === item.value);
    if (found) map.set('ufEnum', item.id, Number(found.id));
    else missing.push(item.value);
  }
  return missing;
}
