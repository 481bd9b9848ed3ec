/**
 * Which fields of each backed-up entity point at other records, and which are never written back.
 * Field names follow the list methods the backup reads (reference/bitrix24-rest.md §6): legacy CRM
 * UPPER_CASE (crm.deal.list ...), universal items camelCase (crm.item.list), tasks both ways since
 * tasks.task.list answers camelCase while tasks.task.add takes UPPER_CASE.
 */
import type { EntityRules, RefSpec } from './remap-row.js';
import { parentKind } from './remap-row.js';

const user: RefSpec = { type: 'id', kind: 'user' };
const id = (kind: string): RefSpec => ({ type: 'id', kind });

const crmSystemDates = [
  'DATE_CREATE',
  'DATE_MODIFY',
  'MOVED_TIME',
  'LAST_ACTIVITY_TIME',
  'LAST_COMMUNICATION_TIME',
];
const multifields: Record<string, RefSpec> = {
  PHONE: { type: 'multifield' },
  EMAIL: { type: 'multifield' },
  WEB: { type: 'multifield' },
  IM: { type: 'multifield' },
  LINK: { type: 'multifield' },
};
const crmUsers: Record<string, RefSpec> = {
  ASSIGNED_BY_ID: user,
  CREATED_BY_ID: user,
  MODIFY_BY_ID: user,
  MOVED_BY_ID: user,
  LAST_ACTIVITY_BY: user,
};
const parentPatternUpper = {
  match: /^PARENT_ID_(\d+)$/,
  spec: (m: RegExpExecArray): RefSpec => id(parentKind(Number(m[1]))),
};
const parentPatternCamel = {
  match: /^parentId(\d+)$/,
  spec: (m: RegExpExecArray): RefSpec => id(parentKind(Number(m[1]))),
};

export const REMAP_RULES: Record<string, EntityRules> = {
  departments: { fields: { PARENT: id('department'), UF_HEAD: user }, drop: ['ID'] },
  'smart-process-types': {
    fields: {},
    drop: ['id', 'entityTypeId', 'createdTime', 'updatedTime', 'createdBy', 'updatedBy', 'customSectionId'],
  },
  pipelines: { fields: { entityTypeId: { type: 'entityType' } }, drop: ['id', 'isDefault'] },
  stages: {
    fields: {
      ENTITY_ID: { type: 'statusEntity' },
      STATUS_ID: { type: 'stage' },
      CATEGORY_ID: id('category'),
    },
    drop: ['ID', 'SYSTEM', 'EXTRA'],
  },
  fields: { fields: {}, drop: ['ID'] },
  companies: {
    fields: { ...crmUsers, ...multifields },
    patterns: [parentPatternUpper],
    drop: ['ID', ...crmSystemDates, 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL'],
  },
  contacts: {
    fields: {
      ...crmUsers,
      ...multifields,
      COMPANY_ID: id('company'),
      COMPANY_IDS: id('company'),
      LEAD_ID: id('lead'),
    },
    patterns: [parentPatternUpper],
    drop: ['ID', ...crmSystemDates, 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL'],
  },
  deals: {
    fields: {
      ...crmUsers,
      CONTACT_ID: id('contact'),
      COMPANY_ID: id('company'),
      LEAD_ID: id('lead'),
      CATEGORY_ID: id('category'),
      STAGE_ID: { type: 'stage' },
    },
    patterns: [parentPatternUpper],
    drop: [
      'ID',
      ...crmSystemDates,
      'STAGE_SEMANTIC_ID',
      'IS_NEW',
      'IS_RETURN_CUSTOMER',
      'IS_REPEATED_APPROACH',
      'CLOSED',
    ],
  },
  'deal-contacts': { fields: { DEAL_ID: id('deal'), CONTACT_ID: id('contact') }, drop: [] },
  'smart-process-items': {
    fields: {
      assignedById: user,
      createdBy: user,
      updatedBy: user,
      movedBy: user,
      lastActivityBy: user,
      observers: user,
      contactId: id('contact'),
      contactIds: id('contact'),
      companyId: id('company'),
      categoryId: id('category'),
      stageId: { type: 'stage' },
      entityTypeId: { type: 'entityType' },
    },
    patterns: [parentPatternCamel],
    drop: [
      'id',
      'createdTime',
      'updatedTime',
      'movedTime',
      'lastActivityTime',
      'previousStageId',
      'stageSemanticId',
    ],
  },
  tasks: {
    fields: {
      responsibleId: user,
      RESPONSIBLE_ID: user,
      createdBy: user,
      CREATED_BY: user,
      auditors: user,
      AUDITORS: user,
      accomplices: user,
      ACCOMPLICES: user,
      parentId: id('task'),
      PARENT_ID: id('task'),
      ufCrmTask: { type: 'binding' },
      UF_CRM_TASK: { type: 'binding' },
      ufTaskWebdavFiles: { type: 'attachment' },
      UF_TASK_WEBDAV_FILES: { type: 'attachment' },
    },
    drop: [
      'id',
      'ID',
      'createdDate',
      'CREATED_DATE',
      'changedDate',
      'CHANGED_DATE',
      'closedDate',
      'activityDate',
      'changedBy',
      'closedBy',
      // Views the portal derives from the fields above (tasks.task.list), never written back.
      'creator',
      'responsible',
      'accomplicesData',
      'auditorsData',
      'checkListTree',
      'checkListCanAdd',
      'action',
      'newCommentsCount',
    ],
  },
  'timeline-comments': {
    fields: {
      ENTITY_ID: { type: 'owner', typeField: 'ENTITY_TYPE' },
      AUTHOR_ID: user,
    },
    // FILES holds URLs of the source portal; the restore uploads FILES_CONTENT (kept by the backup).
    drop: ['ID', 'CREATED', 'FILES'],
  },
  'list-elements': {
    // PROPERTY_<id> fields are re-named and remapped by their type: remap-list-element.ts.
    fields: { CREATED_BY: user, MODIFIED_BY: user, IBLOCK_ID: id('list') },
    drop: ['ID', 'DATE_CREATE', 'TIMESTAMP_X', 'CREATED_USER_NAME'],
  },
  files: {
    fields: { PARENT_ID: id('folder'), STORAGE_ROOT_ID: id('folder'), CREATED_BY: user, UPDATED_BY: user },
    drop: [
      'ID',
      'CREATE_TIME',
      'UPDATE_TIME',
      'DOWNLOAD_URL',
      'DETAIL_URL',
      'STORAGE_ID',
      'DELETE_TIME',
      'DELETED_BY',
      // The object itself and its content blob: new on the target.
      'REAL_OBJECT_ID',
      'FILE_ID',
    ],
  },
};
