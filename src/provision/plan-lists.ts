/**
 * Universal lists and their fields. A list is matched by its code (IBLOCK_CODE = the config's key),
 * a property by its CODE. TYPE and MULTIPLE cannot change once a field exists (lists-field-add.md,
 * lists-field-update.md), so a change of either re-creates the field (destructive: the values go); a
 * property the config does not name is deleted (destructive). Lists the config does not name are not
 * managed (people make lists by hand). A list field's values are matched by their text: lists keep
 * no XML_ID (lists.field.get shows them as DISPLAY_VALUES_FORM {id: text}).
 */
import type { ListConfig, ListFieldConfig } from '../config/sections/lists.js';
import { LIST_FIELD_TYPES, listFieldTypeName } from '../config/sections/lists.js';
import { sameName } from '../config/sections/common.js';
import { defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import { settingsChanges } from './plan-fields.js';
import type { Change } from './plan.js';
import type { SnapshotList, SnapshotListField } from './snapshot.js';

export const listAddress = (key: string): string => `list:${key}`;

/** A value of a list field as the plan sends it: `id` keeps an existing value (lists.field.update). */
export interface ListValueSet {
  id?: number;
  value: string;
  default: boolean;
}

interface ValuesPlan {
  changes: Change[];
  items: ListValueSet[];
  removes: number;
}

/**
 * Desired values against the portal's, by text:
 *   config [На согласовании (default), Согласован], portal {7: 'Согласован', 9: 'Архив'}
 *   -> items [{value: 'На согласовании', default: true}, {id: 7, value: 'Согласован'}], 1 removed
 */
export function planListValues(field: ListFieldConfig, actual: SnapshotListField['values']): ValuesPlan {
  const claimed = new Set<number>();
  const changes: Change[] = [];
  const items: ListValueSet[] = [];
  for (const v of field.values ?? []) {
    const hit = actual.find((a) => !claimed.has(a.id) && sameName(a.value, v.value));
    const wantDefault = v.default ?? false;
    if (!hit) {
      changes.push({ field: `values.${v.value}`, to: v.value, drift: false });
      items.push({ value: v.value, default: wantDefault });
      continue;
    }
    claimed.add(hit.id);
    if (hit.value !== v.value)
      changes.push({ field: `values.${v.value}`, from: hit.value, to: v.value, drift: false });
    if (hit.default !== wantDefault)
      changes.push({ field: `values.${v.value}.default`, from: hit.default, to: wantDefault, drift: false });
    items.push({ id: hit.id, value: v.value, default: wantDefault });
  }
  let removes = 0;
  for (const a of actual) {
    if (claimed.has(a.id)) continue;
    removes += 1;
    changes.push({ field: `values.${a.value}`, from: a.value, drift: false });
  }
  return { changes, items, removes };
}

/** What apply sends for a field (config terms; operation-calls.ts turns it into FIELDS). */
function fieldSet(field: ListFieldConfig, values: ListValueSet[] | undefined): Record<string, unknown> {
  return defined({
    code: field.code,
    type: LIST_FIELD_TYPES[field.type],
    label: field.label,
    required: field.required,
    multiple: field.multiple,
    sort: field.sort,
    settings: field.settings,
    values,
  });
}

function planListFields(list: ListConfig, actual: SnapshotList | undefined, b: PlanBuilder): void {
  const owner = listAddress(list.key);
  const base = (code: string, label: string) => ({
    entity: 'listField' as const,
    address: `${owner}/field:${code}`,
    name: `${list.name} › ${label}`,
    drift: false,
    owner,
  });
  const properties = (actual?.fields ?? []).filter((f) => f.fieldId.startsWith('PROPERTY_'));
  const byCode = new Map(properties.map((f) => [f.code.toUpperCase(), f]));
  const creates: OperationDraft[] = [];
  const others: OperationDraft[] = [];
  const deletes: OperationDraft[] = [];

  if (list.elementName !== undefined) {
    const address = `${owner}/field:NAME`;
    b.desire(address, { label: list.elementName });
    const name = actual?.fields.find((f) => f.fieldId === 'NAME');
    // A new list gets its NAME field with the list (lists.add): renamed right after.
    const changes = diffFields({ label: list.elementName }, { label: name?.label });
    const op: OperationDraft = {
      ...base('NAME', list.elementName),
      action: changes.length > 0 ? 'update' : 'noop',
      destructive: false,
      changes,
    };
    if (changes.length > 0) op.set = { fieldId: 'NAME', type: 'NAME', label: list.elementName };
    if (!actual) op.reason = 'the system field every new list has';
    others.push(op);
  }

  for (const field of list.fields) {
    const address = `${owner}/field:${field.code}`;
    b.desire(address, {
      type: field.type,
      label: field.label,
      required: field.required,
      multiple: field.multiple,
      sort: field.sort,
      settings: field.settings,
      values: field.values?.map((v) => defined({ value: v.value, default: v.default })),
    });
    const create: OperationDraft = {
      ...base(field.code, field.label),
      action: 'create',
      destructive: false,
      changes: [],
      set: fieldSet(field, field.type === 'list' ? planListValues(field, []).items : undefined),
    };
    const found = byCode.get(field.code);
    if (!found) {
      creates.push(create);
      continue;
    }
    const wantedType = LIST_FIELD_TYPES[field.type];
    if (found.type !== wantedType || found.multiple !== field.multiple) {
      const what =
        found.type !== wantedType
          ? `type ${listFieldTypeName(found.type)} -> ${field.type}`
          : `multiple ${found.multiple} -> ${field.multiple}`;
      deletes.push({
        ...base(field.code, found.label),
        action: 'delete',
        destructive: true,
        reason: `${what}: the portal cannot change it, so the field is re-created and its values are lost`,
        changes: [],
        set: { fieldId: found.fieldId },
      });
      creates.push({ ...create, reason: `re-created: ${what}` });
      continue;
    }
    const changes = diffFields(
      { label: field.label, required: field.required, sort: field.sort },
      { label: found.label, required: found.required, sort: found.sort },
    );
    changes.push(...settingsChanges(field.settings, found.settings));
    const values = field.type === 'list' ? planListValues(field, found.values) : undefined;
    if (values) changes.push(...values.changes);
    const op: OperationDraft = {
      ...base(field.code, field.label),
      action: changes.length > 0 ? 'update' : 'noop',
      destructive: (values?.removes ?? 0) > 0,
      changes,
      portalId: Number(found.fieldId.slice('PROPERTY_'.length)),
    };
    if (op.destructive)
      op.reason = `removes ${values?.removes} value(s): elements holding them lose the value`;
    // lists.field.update takes the field whole (NAME and TYPE are required): send every managed part.
    if (changes.length > 0)
      op.set = {
        ...fieldSet(field, values?.items),
        fieldId: found.fieldId,
        settings: { ...found.settings, ...field.settings },
      };
    others.push(op);
  }

  const wanted = new Set(list.fields.map((f) => f.code));
  for (const f of properties) {
    if (wanted.has(f.code.toUpperCase())) continue;
    deletes.push({
      ...base(f.code || f.fieldId, f.label),
      action: 'delete',
      destructive: true,
      reason: "not in config; the elements lose the field's values",
      changes: [],
      portalId: Number(f.fieldId.slice('PROPERTY_'.length)),
      set: { fieldId: f.fieldId },
    });
  }
  const replaced = deletes.filter((d) => wanted.has(d.address.slice(`${owner}/field:`.length)));
  const removed = deletes.filter((d) => !replaced.includes(d));
  for (const op of [...replaced, ...others, ...creates, ...removed]) b.add(op);
}

export function planLists(
  desired: readonly ListConfig[],
  actual: readonly SnapshotList[],
  b: PlanBuilder,
): void {
  for (const list of desired) {
    const address = listAddress(list.key);
    const found = actual.find((l) => l.code === list.key);
    const wanted = { name: list.name, description: list.description, sort: list.sort };
    b.desire(address, wanted);
    if (!found) {
      b.add({
        action: 'create',
        entity: 'list',
        address,
        name: list.name,
        destructive: false,
        drift: false,
        changes: [],
        set: defined({ key: list.key, ...wanted }),
      });
    } else {
      b.exists(address, { id: found.id });
      const changes = diffFields(wanted, {
        name: found.name,
        description: found.description,
        sort: found.sort,
      });
      const op: OperationDraft = {
        action: changes.length > 0 ? 'update' : 'noop',
        entity: 'list',
        address,
        name: list.name,
        destructive: false,
        drift: false,
        changes,
        portalId: found.id,
      };
      // lists.update requires NAME in FIELDS (lists-update.md): the name goes with every update.
      if (changes.length > 0)
        op.set = {
          key: list.key,
          name: list.name,
          ...Object.fromEntries(changes.map((c) => [c.field, c.to])),
        };
      b.add(op);
    }
    planListFields(list, found, b);
  }
}
