import { z } from 'zod';
import { defineSection } from '../config-section.js';
import type { CheckContext } from '../config-section.js';
import type { PathSegment } from '../config-issue.js';
import { checkUnique, nameSchema, sameName } from './common.js';

/**
 * Universal lists (information blocks of type `lists`, lists/lists/lists-add.md) with their fields
 * (lists/fields/lists-field-add.md). A list's key is its symbolic code (IBLOCK_CODE), a field's code the
 * property's CODE, so both are found again after a rename. Lists of the portal that the config does not
 * name are left alone: people make lists by hand, and a list holds its elements.
 */

/** Field types by name -> the TYPE lists.field.add takes (lists-field-add.md, «Custom fields»). */
export const LIST_FIELD_TYPES = {
  string: 'S',
  number: 'N',
  list: 'L',
  file: 'F',
  date: 'S:Date',
  datetime: 'S:DateTime',
  html: 'S:HTML',
  sequence: 'N:Sequence',
  crm: 'S:ECrm',
  money: 'S:Money',
  disk_file: 'S:DiskFile',
  employee: 'S:employee',
} as const;

export type ListFieldType = keyof typeof LIST_FIELD_TYPES;

/** The name of a portal TYPE (`S:ECrm` -> `crm`); the TYPE itself for one b24lab has no name for. */
export function listFieldTypeName(type: string): string {
  const hit = Object.entries(LIST_FIELD_TYPES).find(([, t]) => t.toLowerCase() === type.toLowerCase());
  return hit ? hit[0] : type;
}

/** The system columns a rule can read besides the properties (lists-field-add.md, «System fields»). */
export const LIST_SYSTEM_FIELDS = ['NAME', 'CREATED_BY', 'MODIFIED_BY', 'DATE_CREATE', 'TIMESTAMP_X'];

const valueSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'A value key is Latin letters, digits, "_", "-" and "."')
    .max(100)
    .optional()
    .describe(
      'A name rules may use for the value (conditions, set_fields); lists keep no XML_ID, so the portal matches values by text',
    ),
  value: nameSchema.describe('The text of the value'),
  default: z.boolean().optional().describe('Selected by default'),
});

const listFieldSchema = z.strictObject({
  code: z
    .string()
    .regex(
      /^[A-Z][A-Z0-9_]*$/,
      'A field code is upper-case Latin letters, digits and "_", starting with a letter',
    )
    .max(50)
    .describe(
      "Stable key: the property's CODE (rules name the field by it; PROPERTY_<CODE> in the REST API)",
    ),
  type: z
    .enum(Object.keys(LIST_FIELD_TYPES) as [ListFieldType, ...ListFieldType[]])
    .describe(
      'string, number, list, date, datetime, html, sequence, crm (S:ECrm), money, employee (S:employee), file, disk_file; cannot change once created',
    ),
  label: nameSchema.describe('The field name shown in the list and its forms'),
  required: z.boolean().default(false),
  multiple: z.boolean().default(false).describe('Holds several values; cannot change once created'),
  sort: z.int().min(0).optional(),
  settings: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'USER_TYPE_SETTINGS of the type, e.g. { DEAL: Y, VISIBLE: Y } for a crm field; only the keys given are managed',
    ),
  values: z.array(valueSchema).optional().describe('The values of a list field, in order'),
});

const listSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'A list key is lower-case Latin letters, digits, "-" and "_"')
    .max(50)
    .describe("Stable key: the list's symbolic code (IBLOCK_CODE) on the portal"),
  name: nameSchema.describe('Name of the list'),
  description: z.string().optional(),
  sort: z.int().min(0).optional(),
  elementName: nameSchema
    .optional()
    .describe('Label of the system field NAME, the name of every element («Номер договора»)'),
  responsible: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional()
    .describe(
      "For rules: the employee field whose user is the element's responsible (recipients responsible, head); CREATED_BY (the author) when not given",
    ),
  fields: z.array(listFieldSchema).default([]).describe('Custom fields (properties), in form order'),
});

export type ListConfig = z.output<typeof listSchema>;
export type ListFieldConfig = z.output<typeof listFieldSchema>;

function checkList(list: ListConfig, at: readonly PathSegment[], ctx: CheckContext): void {
  checkUnique(
    list.fields,
    (f) => f.code,
    (j) => [...at, 'fields', j, 'code'],
    ctx,
    'field code',
  );
  list.fields.forEach((f, j) => {
    const path = [...at, 'fields', j];
    if (f.type !== 'list') {
      if (f.values !== undefined)
        ctx.issue([...path, 'values'], `Only a list field has values (type is ${f.type})`);
      return;
    }
    const values = f.values ?? [];
    if (values.length === 0) ctx.issue([...path, 'values'], 'A list field needs at least one value');
    checkUnique(
      values,
      (v) => v.key,
      (k) => [...path, 'values', k, 'key'],
      ctx,
      'value key',
    );
    values.forEach((v, k) => {
      if (values.findIndex((o, m) => m < k && sameName(o.value, v.value)) >= 0)
        ctx.issue([...path, 'values', k, 'value'], `Value "${v.value}" is already listed`);
    });
  });
  if (list.responsible !== undefined && list.responsible !== 'CREATED_BY') {
    const field = list.fields.find((f) => f.code === list.responsible);
    if (!field || field.type !== 'employee')
      ctx.issue([...at, 'responsible'], `"${list.responsible}" is not an employee field of this list`);
  }
}

export const listsSection = defineSection({
  schema: z.array(listSchema).describe('Universal lists (lists.*) with their fields, by code'),
  check: (lists, ctx) => {
    checkUnique(
      lists,
      (l) => l.key,
      (i) => [i, 'key'],
      ctx,
      'list key',
    );
    lists.forEach((l, i) => checkList(l, [i], ctx));
  },
});
