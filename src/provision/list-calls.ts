/**
 * The REST calls of list operations (reference/bitrix24-rest.md §6.15; lists/lists/lists-add.md,
 * lists-update.md, lists/fields/lists-field-add.md, -update.md, -delete.md). Lists are addressed by
 * their code (IBLOCK_CODE = the config's key), so no call waits for an id and `--dry-run` shows the
 * real parameters.
 */
import type { BatchCall } from '../rest/batch.js';
import type { Operation } from './plan.js';
import type { ListValueSet } from './plan-lists.js';
import { LISTS_IBLOCK_TYPE } from './read-lists.js';

const yn = (v: unknown): 'Y' | 'N' => (v ? 'Y' : 'N');

/** `list:contracts/field:STATUS` -> `contracts` */
const listKey = (address: string): string => address.slice('list:'.length).split('/')[0] ?? '';

/**
 * FIELDS of lists.field.add / update. List values go as LIST {key: {VALUE, SORT, DEF}}: a key that is
 * the id of an existing value keeps it, other keys (`n0`) are new values; a value left out is removed.
 */
function fieldInput(set: Record<string, unknown>, create: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { NAME: set.label, TYPE: set.type };
  if (create) {
    fields.CODE = set.code;
    fields.MULTIPLE = yn(set.multiple);
  }
  if (set.required !== undefined) fields.IS_REQUIRED = yn(set.required);
  if (set.sort !== undefined) fields.SORT = set.sort;
  if (set.settings !== undefined) fields.USER_TYPE_SETTINGS = set.settings;
  if (Array.isArray(set.values)) {
    const list: Record<string, unknown> = {};
    (set.values as ListValueSet[]).forEach((v, i) => {
      list[v.id !== undefined ? String(v.id) : `n${i}`] = {
        VALUE: v.value,
        SORT: (i + 1) * 10,
        DEF: yn(v.default),
      };
    });
    fields.LIST = list;
  }
  return fields;
}

export function listCall(op: Operation, set: Record<string, unknown>): BatchCall {
  const address = { IBLOCK_TYPE_ID: LISTS_IBLOCK_TYPE, IBLOCK_CODE: listKey(op.address) };
  if (op.entity === 'list') {
    const fields: Record<string, unknown> = { NAME: set.name };
    if (set.description !== undefined) fields.DESCRIPTION = set.description;
    if (set.sort !== undefined) fields.SORT = set.sort;
    if (op.action === 'create') return { method: 'lists.add', params: { ...address, FIELDS: fields } };
    if (op.action === 'update') return { method: 'lists.update', params: { ...address, FIELDS: fields } };
    return { method: 'lists.delete', params: address };
  }
  const fieldId = String(set.fieldId ?? (op.portalId !== undefined ? `PROPERTY_${op.portalId}` : ''));
  if (op.action === 'create')
    return { method: 'lists.field.add', params: { ...address, FIELDS: fieldInput(set, true) } };
  if (op.action === 'update')
    return {
      method: 'lists.field.update',
      params: { ...address, FIELD_ID: fieldId, FIELDS: fieldInput(set, false) },
    };
  return { method: 'lists.field.delete', params: { ...address, FIELD_ID: fieldId } };
}
