import { describe, expect, it } from 'vitest';
import { stageEntityId, stagePrefix, ufCamelName } from '../../src/emulator/crm/directory.js';
import { legacyFieldName } from '../../src/emulator/methods/crm-userfield.js';

describe('ufCamelName (crm/universal/index.md)', () => {
  it.each([
    // Regular conversion: only letter blocks, or only digit blocks after the type number.
    ['UF_CRM_3_DIGIT', 'ufCrm3Digit'],
    ['UF_CRM_3_1747309727', 'ufCrm3_1747309727'],
    ['UF_CRM_10_5186744711', 'ufCrm10_5186744711'],
    ['UF_CRM_PAID_AMOUNT', 'ufCrmPaidAmount'],
    ['UF_CRM_5_DIRECTION', 'ufCrm5Direction'],
    ['UF_CRM_7_NEW_REST_LIST', 'ufCrm7NewRestList'],
    // Simplified conversion: letters and digits mixed, or a deal-style numeric suffix.
    ['UF_CRM_1747309879', 'ufCrm_1747309879'],
    ['UF_CRM_1721244707107', 'ufCrm_1721244707107'],
    ['UF_CRM_3_DIGIT10', 'ufCrm_3_DIGIT10'],
    ['UF_CRM_A1', 'ufCrm_A1'],
    // Lower-case input converts the same way; non-CRM names are plain snake_case.
    ['uf_crm_paid_amount', 'ufCrmPaidAmount'],
    ['UF_TASK_WEBDAV', 'ufTaskWebdav'],
  ])('%s -> %s', (input, expected) => {
    expect(ufCamelName(input)).toBe(expected);
  });
});

describe('stage directory names', () => {
  it.each([
    [2, 0, 'DEAL_STAGE', ''],
    [2, 3, 'DEAL_STAGE_3', 'C3:'],
    [1036, 7, 'DYNAMIC_1036_STAGE_7', 'DT1036_7:'],
    [177, 87, 'DYNAMIC_177_STAGE_87', 'DT177_87:'],
  ])('entity %i pipeline %i -> %s / %s', (entityTypeId, categoryId, entityId, prefix) => {
    expect(stageEntityId(entityTypeId, categoryId)).toBe(entityId);
    expect(stagePrefix(entityTypeId, categoryId)).toBe(prefix);
  });
});

describe('legacy FIELD_NAME prefix', () => {
  it.each([
    ['MANAGER_NOTE', 'UF_CRM_MANAGER_NOTE'],
    ['UF_X', 'UF_CRM_X'],
    ['UF_CRM_X', 'UF_CRM_X'],
    ['paid_amount', 'UF_CRM_PAID_AMOUNT'],
  ])('%s -> %s', (input, expected) => {
    expect(legacyFieldName(input)).toBe(expected);
  });
});
