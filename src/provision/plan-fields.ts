/**
 * User fields of the deal card or of a smart process, matched by code (FIELD_NAME without its prefix).
 * USER_TYPE_ID and MULTIPLE cannot change once a field exists, so a change of either re-creates the
 * field (destructive: the values go). Enumeration values are matched by key (XML_ID), else by text;
 * removing one is destructive too (records holding it lose the value).
 */
import type { FieldConfig } from '../config/sections/common.js';
import { sameName } from '../config/sections/common.js';
import { deepEqual, defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import type { Change } from './plan.js';
import type { SnapshotField, SnapshotListItem } from './snapshot.js';

export interface FieldContext {
  /** `dealField:` or `smartProcess:laboratory/field:` */
  prefix: string;
  /** The smart process (address) the fields belong to; none for deal fields. */
  owner?: string;
  ownerName?: string;
  holds: string;
}

/** Settings come back from the portal as strings or numbers: `2` and `"2"` are the same PRECISION. */
export function looseEqual(a: unknown, b: unknown): boolean {
  const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
  if (scalar(a) && scalar(b)) return String(a) === String(b);
  return deepEqual(a, b);
}

/** The settings the config states that the portal holds otherwise (loosely: `2` = `"2"`). */
export function settingsChanges(
  wanted: Record<string, unknown> | undefined,
  found: Record<string, unknown>,
): Change[] {
  const changes: Change[] = [];
  for (const [key, value] of Object.entries(wanted ?? {})) {
    if (!looseEqual(found[key], value))
      changes.push({ field: `settings.${key}`, from: found[key], to: value, drift: false });
  }
  return changes;
}

/** The list as config states it, for the applied state and for pull. */
function desiredList(field: FieldConfig): Record<string, unknown>[] | undefined {
  return field.list?.map((v) => defined({ key: v.key, value: v.value, sort: v.sort, default: v.default }));
}

interface ListPlan {
  changes: Change[];
  /** Every value to send: matched ones with their id, new ones without, removed ones marked. */
  items: Record<string, unknown>[];
  removes: number;
}

export function planList(field: FieldConfig, actual: readonly SnapshotListItem[]): ListPlan {
  const claimed = new Set<SnapshotListItem>();
  const changes: Change[] = [];
  const items: Record<string, unknown>[] = [];
  const wanted = field.list ?? [];
  const hits = wanted.map((v) => {
    const hit =
      (v.key !== undefined ? actual.find((a) => !claimed.has(a) && a.key === v.key) : undefined) ??
      actual.find(
        (a) => !claimed.has(a) && sameName(a.value, v.value) && (v.key === undefined || a.key === ''),
      );
    if (hit) claimed.add(hit);
    return hit;
  });
  wanted.forEach((v, i) => {
    const hit = hits[i];
    const label = v.key ?? v.value;
    const sort = v.sort ?? (i + 1) * 10;
    if (!hit) {
      changes.push({ field: `list.${label}`, to: v.value, drift: false });
      items.push(defined({ key: v.key, value: v.value, sort, default: v.default ?? false }));
      return;
    }
    const diffs = diffFields(
      { key: v.key, value: v.value, sort: v.sort, default: v.default },
      { key: hit.key, value: hit.value, sort: hit.sort, default: hit.default },
    );
    for (const d of diffs) changes.push({ ...d, field: `list.${label}.${d.field}` });
    items.push(
      defined({
        id: hit.id,
        key: v.key ?? hit.key,
        value: v.value,
        sort: v.sort ?? hit.sort,
        default: v.default ?? hit.default,
      }),
    );
  });
  let removes = 0;
  for (const a of actual) {
    if (claimed.has(a)) continue;
    removes += 1;
    changes.push({ field: `list.${a.key || a.value}`, from: a.value, drift: false });
    items.push({ id: a.id, delete: true });
  }
  return { changes, items, removes };
}

export function planFields(
  desired: readonly FieldConfig[],
  actual: readonly SnapshotField[],
  ctx: FieldContext,
  b: PlanBuilder,
): void {
  const byCode = new Map(actual.map((f) => [f.code, f]));
  const wanted = new Set(desired.map((f) => f.code));
  const label = (text: string): string => (ctx.ownerName ? `${ctx.ownerName} › ${text}` : text);
  const base = (
    code: string,
    name: string,
  ): Pick<OperationDraft, 'entity' | 'address' | 'name' | 'drift'> &
    Partial<Pick<OperationDraft, 'owner'>> => ({
    entity: 'field',
    address: `${ctx.prefix}${code}`,
    name: label(name),
    drift: false,
    ...(ctx.owner ? { owner: ctx.owner } : {}),
  });
  const creates: OperationDraft[] = [];
  const others: OperationDraft[] = [];
  const deletes: OperationDraft[] = [];

  for (const field of desired) {
    const address = `${ctx.prefix}${field.code}`;
    b.desire(address, {
      type: field.type,
      multiple: field.multiple,
      label: field.label,
      mandatory: field.mandatory,
      sort: field.sort,
      settings: field.settings,
      list: desiredList(field),
    });
    const create: OperationDraft = {
      ...base(field.code, field.label),
      action: 'create',
      destructive: false,
      changes: [],
      set: defined({
        code: field.code,
        type: field.type,
        multiple: field.multiple,
        label: field.label,
        mandatory: field.mandatory ?? false,
        sort: field.sort,
        settings: field.settings,
        list: field.type === 'enumeration' ? planList(field, []).items : undefined,
      }),
    };
    const found = byCode.get(field.code);
    if (!found) {
      creates.push(create);
      continue;
    }
    if (found.type !== field.type || found.multiple !== field.multiple) {
      const what =
        found.type !== field.type
          ? `type ${found.type} -> ${field.type}`
          : `multiple ${found.multiple} -> ${field.multiple}`;
      deletes.push({
        ...base(field.code, found.label),
        action: 'delete',
        destructive: true,
        reason: `${what}: the portal cannot change it, so the field is re-created and its values are lost`,
        changes: [],
        portalId: found.id,
      });
      creates.push({ ...create, reason: `re-created: ${what}` });
      continue;
    }
    const changes = diffFields(
      { label: field.label, mandatory: field.mandatory, sort: field.sort },
      { label: found.label, mandatory: found.mandatory, sort: found.sort },
    );
    changes.push(...settingsChanges(field.settings, found.settings));
    const list = field.type === 'enumeration' ? planList(field, found.list) : undefined;
    if (list) changes.push(...list.changes);
    const op: OperationDraft = {
      ...base(field.code, field.label),
      action: changes.length > 0 ? 'update' : 'noop',
      destructive: (list?.removes ?? 0) > 0,
      changes,
      portalId: found.id,
    };
    if (op.destructive)
      op.reason = `removes ${list?.removes} list value(s): ${ctx.holds} holding them lose the value`;
    if (changes.length > 0) {
      const set: Record<string, unknown> = {};
      for (const c of changes) {
        if (c.field.startsWith('settings.')) set.settings = { ...found.settings, ...field.settings };
        else if (c.field.startsWith('list.')) set.list = list?.items;
        else set[c.field] = c.to;
      }
      op.set = set;
    }
    others.push(op);
  }

  for (const f of actual) {
    if (wanted.has(f.code)) continue;
    deletes.push({
      ...base(f.code, f.label),
      action: 'delete',
      destructive: true,
      reason: `not in config; ${ctx.holds} lose the field's values`,
      changes: [],
      portalId: f.id,
    });
  }
  // Re-created fields go before their new version; fields gone from config at the end (they are destructive).
  const replaced = deletes.filter((d) => wanted.has(d.address.slice(ctx.prefix.length)));
  const removed = deletes.filter((d) => !replaced.includes(d));
  for (const op of [...replaced, ...others, ...creates, ...removed]) b.add(op);
}
