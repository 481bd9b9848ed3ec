/**
 * Reads the universal lists of the portal for the plan: lists.get of IBLOCK_TYPE_ID `lists`, then one
 * batch of lists.field.get (all fields of each list). Shapes: reference/bitrix24-rest.md §6.15,
 * lists/fields/lists-field-get.md (without FIELD_ID the fields come keyed by FIELD_ID; a list field's
 * values are DISPLAY_VALUES_FORM {id: text}, its default value's id is DEFAULT_VALUE).
 */
import type { B24Client } from '../rest/client.js';
import type { SnapshotList, SnapshotListField } from './snapshot.js';

type Row = Record<string, unknown>;

/** The information block type of universal lists (lists-add.md). */
export const LISTS_IBLOCK_TYPE = 'lists';

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v));

function settingsOf(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Row).map(([k, v]) => [k, text(v)]));
}

export function listFieldOf(row: Row): SnapshotListField {
  const def = text(row.DEFAULT_VALUE);
  const shown = row.DISPLAY_VALUES_FORM;
  const values =
    shown && typeof shown === 'object' && !Array.isArray(shown)
      ? Object.entries(shown as Row).map(([id, value]) => ({
          id: Number(id),
          value: text(value),
          default: def !== '' && def === id,
        }))
      : [];
  return {
    fieldId: text(row.FIELD_ID),
    code: text(row.CODE),
    type: text(row.TYPE),
    label: text(row.NAME),
    required: row.IS_REQUIRED === 'Y',
    multiple: row.MULTIPLE === 'Y',
    sort: num(row.SORT),
    settings: settingsOf(row.USER_TYPE_SETTINGS),
    values,
  };
}

/** Fails the whole read on a refused call: a partial snapshot would plan fields that exist. */
export async function readLists(client: B24Client): Promise<SnapshotList[]> {
  const rows = await client.call<Row[]>('lists.get', { IBLOCK_TYPE_ID: LISTS_IBLOCK_TYPE });
  const lists = Array.isArray(rows) ? rows : [];
  if (lists.length === 0) return [];
  const outcomes = await client.batch<Row | unknown[]>(
    lists.map((l) => ({
      method: 'lists.field.get',
      params: { IBLOCK_TYPE_ID: LISTS_IBLOCK_TYPE, IBLOCK_ID: num(l.ID) },
    })),
  );
  return lists.map((l, i): SnapshotList => {
    const outcome = outcomes[i];
    if (!outcome) throw new Error(`no answer for the fields of list ${text(l.CODE)}`);
    if (!outcome.ok) throw outcome.error;
    // An empty PHP array prints as [] where the map of fields was meant.
    const fields = Array.isArray(outcome.result) ? [] : Object.values(outcome.result);
    return {
      id: num(l.ID),
      code: text(l.CODE),
      name: text(l.NAME),
      description: text(l.DESCRIPTION),
      sort: num(l.SORT),
      fields: fields.map((f) => listFieldOf(f as Row)),
    };
  });
}
