/**
 * Schema pieces shared by the sections: keys, names, stages and user fields. Limits and code formats
 * follow the portal so a config that passes here is not refused there (reference/bitrix24-rest.md
 * §6.4 for STATUS_ID, §6.7 / §6.10 for FIELD_NAME).
 */
import { z } from 'zod';
import type { CheckContext } from '../config-section.js';
import type { PathSegment } from '../config-issue.js';

/**
 * A stable key: `sales`, `lab-gti`, `new_request`. Keys b24lab writes are lowercase; keys another tool
 * left in a pipeline's originId (`1C_42`) are accepted as they are, so `pull` can bring them under code.
 */
export const keySchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/,
    'Use Latin letters, digits, "-", "_", "." and ":", starting with a letter or digit',
  )
  .max(100);

export const nameSchema = z.string().trim().min(1, 'Must not be empty').max(255);

export const colorSchema = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, 'A colour is #RRGGBB')
  .describe('Colour of the stage on the kanban, #RRGGBB');

export const SEMANTICS = ['process', 'success', 'failure'] as const;
export type Semantics = (typeof SEMANTICS)[number];

/**
 * A stage. `code` is the stable key: the STATUS_ID without the pipeline prefix (`WON` is stored as
 * `C3:WON` in deal pipeline 3, `DT1036_7:WON` in a smart process). Deal STATUS_IDs are at most 21
 * characters with the `C<id>:` prefix (crm-status-add.md), so deal codes stay within 17.
 */
export function stageSchema(maxCode: number) {
  return z.strictObject({
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_-]*$/, 'A stage code is upper-case Latin letters, digits, "_" and "-"')
      .max(maxCode, `A stage code is at most ${maxCode} characters here`)
      .describe('Stable key: the STATUS_ID without the pipeline prefix (C3:, DT1036_7:)'),
    name: nameSchema.describe('Stage name shown on the kanban'),
    semantics: z
      .enum(SEMANTICS)
      .default('process')
      .describe('process (in progress), success (the one won stage) or failure (lost stages)'),
    color: colorSchema.optional(),
  });
}

export const DEAL_STAGE_CODE_MAX = 17;
export const SPA_STAGE_CODE_MAX = 30;

export const FIELD_TYPES = [
  'string',
  'integer',
  'double',
  'boolean',
  'date',
  'datetime',
  'money',
  'url',
  'enumeration',
  'employee',
  'crm',
  'crm_status',
  'file',
  'address',
] as const;

const listItemSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'A list value key is Latin letters, digits, "_", "-" and "."')
    .max(100)
    .optional()
    .describe('Stable key of the value (XML_ID); without it the value is matched by its text'),
  value: nameSchema.describe('The text of the value'),
  sort: z.int().min(0).optional(),
  default: z.boolean().optional().describe('Selected by default'),
});

/**
 * A user field. `code` is the stable key: FIELD_NAME without its prefix (`SERVICE` is `UF_CRM_SERVICE`
 * on deals, `UF_CRM_<type id>_SERVICE` on a smart process). FIELD_NAME is at most 50 characters.
 */
export function fieldSchema(maxCode: number) {
  return z.strictObject({
    code: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9_]*$/, 'A field code is upper-case Latin letters, digits and "_"')
      .max(maxCode, `A field code is at most ${maxCode} characters here (FIELD_NAME is at most 50)`)
      .describe('Stable key: FIELD_NAME without UF_CRM_ (deals) or UF_CRM_<type id>_ (smart processes)'),
    type: z
      .union([
        z.enum(FIELD_TYPES),
        // Types of other modules and applications (iblock_element, rest_1_map ...) pass through.
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'A field type is a USER_TYPE_ID such as string or enumeration'),
      ])
      .describe('USER_TYPE_ID; it cannot change once the field exists'),
    label: nameSchema.describe('The label on the card, in lists and filters'),
    multiple: z.boolean().default(false).describe('Holds several values; cannot change once created'),
    mandatory: z.boolean().optional(),
    sort: z.int().min(0).optional(),
    settings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('SETTINGS of the type, e.g. { DEAL: "Y" } for a crm field; only the keys given are managed'),
    list: z.array(listItemSchema).optional().describe('The values of an enumeration field, in order'),
  });
}

