/**
 * The `rules` and `jobs` sections of the configuration (config/rules.yaml): the portal's automation as
 * code. Bitrix24's REST API can neither read nor write stage robots (reference/bitrix24-automation-
 * and-domain.md §1.3), so these rules replace them and b24lab runs them itself.
 *
 * A rule, worked example (YAML -> meaning):
 *   - id: sales-qualified-control
 *     entity: { pipeline: sales }                                 deals of the «Продажи» pipeline
 *     trigger: { type: stayed_in_stage, stage: QUALIFIED, days: [15, 30] }
 *     actions:
 *       - { type: escalate, message: 'Сделка {{link}} без движения {{daysInStage}} дн.' }
 *   -> once 15 days after a deal entered «Квалификация пройдена» (and again at 30), the head of the
 *      responsible's department is notified; moving the deal on and back restarts the count.
 *
 * Types come from z.infer (STYLE.md §10); the loader reports every problem with its path.
 */
import { validateCronExpression } from 'cron';
import { z } from 'zod';
import { checkExpression, ExpressionError } from './compute-expression.js';

const key = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" and "_", starting with a letter');

/** A field of the entity as crm.item names it (`stageId`, `opportunity`) or a user field (`UF_CRM_...`). */
const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'not a field name');

/** Which records a rule watches: deals of one pipeline, or items of a smart process (some directions). */
export const ruleEntitySchema = z.union([
  z.strictObject({ pipeline: key }),
  z.strictObject({ smartProcess: key, directions: z.array(key).min(1).optional() }),
  /** Elements of a universal list of the `lists:` section, by its key (list-records.ts). */
  z.strictObject({ list: key }),
]);

const positiveDays = z.number().positive().max(3650);

export const triggerSchema = z.discriminatedUnion('type', [
  /** A record appeared (found by the sync job; its first stage's rules also run: stage_entered). */
  z.strictObject({ type: z.literal('created') }),
  /** A record entered a stage (of the rule's pipeline or directions), including when created in it. */
  z.strictObject({ type: z.literal('stage_entered'), stage: key }),
  /** A field's value changed; `assignedById` = the responsible changed. */
  z.strictObject({ type: z.literal('field_changed'), field: fieldName }),
  /** Shorthand for field_changed of `assignedById` (Bitrix24's ResponsibleChangedTrigger). */
  z.strictObject({ type: z.literal('responsible_changed') }),
  /**
   * A record has stayed in a stage N days (since movedTime; the stage history when movedTime is
   * empty). Several thresholds fire once each: `days: [15, 30]`.
   */
  z.strictObject({
    type: z.literal('stayed_in_stage'),
    stage: key,
    days: z.union([positiveDays, z.array(positiveDays).min(1)]),
  }),
  /**
   * A date field has passed while the record's stage is not final (overdue). `precision: day` (the
   * default, for date fields such as closedate): overdue from the next day in the portal's time zone.
   * `graceDays` delays it further.
   */
  z.strictObject({
    type: z.literal('date_passed'),
    field: fieldName,
    precision: z.enum(['day', 'time']).default('day'),
    graceDays: z.number().min(0).max(365).default(0),
  }),
  /**
   * A task a task action with `key: <task>` made for the record was completed (status 5) on the
   * portal (found by the sync job; task-completion.ts). Once per task. Templates get
   * {{taskClosedBy}}, {{taskClosedByName}} and {{taskClosedDate}}.
   */
  z.strictObject({ type: z.literal('task_completed'), task: key }),
  /**
   * On a deal rule: every item of the smart process linked to the deal (parentId2) is in a final
   * stage, at least one successful. Found by the sync job when an item enters a final stage; once
   * per set of items (actions/children-finished.ts). `directions: [gti, analytics]`: only the items in
   * those directions are the deal's work; an item in another direction keeps the set unfinished while
   * it is open and is ignored once final (an item at «Передано в работу» of the new-request direction).
   */
  z.strictObject({
    type: z.literal('children_finished'),
    smartProcess: key,
    directions: z.array(key).min(1).optional(),
  }),
  /** Once per period for each matching record (at or after `at`, portal time): reminders, digests. */
  z.strictObject({
    type: z.literal('schedule'),
    every: z.enum(['day', 'week', 'month']),
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM')
      .default('00:00'),
  }),
]);

