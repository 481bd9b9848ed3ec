/**
 * `update_children`: a deal rule writes fields of its smart-process items, e.g. «Срок сдачи»
 * (DEADLINE) of the «Лаборатория» projects from the deal's «Дата окончания проекта», so the
 * laboratory's overdue rule has a deadline to watch.
 *
 * The items are read when the action runs, not when it is planned (crm.item.list filter
 * `parentId<type>` = the record, crm/universal/crm-item-list.md): an item made by the same sync's
 * create_item is covered too. Only items in open stages (semantics P) of the named directions are
 * written — a finished project keeps the deadline it had. Re-running is harmless: only items whose
 * values differ are updated (crm/universal/crm-item-update.md), and "every such item holds the
 * values" is the check of whether an interrupted run already did it, as for update_linked
 * (linked-records.ts).
 */
import type { B24Client } from '../../rest/client.js';
import type { Catalog } from '../catalog.js';
import type { Entity } from '../entity.js';
import { enumWriteFields } from '../enum-values.js';
import type { IntendedAction } from '../intended-action.js';
import type { Action } from '../rule-schema.js';

export type UpdateChildrenRule = Extract<Action, { type: 'update_children' }>;
export type UpdateChildrenAction = Extract<IntendedAction, { kind: 'update_children' }>;

type Planned = Omit<UpdateChildrenAction, 'key' | 'marker' | 'ruleId' | 'entity' | 'occurrence'>;

const RU_DATE = /^(\d{2})\.(\d{2})\.(\d{4})$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A rendered value as it is written: a date placeholder renders as `31.03.2025` (render-template.ts),
 * written as `2025-03-31`, the form a date field takes and {{today}} has.
 */
function writable(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const ru = RU_DATE.exec(value);
  return ru ? `${ru[3]}-${ru[2]}-${ru[1]}` : value;
}

/**
 * The item fields of an update_children action for a record (pure): codes -> the smart process's
 * field names, templates rendered on the record, list values as item ids; the open stages of the
 * directions. A string when nothing can be done.
 */
export function planUpdateChildren(
  action: UpdateChildrenRule,
  entity: Entity,
  catalog: Catalog,
  render: (template: string) => string,
): Planned | string {
  const target = catalog.smartProcesses[action.smartProcess];
  if (!target) return `unknown smart process ${action.smartProcess}`;
  const wanted = action.directions;
  const categories = wanted ? target.categories.filter((c) => wanted.includes(c.key)) : target.categories;
  const openStageIds = categories.flatMap((c) =>
    c.stages.filter((s) => s.semantics === 'P').map((s) => s.id),
  );
  const names = target.fields ?? {};
  const fields: Record<string, unknown> = {};
  for (const [code, value] of Object.entries(action.fields)) {
    fields[names[code] ?? code] = typeof value === 'string' ? writable(render(value)) : value;
  }
  const shown = Object.entries(action.fields)
    .map(([code]) => `${code} = ${String(fields[names[code] ?? code] ?? '')}`)
    .join(', ');
  return {
    kind: 'update_children',
    entityTypeId: target.entityTypeId,
    parentField: `parentId${entity.entityTypeId}`,
    openStageIds,
    fields: enumWriteFields(target.enums, fields),
    summary: `set ${shown} on the open items of ${target.name}${wanted ? ` (${wanted.join(', ')})` : ''}`,
  };
}

/**
 * Whether a stored value holds the wanted one (pure): lists as sets, dates by day (`2025-03-31` reads
 * back as `2025-03-31T03:00:00+03:00`, reference/bitrix24-rest.md §7), numbers as numbers.
 */
export function holdsValue(stored: unknown, wanted: unknown): boolean {
  if (Array.isArray(stored) || Array.isArray(wanted)) {
    const norm = (v: unknown): string[] =>
      (Array.isArray(v) ? v : v === null || v === undefined || v === '' ? [] : [v]).map(String).sort();
    const a = norm(stored);
    const b = norm(wanted);
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if (typeof wanted === 'boolean')
    return (stored === true || stored === 'Y' || stored === 1 || stored === '1') === wanted;
  if (typeof wanted === 'string' && ISO_DAY.test(wanted) && typeof stored === 'string')
    return stored.slice(0, 10) === wanted;
  const empty = (v: unknown): boolean => v === null || v === undefined || v === '' || v === false;
  if (empty(wanted) || empty(stored)) return empty(wanted) && empty(stored);
  const na = Number(stored);
  const nb = Number(wanted);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na === nb;
  return String(stored) === String(wanted);
}

/** The items that need writing (pure): open, and some field differs. */
export function staleChildren(
  items: Record<string, unknown>[],
  openStageIds: string[],
  fields: Record<string, unknown>,
): number[] {
  const open = new Set(openStageIds);
  return items
    .filter((item) => open.has(String(item.stageId ?? '')))
    .filter((item) => Object.entries(fields).some(([k, v]) => !holdsValue(item[k], v)))
    .map((item) => Number(item.id));
}

async function stale(client: B24Client, action: UpdateChildrenAction): Promise<number[]> {
  const items: Record<string, unknown>[] = [];
  for await (const row of client.list<Record<string, unknown>>('crm.item.list', {
    entityTypeId: action.entityTypeId,
    filter: { [action.parentField]: action.entity.id },
    select: ['*'],
    useOriginalUfNames: 'Y',
  })) {
    items.push(row);
  }
  return staleChildren(items, action.openStageIds, action.fields);
}

/** Updates the open items whose values differ; the ids updated. */
export async function updateChildren(
  client: B24Client,
  action: UpdateChildrenAction,
): Promise<{ updated: number[] }> {
  const ids = await stale(client, action);
  for (const id of ids) {
    await client.call('crm.item.update', {
      entityTypeId: action.entityTypeId,
      id,
      fields: action.fields,
      useOriginalUfNames: 'Y',
    });
  }
  return { updated: ids };
}

/** Whether every open item already holds the values (verify-action.ts). */
export async function childrenHold(client: B24Client, action: UpdateChildrenAction): Promise<boolean> {
  return (await stale(client, action)).length === 0;
}