export const DEAL_FIELD_CODE_MAX = 43;
export const SPA_FIELD_CODE_MAX = 38;

export type StageConfig = z.output<ReturnType<typeof stageSchema>>;
export type FieldConfig = z.output<ReturnType<typeof fieldSchema>>;

/** Reports every repeat of a key in a list, at the repeat. */
export function checkUnique<T>(
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
  at: (index: number) => readonly PathSegment[],
  ctx: CheckContext,
  what: string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else ctx.issue(at(index), `Duplicate ${what} "${key}" (first at index ${first})`);
  });
}

const normalizedName = (name: string): string => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('ru');

/** Names are matched case-insensitively with spaces collapsed (how b24lab adopts unkeyed entities). */
export function sameName(a: string, b: string): boolean {
  return normalizedName(a) === normalizedName(b);
}

/**
 * The stage rules of a pipeline (crm-status-add.md, "Restrictions for SORT"): in-progress stages come
 * first, then exactly one success stage, then at least one failure stage; codes and names are unique.
 */
export function checkStages(
  stages: readonly StageConfig[],
  base: readonly PathSegment[],
  ctx: CheckContext,
): void {
  checkUnique(
    stages,
    (s) => s.code,
    (i) => [...base, i, 'code'],
    ctx,
    'stage code',
  );
  checkUnique(
    stages,
    (s) => normalizedName(s.name),
    (i) => [...base, i, 'name'],
    ctx,
    'stage name',
  );
  const rank: Record<string, number> = { process: 0, success: 1, failure: 2 };
  const successes = stages.filter((s) => s.semantics === 'success').length;
  if (successes !== 1)
    ctx.issue(base, `A pipeline needs exactly one stage with semantics: success (found ${successes})`);
  if (!stages.some((s) => s.semantics === 'failure'))
    ctx.issue(base, 'A pipeline needs at least one stage with semantics: failure');
  if (stages.length > 0 && stages[0]?.semantics !== 'process')
    ctx.issue([...base, 0, 'semantics'], 'The first stage must be an in-progress stage (semantics: process)');
  stages.forEach((stage, i) => {
    const prev = stages[i - 1];
    if (prev && (rank[stage.semantics] ?? 0) < (rank[prev.semantics] ?? 0)) {
      ctx.issue(
        [...base, i, 'semantics'],
        `A ${stage.semantics} stage cannot follow a ${prev.semantics} stage: in-progress stages come first, then the success stage, then failure stages`,
      );
    }
  });
}

/** Unique codes and labels; list values only on enumerations, unique, at most one default unless multiple. */
export function checkFields(
  fields: readonly FieldConfig[],
  base: readonly PathSegment[],
  ctx: CheckContext,
): void {
  checkUnique(
    fields,
    (f) => f.code,
    (i) => [...base, i, 'code'],
    ctx,
    'field code',
  );
  fields.forEach((field, i) => {
    const at = [...base, i];
    if (field.type === 'boolean' && field.multiple)
      ctx.issue([...at, 'multiple'], 'A boolean field cannot be multiple');
    if (field.type !== 'enumeration') {
      if (field.list !== undefined)
        ctx.issue([...at, 'list'], `Only an enumeration field has list values (type is ${field.type})`);
      return;
    }
    const list = field.list ?? [];
    if (list.length === 0) ctx.issue([...at, 'list'], 'An enumeration field needs at least one list value');
    checkUnique(
      list,
      (v) => v.key,
      (j) => [...at, 'list', j, 'key'],
      ctx,
      'list value key',
    );
    checkUnique(
      list,
      (v) => normalizedName(v.value),
      (j) => [...at, 'list', j, 'value'],
      ctx,
      'list value',
    );
    const defaults = list.filter((v) => v.default).length;
    if (defaults > 1 && !field.multiple)
      ctx.issue([...at, 'list'], `A single-value field can have one default value (found ${defaults})`);
  });
}