/** The ops a `stage` condition takes: the record is (not) at the stage(s) of these codes. */
const STAGE_OPS: readonly string[] = ['=', '!=', 'in', 'not_in'];

/** The ops a condition with `valueField` (another field) takes. */
const FIELD_OPS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];

export const conditionSchema = z
  .strictObject({
    /**
     * A field of the record, or of its parent deal: `parent.opportunity` (parent-record.ts);
     * `stage` = the stage by its configuration code: `{ field: stage, op: in, value: [NEW, CHECK] }`.
     */
    field: z.string().regex(/^(parent\.)?[A-Za-z][A-Za-z0-9_]*$/, 'not a field name'),
    op: z
      .enum(['=', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'empty', 'not_empty', 'contains'])
      .default('='),
    value: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
      .optional(),
    /**
     * Instead of `value`: another field of the same record (or `parent.<field>`), read when the rule
     * runs: `{ field: PAID_AMOUNT, op: '>=', valueField: opportunity }` (paid in full).
     */
    valueField: z
      .string()
      .regex(/^(parent\.)?[A-Za-z][A-Za-z0-9_]*$/, 'not a field name')
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.valueField !== undefined) {
      if (c.value !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['valueField'], message: 'give either value or valueField' });
      }
      if (!FIELD_OPS.includes(c.op)) {
        ctx.addIssue({
          code: 'custom',
          path: ['op'],
          message: 'compare with a field by =, !=, >, >=, < or <=',
        });
      }
    }
    if (c.field !== 'stage' && c.field !== 'parent.stage') return;
    if (!STAGE_OPS.includes(c.op)) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: 'compare a stage with =, !=, in or not_in' });
    }
    if (c.valueField !== undefined) return;
    const codes = Array.isArray(c.value) ? c.value : [c.value];
    if (codes.length === 0 || codes.some((v) => typeof v !== 'string' || !key.safeParse(v).success)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'give a stage code or a list of them' });
    }
  });

/**
 * Who receives: `responsible`, `head` (head of the responsible's department, one level up when that is
 * the responsible himself or nobody), `observers`, `user:<id>`, `field:<UF_...>` (an employee field),
 * `head_of:<department name>` (the head of that department: `head_of:Лаборатория`), and on
 * smart-process rules `parent:responsible` / `parent:observers` (of the item's parent deal).
 */
export const recipientSchema = z
  .string()
  .regex(
    /^(responsible|head|observers|user:[1-9]\d*|field:[A-Za-z][A-Za-z0-9_]*|head_of:\S.*|parent:(responsible|observers))$/,
    'expected responsible, head, observers, user:<id>, field:<NAME>, head_of:<department>, parent:responsible or parent:observers',
  );

const recipients = z.array(recipientSchema).min(1);

const duration = z
  .strictObject({
    days: z.number().min(0).optional(),
    hours: z.number().min(0).optional(),
  })
  .refine((d) => d.days !== undefined || d.hours !== undefined, 'give days or hours');

const text = z.string().trim().min(1).max(20_000);

const expression = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      checkExpression(value);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      ctx.addIssue({ code: 'custom', message: `not an expression: ${e.message}` });
    }
  });

/** A value written to a field: list fields take XML_IDs or labels (`DIRECTIONS: [GTI, ANALYTICS]`). */
const fieldValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string(), z.number()])),
]);

