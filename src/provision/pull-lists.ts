/**
 * `pull` of universal lists: the lists of the portal as a `lists:` section, so planning the pulled
 * config against the same portal shows no changes. Only what the plan can manage is written: a list
 * whose code is no valid key, or that has a field of a type the config cannot name (element or
 * section bindings), is left out whole (the plan would otherwise delete that field).
 */
import type { ListConfig, ListFieldConfig, ListFieldType } from '../config/sections/lists.js';
import { LIST_FIELD_TYPES, listFieldTypeName } from '../config/sections/lists.js';
import type { SnapshotList, SnapshotListField } from './snapshot.js';

const LIST_KEY = /^[a-z][a-z0-9_-]{0,49}$/;
const FIELD_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

function fieldOf(f: SnapshotListField): ListFieldConfig | undefined {
  const type = listFieldTypeName(f.type);
  const code = f.code.toUpperCase();
  if (!(type in LIST_FIELD_TYPES) || !FIELD_CODE.test(code)) return undefined;
  return {
    code,
    type: type as ListFieldType,
    label: f.label,
    required: f.required,
    multiple: f.multiple,
    sort: f.sort,
    ...(Object.keys(f.settings).length > 0 ? { settings: f.settings } : {}),
    ...(type === 'list'
      ? { values: f.values.map((v) => ({ value: v.value, ...(v.default ? { default: true } : {}) })) }
      : {}),
  };
}

export function listsFromSnapshot(lists: readonly SnapshotList[]): ListConfig[] {
  const out: ListConfig[] = [];
  for (const l of lists) {
    if (!LIST_KEY.test(l.code)) continue;
    const properties = l.fields.filter((f) => f.fieldId.startsWith('PROPERTY_'));
    const fields = properties.map(fieldOf);
    if (fields.some((f) => f === undefined)) continue;
    const name = l.fields.find((f) => f.fieldId === 'NAME');
    out.push({
      key: l.code,
      name: l.name,
      ...(l.description ? { description: l.description } : {}),
      sort: l.sort,
      ...(name?.label ? { elementName: name.label } : {}),
      fields: fields.filter((f): f is ListFieldConfig => f !== undefined),
    });
  }
  return out;
}
