import type { Cond, CondOp, Sort, ValueKind, Where } from '../store/store.js';
import { errors } from './rest-error.js';

/**
 * Bitrix24 list filters (reference/bitrix24-rest.md §5): a key is an operator prefix plus a field
 * name, the value a scalar or an array.
 *
 * Worked example:
 *   { '>ID': '5', '@STAGE_ID': ['NEW', 'C1:NEW'], '%TITLE': 'анализ', '!ASSIGNED_BY_ID': 3 }
 *   -> id > 5 AND stageId IN (...) AND title contains 'анализ' AND assignedById != 3
 * An array value without an operator means IN; `!` with an array means NOT IN.
 */
export interface FieldRef {
  /** The stored document key. */
  field: string;
  kind: ValueKind;
  multiple?: boolean;
  /** Converts a filter value to the stored form (dates to epoch seconds, Y/N flags, ...). */
  toStored?: (value: unknown) => unknown;
}

export type FieldResolver = (name: string) => FieldRef | undefined;

const PREFIXES: [string, CondOp][] = [
  ['!=%', 'notlike'],
  ['!%=', 'notlike'],
  ['>=', '>='],
  ['<=', '<='],
  ['!@', 'notin'],
  ['!=', '!='],
  ['=%', 'like'],
  ['%=', 'like'],
  ['!%', 'notlike'],
  ['>', '>'],
  ['<', '<'],
  ['@', 'in'],
  ['%', 'like'],
  ['=', '='],
  ['!', '!='],
];

export function splitOperator(key: string): { op: CondOp; name: string } {
  for (const [prefix, op] of PREFIXES) {
    if (key.startsWith(prefix)) return { op, name: key.slice(prefix.length) };
  }
  return { op: '=', name: key };
}

export interface FilterOptions {
  /** Unknown field names: legacy crm.* ignores them; Engine controllers refuse (INVALID_ARG_VALUE). */
  unknown: 'ignore' | 'error';
}

function stripLike(v: unknown): unknown {
  return typeof v === 'string' ? v.replace(/^%|%$/g, '') : v;
}

export function parseFilter(filter: unknown, resolve: FieldResolver, options: FilterOptions): Where {
  if (filter === undefined || filter === null || filter === '') return [];
  if (typeof filter !== 'object') throw errors.legacy("Parameter 'filter' must be array.");
  const where: Where = [];
  const entries = Object.entries(filter as Record<string, unknown>);
  const logic = entries.find(([k]) => k.toUpperCase() === 'LOGIC')?.[1];
  const groups: Where[] = [];
  for (const [key, raw] of entries) {
    if (key.toUpperCase() === 'LOGIC') continue;
    // Nested sub-filters (crm.item.list `logic: OR`): numeric keys holding objects.
    if (/^\d+$/.test(key) && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      groups.push(parseFilter(raw, resolve, options));
      continue;
    }
    const { op, name } = splitOperator(key);
    const ref = resolve(name);
    if (!ref) {
      if (options.unknown === 'error')
        throw errors.invalidArgValue(`Invalid filter: field '${name}' is not allowed in filter`);
      continue;
    }
    const convert = (v: unknown): unknown => (ref.toStored ? ref.toStored(v) : v);
    let cond: Cond;
    const base = { field: ref.field, kind: ref.kind, ...(ref.multiple ? { multiple: true } : {}) };
    if (Array.isArray(raw)) {
      const values = raw.map(convert);
      const arrayOp: CondOp = op === '!=' || op === 'notin' ? 'notin' : op === '=' || op === 'in' ? 'in' : op;
      if (arrayOp === 'in' || arrayOp === 'notin') cond = { ...base, op: arrayOp, value: values };
      else {
        // Comparison operators with an array: any of them (rare; Bitrix treats it as OR).
        where.push({ or: values.map((v) => [{ ...base, op: arrayOp, value: v }]) });
        continue;
      }
    } else if (op === 'like' || op === 'notlike') {
      cond = { ...base, op, value: stripLike(raw) };
    } else if ((op === '=' || op === '!=') && (raw === '' || raw === null || raw === false)) {
      cond = { ...base, op: op === '=' ? 'empty' : 'notempty' };
    } else if (op === 'in' || op === 'notin') {
      cond = { ...base, op, value: [convert(raw)] };
    } else {
      cond = { ...base, op, value: convert(raw) };
    }
    where.push(cond);
  }
  if (groups.length > 0) {
    if (String(logic ?? 'AND').toUpperCase() === 'OR') where.push({ or: groups });
    else for (const g of groups) where.push(...g);
  }
  return where;
}

/** `order: { ID: 'DESC', TITLE: 'asc' }` -> sorts over stored keys; unknown fields are skipped. */
export function parseOrder(order: unknown, resolve: FieldResolver): Sort[] {
  if (!order || typeof order !== 'object') return [];
  const sorts: Sort[] = [];
  for (const [name, dir] of Object.entries(order as Record<string, unknown>)) {
    const ref = resolve(name);
    if (!ref) continue;
    sorts.push({
      field: ref.field,
      kind: ref.kind,
      dir: String(dir).toUpperCase() === 'DESC' ? 'DESC' : 'ASC',
    });
  }
  return sorts;
}