export const actionSchema = z.discriminatedUnion('type', [
  /**
   * A Drive folder for the record with all its documents (files of its file fields, its timeline
   * comments and activities), copied once each; the folder's link saved to `saveTo`
   * (actions/copy-documents.ts). `folder` is a path template, `/` nests: 'Проекты/{{title}}'.
   * `storage`: the company's common drive (default) or a storage id.
   */
  z.strictObject({
    type: z.literal('copy_documents'),
    folder: z.string().trim().min(1).max(1000),
    storage: z.union([z.literal('common'), z.number().int().positive()]).default('common'),
    saveTo: fieldName.optional(),
  }),
  /** im.notify.system.add to each recipient. */
  z.strictObject({ type: z.literal('notify'), to: recipients, message: text }),
  /** tasks.task.add bound to the record (UF_CRM_TASK). */
  z.strictObject({
    type: z.literal('task'),
    title: text,
    description: z.string().default(''),
    responsible: recipientSchema.default('responsible'),
    auditors: z.array(recipientSchema).default([]),
    deadline: duration.optional(),
    createdBy: z.number().int().positive().optional(),
    /** Names the task, so task_completed and complete_task can find "the task <key> of the record". */
    key: key.optional(),
  }),
  /** crm.timeline.comment.add on the record. */
  z.strictObject({ type: z.literal('comment'), text }),
  /** crm.item.update with literal values (strings may use {{placeholders}}). */
  z.strictObject({
    type: z.literal('set_fields'),
    fields: z.record(fieldName, fieldValueSchema),
  }),
  /**
   * crm.item.update with values computed from the record's fields (compute-expression.ts):
   * `REMAINING_AMOUNT: 'max(opportunity - PAID_AMOUNT, 0)'`.
   */
  z.strictObject({
    type: z.literal('compute_fields'),
    fields: z.record(fieldName, expression),
  }),
  /**
   * The record's responsible becomes the responsible of its contacts and company (crm.item.update of
   * each linked record whose responsible differs).
   */
  z.strictObject({
    type: z.literal('propagate_responsible'),
    to: z
      .array(z.enum(['contacts', 'company']))
      .min(1)
      .default(['contacts', 'company']),
  }),
  /**
   * An employee field set from the department of the responsible (the nearest department up the tree
   * that `byDepartment` names, by its name), the employee also added to the observers:
   * «Назначение агентов». Nothing is done when no department of the responsible is mapped.
   */
  z.strictObject({
    type: z.literal('assign_by_department'),
    field: fieldName,
    byDepartment: z.record(z.string().trim().min(1), z.number().int().positive()),
    addObserver: z.boolean().default(true),
  }),
  /**
   * tasks.task.complete of the record's open tasks made under `key: <task>`; none open -> nothing.
   * Closing them this way is not a task_completed event (actions/complete-task.ts).
   */
  z.strictObject({ type: z.literal('complete_task'), task: key }),
  /**
   * crm.item.update of stageId to a stage of the record's own pipeline or direction; with
   * `direction: <key>` a smart-process item moves into that direction (categoryId + stageId; its
   * first stage unless `stage` names one).
   */
  z
    .strictObject({ type: z.literal('move_stage'), stage: key.optional(), direction: key.optional() })
    .refine((a) => a.stage !== undefined || a.direction !== undefined, 'give stage, direction or both'),
  /**
   * crm.item.add of a smart-process item linked to the record (parentId<record type> = its id):
   * in `direction` (its first stage unless `stage`), titled `title` (default: the record's title),
   * `fields` by code (list fields by XML_ID or label, strings may be templates), `copy`: fields of
   * the record copied into the item's same-code fields. Once (actions/create-item.ts).
   */
  z.strictObject({
    type: z.literal('create_item'),
    smartProcess: key,
    direction: key,
    stage: key.optional(),
    title: text.optional(),
    responsible: recipientSchema.default('responsible'),
    fields: z.record(fieldName, fieldValueSchema).default({}),
    copy: z.array(fieldName).default([]),
  }),
  /**
   * crm.item.add of a copy of the smart-process item in another direction: the same fields (user
   * fields too, file fields excepted), parents, responsible and observers. Once (actions/copy-item.ts).
   */
  z.strictObject({ type: z.literal('copy_item'), direction: key, stage: key.optional() }),
  /**
   * crm.item.update of the record's items of a smart process (parentId<record type> = its id; only
   * those in `directions`, when given; only items in open stages) whose values differ: fields by the
   * smart process's codes, list values by XML_ID or label, strings may be templates rendered on the
   * record. Re-running is harmless (actions/update-children.ts).
   */
  z.strictObject({
    type: z.literal('update_children'),
    smartProcess: key,
    directions: z.array(key).min(1).optional(),
    fields: z
      .record(fieldName, fieldValueSchema)
      .refine((f) => Object.keys(f).length > 0, 'name at least one field'),
  }),
  /**
   * «Уведомить руководство»: notify the head of the responsible's department; `levels: 2` also the
   * head above.
   */
  z.strictObject({
    type: z.literal('escalate'),
    message: text,
    levels: z.number().int().min(1).max(5).default(1),
  }),
  /**
   * crm.item.update of the CRM record a field of this record points at (`via`: a crm field holding
   * `D_42` or a deal id), e.g. the deal of a contract in a list: fields by code, list values by key
   * or label, strings may be templates (actions/set-related.ts).
   */
  z.strictObject({
    type: z.literal('set_related'),
    via: fieldName,
    fields: z.record(
      fieldName,
      z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]),
    ),
  }),
]);

