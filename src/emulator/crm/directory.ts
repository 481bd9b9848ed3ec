/**
 * Read helpers over the CRM directories (pipelines, stages, smart-process types, user fields) shared by
 * the directory methods and the record methods (notes: crm-contract.md). Everything here reads the
 * store kinds of model.ts; writes live in the method families.
 */
import type { Portal } from '../portal.js';
import type { CategoryDoc, StatusDoc, TypeDoc, UserFieldDoc } from './model.js';
import { CATEGORY_KIND, ENTITY_TYPE, STATUS_KIND, TYPE_KIND, USERFIELD_KIND } from './model.js';

/**
 * The crm.status ENTITY_ID of a pipeline's stages (api-reference/crm/status/index.md):
 * deal pipeline 0 -> 'DEAL_STAGE', deal pipeline 3 -> 'DEAL_STAGE_3',
 * smart process 1036 pipeline 7 -> 'DYNAMIC_1036_STAGE_7'.
 */
export function stageEntityId(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === ENTITY_TYPE.deal) return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
}

/** The STATUS_ID prefix of a pipeline's stages: '' (deal pipeline 0), 'C3:', 'DT1036_7:'. */
export function stagePrefix(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === ENTITY_TYPE.deal) return categoryId === 0 ? '' : `C${categoryId}:`;
  return `DT${entityTypeId}_${categoryId}:`;
}

/** The rows of one crm.status directory, ordered by SORT then id. */
export function statusesOf(portal: Portal, entityId: string): StatusDoc[] {
  return portal.store.query<StatusDoc>(STATUS_KIND, {
    where: [{ field: 'ENTITY_ID', op: '=', value: entityId, kind: 'text' }],
    order: [{ field: 'SORT', dir: 'ASC', kind: 'number' }],
  });
}

/** The stages of a pipeline ordered by SORT then id. */
export function listStages(portal: Portal, entityTypeId: number, categoryId: number): StatusDoc[] {
  return statusesOf(portal, stageEntityId(entityTypeId, categoryId));
}

export function findStage(
  portal: Portal,
  entityTypeId: number,
  categoryId: number,
  statusId: string,
): StatusDoc | undefined {
  return portal.store
    .query<StatusDoc>(STATUS_KIND, {
      where: [
        { field: 'ENTITY_ID', op: '=', value: stageEntityId(entityTypeId, categoryId), kind: 'text' },
        { field: 'STATUS_ID', op: '=', value: statusId, kind: 'text' },
      ],
      limit: 1,
    })
    .at(0);
}

/** The pipeline a STATUS_ID belongs to (`C3:WON` -> 3), or undefined when no such stage exists. */
export function categoryOfStage(portal: Portal, entityTypeId: number, statusId: string): number | undefined {
  const row = portal.store
    .query<StatusDoc>(STATUS_KIND, {
      where: [
        { field: 'entityTypeId', op: '=', value: entityTypeId, kind: 'number' },
        { field: 'STATUS_ID', op: '=', value: statusId, kind: 'text' },
      ],
      limit: 1,
    })
    .at(0);
  return row?.CATEGORY_ID ?? undefined;
}

export function getCategory(
  portal: Portal,
  entityTypeId: number,
  categoryId: number,
): CategoryDoc | undefined {
  const doc = portal.store.get<CategoryDoc>(CATEGORY_KIND, categoryId);
  return doc && doc.entityTypeId === entityTypeId ? doc : undefined;
}

/** The pipelines of an entity ordered by sort then id. */
export function categoriesOf(portal: Portal, entityTypeId: number): CategoryDoc[] {
  return portal.store.query<CategoryDoc>(CATEGORY_KIND, {
    where: [{ field: 'entityTypeId', op: '=', value: entityTypeId, kind: 'number' }],
    order: [{ field: 'sort', dir: 'ASC', kind: 'number' }],
  });
}

export function defaultCategory(portal: Portal, entityTypeId: number): CategoryDoc | undefined {
  return categoriesOf(portal, entityTypeId).find((c) => c.isDefault);
}

