/**
 * `{ type: set_related, via: <field>, fields: {...} }`: writes fields of the CRM record that a field of
 * the rule's record points at, e.g. the deal a contract in the registry is for:
 *
 *   entity: { list: contracts }, via: DEAL, fields: { CONTRACT_STATUS: APPROVED }
 *   element DEAL = 'D_42' -> crm.item.update of deal 42: UF_CRM_CONTRACT_STATUS = <id of APPROVED>
 *
 * The pointer is a CRM binding (`D_42`, `T40c_3`; crm/data-types.md#crm-binding-format) or a bare id,
 * read as a deal unless the list field binds another single type (list-records.ts crmTarget). Field
 * codes are the config's (CONTRACT_STATUS -> UF_CRM_CONTRACT_STATUS), list values by key or label
 * (enum-values.ts), strings may be templates of the rule's record. The write is an ordinary `update`
 * action on the pointed-at record, so the executor's ledger and the verification (crm.item.get: the
 * fields hold the values) make it exactly once; its ledger key is the rule's record's.
 */
import type { Catalog } from '../catalog.js';
import type { Entity, EntityRef } from '../entity.js';
import { DEAL_ENTITY_TYPE_ID, fieldValue } from '../entity.js';
import type { EnumFields } from '../enum-values.js';
import { enumWriteFields } from '../enum-values.js';
import type { IntendedAction } from '../intended-action.js';
import { crmTarget, listTargetOf } from '../list-records.js';

export interface SetRelatedAction {
  type: 'set_related';
  via: string;
  fields: Record<string, unknown>;
}

type Base = Pick<IntendedAction, 'key' | 'marker' | 'ruleId' | 'entity' | 'occurrence'>;

/** The CRM types a pointer field binds, when the record is a list element (else deals by default). */
function crmTypesOf(entity: Entity, via: string, catalog: Catalog): string[] {
  const property = listTargetOf(catalog, entity.entityTypeId)?.list.properties.find(
    (p) => p.code === via.toUpperCase(),
  );
  return property?.crmTypes ?? ['DEAL'];
}

/** Field codes -> portal names and list items of the record type written to. */
function targetFields(
  catalog: Catalog,
  ref: EntityRef,
): { names: Record<string, string>; enums: EnumFields } {
  if (ref.entityTypeId === DEAL_ENTITY_TYPE_ID)
    return { names: catalog.deal?.fields ?? {}, enums: catalog.deal?.enums ?? {} };
  const sp = Object.values(catalog.smartProcesses).find((t) => t.entityTypeId === ref.entityTypeId);
  return { names: sp?.fields ?? {}, enums: sp?.enums ?? {} };
}

export function planSetRelated(
  action: SetRelatedAction,
  entity: Entity,
  catalog: Catalog,
  render: (text: string) => string,
  base: Base,
): IntendedAction {
  const pointer = fieldValue(entity, action.via);
  const ref = crmTarget(
    Array.isArray(pointer) ? pointer[0] : pointer,
    crmTypesOf(entity, action.via, catalog),
  );
  if (!ref) {
    const reason = `${action.via} points at no CRM record`;
    return { ...base, kind: 'skip', reason, summary: `skipped: ${reason}` };
  }
  const { names, enums } = targetFields(catalog, ref);
  const fields: Record<string, unknown> = {};
  for (const [code, value] of Object.entries(action.fields)) {
    fields[names[code] ?? code] = typeof value === 'string' ? render(value) : value;
  }
  const what =
    ref.entityTypeId === DEAL_ENTITY_TYPE_ID ? `deal ${ref.id}` : `record ${ref.entityTypeId}:${ref.id}`;
  return {
    ...base,
    entity: ref,
    kind: 'update',
    fields: enumWriteFields(enums, fields),
    summary: `set ${Object.keys(fields).join(', ')} of ${what}`,
  };
}
