/**
 * The `repair:` section of the configuration: the decisions `b24lab repair` needs where more than one
 * fix is reasonable (issue 9). Every key has a default, so an absent section means "the defaults".
 *
 *   repair:
 *     inheritor: department-head      # who takes over a dismissed employee's records
 *     fallbackUser: admin@example.ru  # when no active head is found up the department tree
 *     offPipelineStage: same-code     # or first-stage
 *     listValues: clear               # or report
 *     stuckWorkflows: report          # or terminate
 */
import { z } from 'zod';
import { defineSection } from '../config/config-section.js';

const code = z.string().regex(/^[A-Z][A-Z0-9_-]*$/, 'Upper-case Latin letters, digits, "_" and "-"');

export const repairPolicySchema = z
  .strictObject({
    inheritor: z
      .enum(['department-head', 'fallback-user'])
      .default('department-head')
      .describe(
        'Who inherits the records of a dismissed (inactive) or deleted employee: the head of their department (walking up to the nearest active head), or always fallbackUser',
      ),
    fallbackUser: z
      .union([z.email(), z.number().int().positive()])
      .optional()
      .describe('A user (e-mail or ID) who inherits records when no active department head is found'),
    offPipelineStage: z
      .enum(['same-code', 'first-stage'])
      .default('same-code')
      .describe(
        "Where a deal whose stage belongs to another pipeline goes: the stage with the same code in the deal's own pipeline (else its first stage), or always the first stage",
      ),
    listValues: z
      .enum(['clear', 'report'])
      .default('clear')
      .describe(
        'List-field values that are no longer in the list: remove them from the record, or only report',
      ),
    stuckWorkflows: z
      .enum(['report', 'terminate'])
      .default('report')
      .describe(
        'Stuck business processes: report them for a person to look at, or terminate them (bizproc.workflow.terminate keeps their data)',
      ),
    productionStages: z
      .array(code)
      .default(['PROD_GTI', 'PROD_ANALYTICS', 'PROD_COMPLEX', 'PRODUCTION'])
      .describe(
        'Deal stage codes (without the C<id>: prefix) that mean "in production": such a deal needs a laboratory item',
      ),
    paidField: code.default('PAID_AMOUNT').describe('Deal field code (UF_CRM_<code>) of the paid amount'),
    remainingField: code
      .default('REMAINING_AMOUNT')
      .describe('Deal field code (UF_CRM_<code>) of the remaining amount'),
    laboratory: z
      .string()
      .min(1)
      .default('laboratory')
      .describe('The smart process of laboratory items: its code (the key in smartProcesses) or its title'),
  })
  .describe('Decisions of `b24lab repair` where more than one fix is reasonable');

export type RepairPolicy = z.output<typeof repairPolicySchema>;

export const repairSection = defineSection({ schema: repairPolicySchema });

/** The defaults, for a config without a `repair:` section. */
export const DEFAULT_REPAIR_POLICY: RepairPolicy = repairPolicySchema.parse({});
