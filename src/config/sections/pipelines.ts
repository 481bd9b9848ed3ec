import { z } from 'zod';
import { defineSection } from '../config-section.js';
import {
  DEAL_STAGE_CODE_MAX,
  checkStages,
  checkUnique,
  keySchema,
  nameSchema,
  sameName,
  stageSchema,
} from './common.js';

/**
 * Deal pipelines (crm.category with entityTypeId 2). The key is kept on the portal in the pipeline's
 * `originId` (crm-category-fields.md: writable, deals only), so a renamed pipeline is still found.
 * The default pipeline (id 0) is not managed: it cannot be deleted and has no originId.
 */
const pipelineSchema = z.strictObject({
  key: keySchema.describe("Stable key, stored in the pipeline's originId on the portal"),
  name: nameSchema.describe('Pipeline name'),
  sort: z.int().min(0).optional().describe('Position among pipelines; managed only when given'),
  stages: z.array(stageSchema(DEAL_STAGE_CODE_MAX)).min(1).describe('Stages in kanban order'),
});

export type PipelineConfig = z.output<typeof pipelineSchema>;

export const pipelinesSection = defineSection({
  schema: z.array(pipelineSchema).describe('Deal pipelines with their stages'),
  check: (pipelines, ctx) => {
    checkUnique(
      pipelines,
      (p) => p.key,
      (i) => [i, 'key'],
      ctx,
      'pipeline key',
    );
    pipelines.forEach((p, i) => {
      const twin = pipelines.findIndex((o, j) => j < i && sameName(o.name, p.name));
      if (twin >= 0) ctx.issue([i, 'name'], `Pipeline name "${p.name}" is already used (index ${twin})`);
      checkStages(p.stages, [i, 'stages'], ctx);
    });
  },
});