export const ruleSchema = z.strictObject({
  id: key,
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  entity: ruleEntitySchema,
  trigger: triggerSchema,
  conditions: z.array(conditionSchema).default([]),
  actions: z.array(actionSchema).min(1),
});

const cronExpression = z
  .string()
  .trim()
  .refine((text) => validateCronExpression(text).valid, {
    message: 'not a cron expression; expected 5 or 6 fields, e.g. "*/10 * * * *"',
  });

/** A job's settings: when the scheduler runs it and how far back the sync looks again. */
export const jobSettingsSchema = z.strictObject({
  schedule: cronExpression.optional(),
  enabled: z.boolean().default(true),
  /** sync only: re-list records modified this long before the checkpoint (late commits, clock skew). */
  overlapMinutes: z.number().min(0).max(1440).optional(),
  /** backup and reports: the folder they write to (relative to the working directory). */
  dir: z.string().trim().min(1).optional(),
  /** backup: `incremental` builds on the newest snapshot (a full one when there is none). */
  kind: z.enum(['full', 'incremental']).optional(),
  /** backup: how many daily, weekly and monthly snapshots `prune` keeps. */
  retention: z
    .strictObject({
      daily: z.number().int().min(0).max(366),
      weekly: z.number().int().min(0).max(520),
      monthly: z.number().int().min(0).max(1200),
    })
    .optional(),
  /** reports: which reports, in which formats (`excel` makes csv for Russian Excel). */
  reports: z
    .array(z.enum(['managers', 'receivables', 'funnel', 'projects']))
    .min(1)
    .optional(),
  formats: z
    .array(z.enum(['csv', 'json', 'html']))
    .min(1)
    .optional(),
  excel: z.boolean().optional(),
});

export const jobsSectionSchema = z.record(key, jobSettingsSchema);

export const rulesSectionSchema = z.array(ruleSchema).superRefine(
  (rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((rule: unknown, i) => {
      // Runs even when some rules are invalid (every problem is reported at once), so look carefully.
      const id = (rule as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      const before = seen.get(id);
      if (before !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `duplicate rule id "${id}" (also rule ${before + 1})`,
        });
      }
      seen.set(id, i);
    });
  },
  { when: () => true },
);

/** The automation part of the configuration: `rules:` and `jobs:`. */
export const automationConfigSchema = z.strictObject({
  rules: rulesSectionSchema.default([]),
  jobs: jobsSectionSchema.default({}),
});

export type RuleEntity = z.infer<typeof ruleEntitySchema>;
export type Trigger = z.infer<typeof triggerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Recipient = z.infer<typeof recipientSchema>;
export type Action = z.infer<typeof actionSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type JobSettings = z.infer<typeof jobSettingsSchema>;
export type AutomationConfig = z.infer<typeof automationConfigSchema>;

/** Triggers found by the sync job's change detection vs. evaluated over time by the control job. */
export const EVENT_TRIGGERS = [
  'created',
  'stage_entered',
  'field_changed',
  'responsible_changed',
  'task_completed',
  'children_finished',
] as const;
export type EventTriggerType = (typeof EVENT_TRIGGERS)[number];

export function isEventTrigger(t: Trigger): t is Extract<Trigger, { type: EventTriggerType }> {
  return (EVENT_TRIGGERS as readonly string[]).includes(t.type);
}
