/**
 * A CRM record (deal or smart-process item) as the rules see it, normalised from `crm.item.list`
 * (camelCase system fields, user fields under their original UF_ names with `useOriginalUfNames: Y`;
 * reference/bitrix24-rest.md §6.9). Pure parsing, no IO.
 */

import { isListEntityType, listElementPath } from './list-records.js';

export const DEAL_ENTITY_TYPE_ID = 2;
const DAY_MS = 86_400_000;

export interface EntityRef {
  entityTypeId: number;
  id: number;
}

export interface Entity extends EntityRef {
  title: string;
  categoryId: number;
  stageId: string;
  assignedById: number;
  observers: number[];
  /** Epoch ms. */
  createdTime: number;
  updatedTime: number;
  /** When the record entered its current stage (epoch ms); null when the portal does not say. */
  movedTime: number | null;
  /** Every field as the portal returned it, by its crm.item name. */
  fields: Record<string, unknown>;
}

/** `2:15`: how the state database and ledger keys name a record. */
export const refKey = (ref: EntityRef): string => `${ref.entityTypeId}:${ref.id}`;

/**
 * The CRM binding of a task (`UF_CRM_TASK`): `D_15` for a deal, `T` + hex entityTypeId for a smart
 * process (`T40c_3` for 1036). Source: crm/data-types.md#crm-binding-format.
 */
export function crmBinding(ref: EntityRef): string {
  if (ref.entityTypeId === DEAL_ENTITY_TYPE_ID) return `D_${ref.id}`;
  return `T${ref.entityTypeId.toString(16)}_${ref.id}`;
}

/** `ENTITY_TYPE` of crm.timeline.comment.add: `deal` or `dynamic_<entityTypeId>`. */
export function timelineEntityType(entityTypeId: number): string {
  return entityTypeId === DEAL_ENTITY_TYPE_ID ? 'deal' : `dynamic_${entityTypeId}`;
}

/** The record's page on the portal (relative: IM and tasks render it as a link on the portal). */
export function entityPath(ref: EntityRef): string {
  if (isListEntityType(ref.entityTypeId)) return listElementPath(ref);
  return ref.entityTypeId === DEAL_ENTITY_TYPE_ID
    ? `/crm/deal/details/${ref.id}/`
    : `/crm/type/${ref.entityTypeId}/details/${ref.id}/`;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** ISO 8601 (or a bare YYYY-MM-DD, read as UTC midnight) -> epoch ms; undefined for empty values. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function numbers(value: unknown): number[] {
  const list = Array.isArray(value)
    ? value
    : value === undefined || value === null || value === ''
      ? []
      : [value];
  return list.map(num).filter((n): n is number => n !== undefined && n > 0);
}

/**
 * Normalises one row of crm.item.list. Worked example:
 *   { id: 15, title: 'Экспертиза', stageId: 'C3:NEW', categoryId: 3, assignedById: 7, observers: [9],
 *     createdTime: '2025-03-01T10:00:00+03:00', movedTime: null, ... }
 *   -> { entityTypeId: 2, id: 15, stageId: 'C3:NEW', createdTime: 1740812400000, movedTime: null, ... }
 */
export function entityFromItem(entityTypeId: number, item: Record<string, unknown>): Entity {
  const id = num(item.id ?? item.ID);
  if (id === undefined) throw new TypeError('A CRM item without an id');
  const createdTime = parseTime(item.createdTime) ?? 0;
  return {
    entityTypeId,
    id,
    title: typeof item.title === 'string' ? item.title : '',
    categoryId: num(item.categoryId) ?? 0,
    stageId: typeof item.stageId === 'string' ? item.stageId : '',
    assignedById: num(item.assignedById) ?? 0,
    observers: numbers(item.observers),
    createdTime,
    updatedTime: parseTime(item.updatedTime) ?? createdTime,
    movedTime: parseTime(item.movedTime) ?? null,
    fields: item,
  };
}

const NORMALISED = ['id', 'title', 'categoryId', 'stageId', 'assignedById', 'observers'] as const;

/**
 * A field of the record by the name a rule uses: the crm.item name (`opportunity`, `UF_CRM_AGENT`),
 * any letter case, or the legacy UPPER_SNAKE name of crm.deal (`ASSIGNED_BY_ID` -> `assignedById`).
 */
export function fieldValue(entity: Entity, name: string): unknown {
  const lower = name.toLowerCase();
  const camel = lower.replace(/_([a-z0-9])/g, (_m: string, c: string) => c.toUpperCase());
  // The normalised fields win: they are what the rest of the engine reads.
  const own = NORMALISED.find((k) => k.toLowerCase() === camel.toLowerCase());
  if (own) return entity[own];
  if (name in entity.fields) return entity.fields[name];
  for (const [k, v] of Object.entries(entity.fields)) {
    const kl = k.toLowerCase();
    if (kl === lower || kl === camel.toLowerCase()) return v;
  }
  return undefined;
}

/** The portal's calendar: an epoch ms -> the date and time of day where the portal is. */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  /** Epoch ms of the local midnight that starts this day. */
  dayStart: number;
  /** 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

export function localTime(ms: number, offsetMinutes: number): LocalTime {
  const shifted = ms + offsetMinutes * 60_000;
  const d = new Date(shifted);
  const dayStartShifted = Math.floor(shifted / DAY_MS) * DAY_MS;
  return {
    date: d.toISOString().slice(0, 10),
    minutes: d.getUTCHours() * 60 + d.getUTCMinutes(),
    dayStart: dayStartShifted - offsetMinutes * 60_000,
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
  };
}

/** ISO 8601 with the portal's offset, the form Bitrix24 prints (2025-03-01T10:00:00+03:00). */
export function isoAt(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted}${sign}${hh}:${mm}`;
}

export { DAY_MS };
