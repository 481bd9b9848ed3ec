/**
 * Enumeration ("list") user fields as the rules see them. On the portal a list field holds item ids
 * (reference/bitrix24-rest.md §6.7: enumeration -> item ID, an array for a multiple field), which
 * differ from portal to portal; the configuration names an item by its XML_ID (the config key,
 * config/deal-fields.yaml `list: [{ key: GTI, value: ГТИ }]`) or by its label. The catalog learns each
 * field's items from the portal (read-catalog.ts); everything here is pure.
 *
 * Worked example (items [{ id: 45, xmlId: 'GTI', value: 'ГТИ' }, { id: 46, xmlId: 'ANALYTICS', ... }]):
 *   enumIdOf(items, 'GTI') -> 45, enumIdOf(items, 'гти') -> 45, enumIdOf(items, '46') -> 46,
 *   enumIdOf(items, 'OTHER') -> undefined; enumIds(items, ['GTI', 'ANALYTICS']) -> [45, 46]
 */
import type { Entity } from './entity.js';
import { fieldValue } from './entity.js';

export interface EnumItem {
  id: number;
  xmlId: string | null;
  value: string;
}

/** Enumeration items by the portal's field name (`UF_CRM_SERVICE`, `UF_CRM_12_DIRECTIONS`). */
export type EnumFields = Record<string, EnumItem[]>;

const norm = (text: string): string => text.trim().toLowerCase();

/** The item a config value names: by id, by XML_ID (exact, then any case), then by label (any case). */
export function enumItemOf(items: EnumItem[], value: unknown): EnumItem | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) {
    const byId = items.find((i) => i.id === Number(text));
    if (byId) return byId;
  }
  return (
    items.find((i) => i.xmlId === text) ??
    items.find((i) => i.xmlId !== null && norm(i.xmlId) === norm(text)) ??
    items.find((i) => norm(i.value) === norm(text))
  );
}

export function enumIdOf(items: EnumItem[], value: unknown): number | undefined {
  return enumItemOf(items, value)?.id;
}

/** The values of a config list that name no item (for problems at load time). */
export function unknownEnumValues(items: EnumItem[], value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list
    .filter((v) => v !== null && v !== undefined && v !== '' && enumItemOf(items, v) === undefined)
    .map(String);
}

/**
 * A value to write into a list field: names -> ids (a list for a list); an empty value stays empty;
 * what names no item is left as given, for the portal to refuse with its own message.
 */
export function enumWriteValue(items: EnumItem[], value: unknown): unknown {
  if (Array.isArray(value)) return (value as unknown[]).map((v) => enumIdOf(items, v) ?? v);
  if (value === null || value === undefined || value === '') return value;
  // A template may render a multiple value as "GTI, ANALYTICS".
  if (typeof value === 'string' && value.includes(',') && enumIdOf(items, value) === undefined) {
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .map((v) => enumIdOf(items, v) ?? v);
  }
  return enumIdOf(items, value) ?? value;
}

/** Every field of a record of `fields` that is a list field, written as ids. */
export function enumWriteFields(
  enums: EnumFields | undefined,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  if (!enums) return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => {
      const items = enums[name];
      return [name, items ? enumWriteValue(items, value) : value];
    }),
  );
}

/** The ids of the items a condition names (a name that matches no item matches nothing). */
export function enumConditionIds(items: EnumItem[], expected: unknown[]): number[] {
  return expected.map((e) => enumIdOf(items, e)).filter((id): id is number => id !== undefined);
}

/** How a list value reads in a message: the labels (`ГТИ, Аналитическая группа`). */
export function enumLabels(items: EnumItem[], value: unknown): string {
  const list = Array.isArray(value)
    ? (value as unknown[])
    : value === null || value === undefined
      ? []
      : [value];
  return list
    .map((v) => items.find((i) => String(i.id) === String(v))?.value ?? String(v))
    .filter((v) => v !== '')
    .join(', ');
}

/**
 * The same item in another list field (copying a value between records of different types whose
 * fields have their own ids): by XML_ID, else by label.
 */
export function sameEnumItem(from: EnumItem[], to: EnumItem[], id: unknown): number | undefined {
  const item = from.find((i) => String(i.id) === String(id));
  if (!item) return undefined;
  return (
    (item.xmlId !== null ? to.find((i) => i.xmlId === item.xmlId) : undefined)?.id ??
    to.find((i) => norm(i.value) === norm(item.value))?.id
  );
}

/**
 * Template values of a record's list fields, as labels: `{{UF_CRM_SERVICE}}` and by code
 * `{{SERVICE}}` -> «Комплексное исследование» (not the item id the field holds).
 */
export function listFieldVars(
  entity: Entity,
  enums: EnumFields | undefined,
  aliases: Record<string, string>,
): Record<string, string> {
  const vars: Record<string, string> = {};
  if (!enums) return vars;
  for (const [name, items] of Object.entries(enums)) {
    const value = fieldValue(entity, name);
    if (value !== undefined) vars[name] = enumLabels(items, value);
  }
  for (const [code, name] of Object.entries(aliases)) {
    if (name in vars) vars[code] = vars[name]!;
  }
  return vars;
}
