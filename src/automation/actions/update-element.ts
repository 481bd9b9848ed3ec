/**
 * `set_fields` on a list element (rule entity `{ list: <key> }`). lists.element.update overwrites the
 * whole element: a property not sent is cleared (lists/elements/lists-element-update.md, «The method
 * completely overwrites the element»). So the element is read first (lists.element.get) and written
 * back whole with the changed fields in place. Dates go in the site format the element's own dates
 * use (a list parses dates with it). File properties (F) cannot be written back by id
 * (ERROR_ELEMENT_FIELD_VALUE "Writing file values by ID is not supported"), so a list with one is not
 * written: the action fails with that reason rather than erase the files.
 *
 * Whether an interrupted run already did it: every wanted value is on the element (verify-action.ts).
 */
import type { B24Client } from '../../rest/client.js';
import { B24Error } from '../../rest/errors.js';
import type { EntityRef } from '../entity.js';
import type { ListProperty } from '../list-records.js';
import { iblockIdOf, listDateInput, listPropertiesOf, LISTS_TYPE, valuesOf } from '../list-records.js';

type Row = Record<string, unknown>;

/** What a write needs of a property (list-records.ts reads them). */
type Property = Pick<ListProperty, 'fieldId' | 'code' | 'type' | 'multiple'>;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

async function read(client: B24Client, ref: EntityRef): Promise<{ properties: Property[]; element: Row }> {
  const address = { IBLOCK_TYPE_ID: LISTS_TYPE, IBLOCK_ID: iblockIdOf(ref.entityTypeId) };
  const fields = await client.call<Row>('lists.field.get', address);
  const properties = listPropertiesOf(fields, undefined);
  const rows = await client.call<Row[]>('lists.element.get', { ...address, ELEMENT_ID: ref.id });
  const element = Array.isArray(rows) ? rows[0] : undefined;
  if (!element) throw refused('ERROR_ELEMENT_NOT_FOUND', `list element ${ref.id} no longer exists`);
  return { properties, element };
}

/**
 * A write b24lab will not make, as the portal's refusal: the executor records it as not run (failed),
 * and nothing was sent.
 */
function refused(code: string, description: string): B24Error {
  return new B24Error({
    method: 'lists.element.update',
    code,
    description,
    httpStatus: 400,
    retryable: false,
  });
}

const isDate = (type: string): boolean => type === 'S:Date' || type === 'S:DateTime';

/** A wanted value as the list stores it: a date in the element's format, values as strings. */
function wanted(p: Property, value: unknown, sample: string): string[] {
  const list = Array.isArray(value)
    ? (value as unknown[])
    : value === null || value === undefined
      ? []
      : [value];
  return list.map((v) => (isDate(p.type) ? text(listDateInput(v, sample)) : text(v))).filter((v) => v !== '');
}

/**
 * The FIELDS of lists.element.update: NAME and every property as it is, the wanted ones replaced.
 * Worked example: element {NAME: 'Д-17', PROPERTY_31: {'88': 'D_42'}, PROPERTY_36: {'93': '61'}},
 * fields {STATUS: 62} -> {NAME: 'Д-17', PROPERTY_31: ['D_42'], PROPERTY_36: ['62']}.
 */
export function elementFields(properties: Property[], element: Row, fields: Record<string, unknown>): Row {
  const sample = text(element.DATE_CREATE);
  const out: Row = { NAME: 'NAME' in fields ? text(fields.NAME) : text(element.NAME) };
  for (const p of properties) {
    const given = Object.keys(fields).find((k) => k.toUpperCase() === p.code);
    const values = given !== undefined ? wanted(p, fields[given], sample) : valuesOf(element[p.fieldId]);
    if (p.type === 'F' && values.length > 0)
      throw refused(
        'ERROR_ELEMENT_FIELD_VALUE',
        `list field ${p.code} holds files, which lists.element.update cannot write back`,
      );
    out[p.fieldId] = p.multiple ? values : (values[0] ?? '');
  }
  return out;
}

export async function updateListElement(
  client: B24Client,
  ref: EntityRef,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { properties, element } = await read(client, ref);
  await client.call('lists.element.update', {
    IBLOCK_TYPE_ID: LISTS_TYPE,
    IBLOCK_ID: iblockIdOf(ref.entityTypeId),
    ELEMENT_ID: ref.id,
    FIELDS: elementFields(properties, element, fields),
  });
  return { elementId: ref.id };
}

/** Whether the element already holds every wanted value (dates compared as dates). */
export async function listElementHolds(
  client: B24Client,
  ref: EntityRef,
  fields: Record<string, unknown>,
): Promise<boolean> {
  const { properties, element } = await read(client, ref);
  const sample = text(element.DATE_CREATE);
  const day = (v: string): string => v.replace(/\s.*$/, '');
  return Object.entries(fields).every(([name, value]) => {
    if (name.toUpperCase() === 'NAME') return text(element.NAME) === text(value);
    const p = properties.find((q) => q.code === name.toUpperCase());
    if (!p) return false;
    const want = wanted(p, value, sample);
    const have = valuesOf(element[p.fieldId]);
    const norm = (v: string): string => (p.type === 'S:Date' ? day(v) : v);
    return want.length === have.length && want.every((v, i) => norm(v) === norm(have[i] ?? ''));
  });
}
