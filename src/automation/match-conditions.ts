import { stageCode } from './catalog.js';
import type { Entity } from './entity.js';
import { fieldValue } from './entity.js';
import type { EnumFields, EnumItem } from './enum-values.js';
import { enumConditionIds } from './enum-values.js';
import type { Condition } from './rule-schema.js';

/**
 * What conditions may read besides the record: the items of its list fields (a list field compares
 * by item id, XML_ID or label: `{ field: UF_CRM_SERVICE, value: GTI }`), and its parent deal for
 * `parent.<field>` (a smart-process item's deal; undefined when it has none or it was not read).
 */
export interface ConditionContext {
  enums?: EnumFields;
  parent?: { entity: Entity; enums?: EnumFields } | undefined;
}

const PARENT = 'parent.';

/**
 * `{ field: stage, value: INVOICE_SENT }` compares the record's stage by its configuration code, the
 * STATUS_ID without its pipeline's or direction's prefix: `C3:INVOICE_SENT` and `INVOICE_SENT` (the
 * default pipeline) are both INVOICE_SENT, `DT1036_7:INVOICE_SENT_LATE` is not.
 */
export const STAGE_FIELD = 'stage';

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** Numbers compare as numbers (`"1000.00"` = 1000), Y/N flags as booleans, the rest as text. */
function same(a: unknown, b: unknown): boolean {
  if (typeof b === 'boolean') return (a === true || a === 'Y' || a === 1 || a === '1') === b;
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && a !== null && Number.isFinite(na) && Number.isFinite(nb)) return na === nb;
  return String(a) === String(b);
}

/** A money field's "1500.50|RUB" is its number (compute-expression.ts reads it so too). */
function amount(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+(\.\d+)?\|[A-Z]{3}$/.test(value) ? value.split('|')[0] : value;
}

function compare(x: unknown, y: unknown): number | undefined {
  const a = amount(x);
  const b = amount(y);
  const na = Number(a);
  const nb = Number(b);
  if (a !== null && a !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  // ISO dates compare as times.
  const ta = typeof a === 'string' ? Date.parse(a) : NaN;
  const tb = typeof b === 'string' ? Date.parse(b) : NaN;
  if (Number.isFinite(ta) && Number.isFinite(tb)) return ta - tb;
  return undefined;
}

/** A field of the record or, as `parent.<field>`, of its parent deal: its value and list items. */
function read(
  entity: Entity,
  name: string,
  context: ConditionContext,
): { value: unknown; items: EnumItem[] | undefined } {
  const onParent = name.startsWith(PARENT);
  const field = onParent ? name.slice(PARENT.length) : name;
  const source = onParent ? context.parent : { entity, enums: context.enums };
  const value = !source
    ? undefined
    : field === STAGE_FIELD
      ? stageCode(source.entity.stageId)
      : fieldValue(source.entity, field);
  return { value, items: source?.enums?.[field] };
}

/**
 * `{ field: PAID_AMOUNT, op: '>=', valueField: opportunity }`: two fields of the record compared
 * (numbers as numbers, dates as times). An empty side never compares: an unpaid deal is not
 * "paid in full" of an empty amount, and != holds only between two values that differ.
 */
function matchesFields(a: unknown, b: unknown, op: Condition['op']): boolean {
  const one = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);
  const x = one(a);
  const y = one(b);
  const missing = (v: unknown): boolean =>
    v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  if (missing(x) || missing(y)) return false;
  if (op === '=') return same(x, y);
  if (op === '!=') return !same(x, y);
  const diff = compare(x, y);
  if (diff === undefined) return false;
  if (op === '>') return diff > 0;
  if (op === '>=') return diff >= 0;
  if (op === '<') return diff < 0;
  return op === '<=' && diff <= 0;
}

export function matchesCondition(
  entity: Entity,
  condition: Condition,
  context: ConditionContext = {},
): boolean {
  const { value: actual, items } = read(entity, condition.field, context);
  if (condition.valueField !== undefined) {
    return matchesFields(actual, read(entity, condition.valueField, context).value, condition.op);
  }
  const expected = condition.value;
  const given = Array.isArray(expected) ? expected : expected === undefined ? [] : [expected];
  // A list field holds item ids: the names a rule uses become ids (contains/in: "has that item").
  const list = items ? enumConditionIds(items, given) : given;
  if (items && condition.op === 'contains') {
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((v) => list.some((e) => same(v, e)));
  }
  const values = Array.isArray(actual) ? actual : [actual];
  switch (condition.op) {
    case 'empty':
      return isEmpty(actual);
    case 'not_empty':
      return !isEmpty(actual);
    case '=':
      return values.some((v) => list.some((e) => same(v, e)));
    case '!=':
      return !values.some((v) => list.some((e) => same(v, e)));
    case 'in':
      return values.some((v) => list.some((e) => same(v, e)));
    case 'not_in':
      return !values.some((v) => list.some((e) => same(v, e)));
    case 'contains':
      return values.some((v) =>
        list.some((e) =>
          String(v ?? '')
            .toLowerCase()
            .includes(String(e).toLowerCase()),
        ),
      );
    default: {
      const diff = compare(actual, expected);
      if (diff === undefined) return false;
      if (condition.op === '>') return diff > 0;
      if (condition.op === '>=') return diff >= 0;
      if (condition.op === '<') return diff < 0;
      return diff <= 0;
    }
  }
}

/** All conditions hold (an empty list always holds). */
export function matchesConditions(
  entity: Entity,
  conditions: Condition[],
  context: ConditionContext = {},
): boolean {
  return conditions.every((c) => matchesCondition(entity, c, context));
}
