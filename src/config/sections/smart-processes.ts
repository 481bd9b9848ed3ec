import { z } from 'zod';
import { defineSection } from '../config-section.js';
import {
  SPA_FIELD_CODE_MAX,
  SPA_STAGE_CODE_MAX,
  checkFields,
  checkStages,
  checkUnique,
  fieldSchema,
  keySchema,
  nameSchema,
  sameName,
  stageSchema,
} from './common.js';

/** The writable Y/N switches of crm.type (crm-type-add.md). */
export const SMART_PROCESS_FLAGS = [
  'isCategoriesEnabled',
  'isStagesEnabled',
  'isBeginCloseDatesEnabled',
  'isClientEnabled',
  'isUseInUserfieldEnabled',
  'isLinkWithProductsEnabled',
  'isMycompanyEnabled',
  'isDocumentsEnabled',
  'isSourceEnabled',
  'isObserversEnabled',
  'isRecyclebinEnabled',
  'isAutomationEnabled',
  'isBizProcEnabled',
  'isSetOpenPermissions',
] as const;

/** CRM types a smart process can be linked to, by name (entityTypeId in reference/bitrix24-rest.md §6.9). */
export const SYSTEM_ENTITY_TYPES = {
  lead: 1,
  deal: 2,
  contact: 3,
  company: 4,
  quote: 7,
  smart_invoice: 31,
} as const;

const relationSchema = z.strictObject({
  entity: z
    .union([z.enum(Object.keys(SYSTEM_ENTITY_TYPES) as [keyof typeof SYSTEM_ENTITY_TYPES]), z.int().min(1)])
    .describe('deal, contact, company, lead, quote, smart_invoice, or the entityTypeId of a smart process'),
  childrenList: z
    .boolean()
    .default(true)
    .describe('Show the list of linked items on the card (isChildrenListEnabled)'),
});

/**
 * A direction (crm.category of the smart process). Its key is kept in the category's `code`
 * (crm-category-fields.md lists `code` for smart processes); a portal that ignores it still finds the
 * direction by name.
 */
const categorySchema = z.strictObject({
  key: keySchema.describe("Stable key, stored in the direction's code on the portal"),
  name: nameSchema,
  sort: z.int().min(0).optional(),
  default: z
    .boolean()
    .optional()
    .describe('The default direction (new items land here); the first direction when none is marked'),
  stages: z.array(stageSchema(SPA_STAGE_CODE_MAX)).min(1).describe('Stages in kanban order'),
});

const smartProcessSchema = z.strictObject({
  key: keySchema.describe("Stable key, stored in the smart process's code on the portal"),
  title: nameSchema.describe('Name of the smart process'),
  flags: z
    .partialRecord(z.enum(SMART_PROCESS_FLAGS), z.boolean())
    .optional()
    .describe(
      'crm.type switches (isObserversEnabled, isCategoriesEnabled ...); only the ones given are managed',
    ),
  relations: z
    .strictObject({
      parents: z
        .array(relationSchema)
        .optional()
        .describe('Types whose items this one links to (deal: parentId2)'),
      children: z.array(relationSchema).optional().describe('Types linked to the items of this one'),
    })
    .optional()
    .describe('Links to other CRM types; a side that is given is managed in full'),
  categories: z.array(categorySchema).min(1).describe('Directions with their stages'),
  fields: z.array(fieldSchema(SPA_FIELD_CODE_MAX)).optional().describe('User fields of the card'),
});

export type SmartProcessConfig = z.output<typeof smartProcessSchema>;
export type CategoryConfig = z.output<typeof categorySchema>;

/** The direction new items land in: the one marked default, else the first. */
export function defaultCategoryOf(sp: SmartProcessConfig): CategoryConfig | undefined {
  return sp.categories.find((c) => c.default) ?? sp.categories[0];
}

export const smartProcessesSection = defineSection({
  schema: z
    .array(smartProcessSchema)
    .describe('Smart processes (crm.type) with directions, stages and fields'),
  check: (processes, ctx) => {
    checkUnique(
      processes,
      (p) => p.key,
      (i) => [i, 'key'],
      ctx,
      'smart process key',
    );
    processes.forEach((sp, i) => {
      const twin = processes.findIndex((o, j) => j < i && sameName(o.title, sp.title));
      if (twin >= 0)
        ctx.issue([i, 'title'], `Smart process title "${sp.title}" is already used (index ${twin})`);
      checkUnique(
        sp.categories,
        (c) => c.key,
        (j) => [i, 'categories', j, 'key'],
        ctx,
        'direction key',
      );
      sp.categories.forEach((c, j) => {
        const same = sp.categories.findIndex((o, k) => k < j && sameName(o.name, c.name));
        if (same >= 0)
          ctx.issue(
            [i, 'categories', j, 'name'],
            `Direction name "${c.name}" is already used (index ${same})`,
          );
        checkStages(c.stages, [i, 'categories', j, 'stages'], ctx);
      });
      const defaults = sp.categories.flatMap((c, j) => (c.default ? [j] : []));
      for (const j of defaults.slice(1))
        ctx.issue([i, 'categories', j, 'default'], 'Only one direction can be the default');
      if (sp.categories.length > 1 && sp.flags?.isCategoriesEnabled !== true)
        ctx.issue(
          [i, 'flags', 'isCategoriesEnabled'],
          'Several directions need flags.isCategoriesEnabled: true',
        );
      if (sp.flags?.isStagesEnabled === false)
        ctx.issue(
          [i, 'flags', 'isStagesEnabled'],
          'Stages are listed, so flags.isStagesEnabled cannot be false',
        );
      for (const side of ['parents', 'children'] as const) {
        const list = sp.relations?.[side] ?? [];
        checkUnique(
          list,
          (r) => String(r.entity),
          (j) => [i, 'relations', side, j, 'entity'],
          ctx,
          'linked type',
        );
      }
      checkFields(sp.fields ?? [], [i, 'fields'], ctx);
    });
  },
});