/** A smart process by its entityTypeId. */
export function getType(portal: Portal, entityTypeId: number): TypeDoc | undefined {
  return portal.store
    .query<TypeDoc>(TYPE_KIND, {
      where: [{ field: 'entityTypeId', op: '=', value: entityTypeId, kind: 'number' }],
      limit: 1,
    })
    .at(0);
}

/** 2, 3, 4 or an existing smart process. */
export function isSupportedEntity(portal: Portal, entityTypeId: number): boolean {
  if (
    entityTypeId === ENTITY_TYPE.deal ||
    entityTypeId === ENTITY_TYPE.contact ||
    entityTypeId === ENTITY_TYPE.company
  )
    return true;
  return getType(portal, entityTypeId) !== undefined;
}

const FIXED_UF_ENTITY: Record<number, string> = {
  [ENTITY_TYPE.deal]: 'CRM_DEAL',
  [ENTITY_TYPE.contact]: 'CRM_CONTACT',
  [ENTITY_TYPE.company]: 'CRM_COMPANY',
};

/**
 * The user-field entity id: CRM_DEAL, CRM_CONTACT, CRM_COMPANY, CRM_<type id> for smart processes
 * (the type's small `id`, not its entityTypeId: api-reference/crm/universal/userfieldconfig/index.md).
 */
export function ufEntityId(portal: Portal, entityTypeId: number): string | undefined {
  const fixed = FIXED_UF_ENTITY[entityTypeId];
  if (fixed !== undefined) return fixed;
  const type = getType(portal, entityTypeId);
  return type ? `CRM_${type.id}` : undefined;
}

/** The user fields of one UF entity ordered by SORT then id. */
export function userFieldsOf(portal: Portal, ufEntity: string): UserFieldDoc[] {
  return portal.store.query<UserFieldDoc>(USERFIELD_KIND, {
    where: [{ field: 'ENTITY_ID', op: '=', value: ufEntity, kind: 'text' }],
    order: [{ field: 'SORT', dir: 'ASC', kind: 'number' }],
  });
}

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

/**
 * crm.item's camelCase name of a user field (api-reference/crm/universal/index.md, "user fields"):
 * after `UF_CRM_` and an optional smart-process number, a suffix made only of letter blocks or only of
 * digit blocks is converted "regularly" (letter blocks capitalised, digit blocks keep their underscore);
 * anything else is "simplified" (only the prefix changes).
 *   UF_CRM_3_DIGIT -> ufCrm3Digit          UF_CRM_3_1747309727 -> ufCrm3_1747309727
 *   UF_CRM_PAID_AMOUNT -> ufCrmPaidAmount  UF_CRM_1747309879 -> ufCrm_1747309879
 *   UF_CRM_3_DIGIT10 -> ufCrm_3_DIGIT10
 */
export function ufCamelName(fieldName: string): string {
  const upper = fieldName.toUpperCase();
  if (!upper.startsWith('UF_CRM_')) {
    // Not a CRM field: plain snake_case -> camelCase.
    const [first = '', ...rest] = upper.split('_').filter((b) => b !== '');
    return first.toLowerCase() + rest.map(capitalize).join('');
  }
  const rest = upper.slice('UF_CRM_'.length);
  const blocks = rest.split('_');
  let typeId = '';
  let suffix = blocks;
  if (blocks.length >= 2 && /^\d+$/.test(blocks[0] ?? '')) {
    typeId = blocks[0] ?? '';
    suffix = blocks.slice(1);
  }
  if (suffix.length > 0 && suffix.every((b) => /^[A-Z]+$/.test(b)))
    return `ufCrm${typeId}${suffix.map(capitalize).join('')}`;
  if (typeId !== '' && suffix.length > 0 && suffix.every((b) => /^\d+$/.test(b)))
    return `ufCrm${typeId}_${suffix.join('_')}`;
  return `ufCrm_${rest}`;
}
