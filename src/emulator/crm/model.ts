/**
 * The stored shapes of the local portal's CRM: directories (pipelines, stages, smart-process types,
 * user fields) and records (deals, contacts, companies, smart-process items). Legacy `crm.deal.*` and
 * universal `crm.item.*` are two views of the same stored record, as on a real portal.
 *
 * Stored values are typed: numbers as numbers, flags as booleans, datetimes as epoch milliseconds,
 * dates as `YYYY-MM-DD`; the views print them as each API family does (reference/bitrix24-rest.md §6-7).
 */
import type { Doc } from '../store/store.js';

export const ENTITY_TYPE = { lead: 1, deal: 2, contact: 3, company: 4 } as const;

/** Kind (store table key) of a CRM record: `crm_item_2` for deals, `crm_item_1036` for an SPA. */
export const itemKind = (entityTypeId: number): string => `crm_item_${entityTypeId}`;

export const CATEGORY_KIND = 'crm_category';
export const STATUS_KIND = 'crm_status';
export const TYPE_KIND = 'crm_type';
export const USERFIELD_KIND = 'crm_userfield';
export const STAGE_HISTORY_KIND = 'crm_stage_history';
export const TIMELINE_COMMENT_KIND = 'crm_timeline_comment';
export const DEAL_CONTACT_KIND = 'crm_deal_contact';

/** A pipeline (deal category) or a smart-process category. The default deal pipeline has id 0. */
export interface CategoryDoc extends Doc {
  entityTypeId: number;
  name: string;
  sort: number;
  isDefault: boolean;
  /** Smart processes only (`code` of crm.category); b24lab stores its stable keys here. */
  code: string | null;
  isSystem: boolean;
  /** Deals only: originId / originatorId (b24lab keeps a pipeline's stable key in originId). */
  originId: string;
  originatorId: string;
  createdAt: number;
}

/** A row of `crm.status.*`: a stage of a pipeline or an entry of another directory (SOURCE, DEAL_TYPE...). */
export interface StatusDoc extends Doc {
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  NAME_INIT: string;
  SORT: number;
  SYSTEM: boolean;
  /** The pipeline of a stage (0 for the default deal pipeline), null for non-stage directories. */
  CATEGORY_ID: number | null;
  COLOR: string;
  /** null = in progress, 'S' = success, 'F' = failure. */
  SEMANTICS: 'S' | 'F' | null;
  /** The CRM entity the stage directory belongs to (2 deals, SPA entityTypeId), null otherwise. */
  entityTypeId: number | null;
}

/** A smart process (`crm.type.*`). `id` is the small type id used in UF names; entityTypeId is >= 128. */
export interface TypeDoc extends Doc {
  entityTypeId: number;
  title: string;
  code: string | null;
  createdBy: number;
  updatedBy: number;
  createdTime: number;
  updatedTime: number;
  /** Y/N flags of crm.type: isCategoriesEnabled, isStagesEnabled, isClientEnabled, isObserversEnabled, ... */
  flags: Record<string, boolean>;
  relations: {
    parent: { entityTypeId: number; isChildrenListEnabled: boolean; isPredefined: boolean }[];
    child: { entityTypeId: number; isChildrenListEnabled: boolean; isPredefined: boolean }[];
  };
  linkedUserFields: Record<string, boolean>;
}

export interface UserFieldEnumItem {
  ID: number;
  VALUE: string;
  SORT: number;
  DEF: boolean;
  XML_ID: string;
}

/** A CRM user field (crm.deal.userfield.*, crm.contact.userfield.*, userfieldconfig.* for CRM entities). */
export interface UserFieldDoc extends Doc {
  /** CRM_DEAL, CRM_CONTACT, CRM_COMPANY, CRM_{type id} for smart processes. */
  ENTITY_ID: string;
  FIELD_NAME: string;
  USER_TYPE_ID: string;
  XML_ID: string | null;
  SORT: number;
  MULTIPLE: boolean;
  MANDATORY: boolean;
  SHOW_FILTER: string;
  SHOW_IN_LIST: boolean;
  EDIT_IN_LIST: boolean;
  IS_SEARCHABLE: boolean;
  SETTINGS: Record<string, unknown>;
  /** Labels by language: { ru: 'Сумма оплаты', en: '...' }. */
  EDIT_FORM_LABEL: Record<string, string>;
  LIST_COLUMN_LABEL: Record<string, string>;
  LIST_FILTER_LABEL: Record<string, string>;
  ERROR_MESSAGE: Record<string, string>;
  HELP_MESSAGE: Record<string, string>;
  LIST: UserFieldEnumItem[];
}

/**
 * A CRM record, keyed by the camelCase names of crm.item (`title`, `stageId`, `assignedById`,
 * `opportunity`, `ufCrm5Direction`...). User fields are stored under their original UPPER names
 * (`UF_CRM_PAID_AMOUNT`, `UF_CRM_5_DIRECTION`) so a rename rule can never lose a value.
 */
export interface ItemDoc extends Doc {
  entityTypeId: number;
  [field: string]: unknown;
}

/** A stage change, read by crm.stagehistory.list. */
export interface StageHistoryDoc extends Doc {
  entityTypeId: number;
  ownerId: number;
  categoryId: number;
  /** 1 created, 2 moved, 3 category changed. */
  typeId: 1 | 2 | 3;
  stageId: string;
  stageSemanticId: 'P' | 'S' | 'F';
  createdTime: number;
}
