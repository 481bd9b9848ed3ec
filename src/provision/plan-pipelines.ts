/**
 * Deal pipelines: matched by the key b24lab keeps in the pipeline's originId (crm-category-fields.md:
 * writable, deals only), else adopted by name. The default pipeline (id 0) is never managed: it cannot
 * be deleted and prints no originId. A new pipeline comes with the portal's default stages, which the
 * stage plan reconciles (default-stages.ts).
 */
import type { PipelineConfig } from '../config/sections/pipelines.js';
import { defaultStages } from './default-stages.js';
import { defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import { matchByKey } from './match-by-key.js';
import { planStages } from './plan-stages.js';
import type { SnapshotPipeline } from './snapshot.js';

export const DEAL_ENTITY_TYPE_ID = 2;

export const pipelineAddress = (key: string): string => `pipeline:${key}`;

export function planPipelines(
  desired: readonly PipelineConfig[],
  actual: readonly SnapshotPipeline[],
  b: PlanBuilder,
): void {
  const managed = actual.filter((p) => !p.isDefault && p.id !== 0);
  const { matches, leftovers } = matchByKey(
    desired,
    managed,
    (d) => d.name,
    (a) => a.name,
  );

  for (const pipeline of desired) {
    const address = pipelineAddress(pipeline.key);
    const hit = matches.get(pipeline);
    b.desire(address, { name: pipeline.name, key: pipeline.key, sort: pipeline.sort });
    if (!hit) {
      b.add({
        action: 'create',
        entity: 'pipeline',
        address,
        name: pipeline.name,
        destructive: false,
        drift: false,
        changes: [],
        set: defined({ name: pipeline.name, key: pipeline.key, sort: pipeline.sort }),
      });
      planStages(
        pipeline.stages,
        defaultStages('deal'),
        { owner: address, ownerName: pipeline.name, fresh: true, holds: 'deals' },
        b,
      );
      continue;
    }
    const { actual: found, adopted } = hit;
    b.exists(address, { id: found.id, entityTypeId: DEAL_ENTITY_TYPE_ID });
    const changes = diffFields(
      { name: pipeline.name, key: pipeline.key, sort: pipeline.sort },
      { name: found.name, key: found.key, sort: found.sort },
    );
    const op: OperationDraft = {
      action: changes.length > 0 ? 'update' : 'noop',
      entity: 'pipeline',
      address,
      name: pipeline.name,
      destructive: false,
      drift: false,
      changes,
      portalId: found.id,
    };
    if (adopted) op.reason = 'found by name; the key is stored in its originId';
    if (changes.length > 0) op.set = Object.fromEntries(changes.map((c) => [c.field, c.to]));
    b.add(op);
    planStages(
      pipeline.stages,
      found.stages,
      { owner: address, ownerName: pipeline.name, fresh: false, holds: 'deals' },
      b,
    );
  }

  for (const p of leftovers) {
    const deals = p.stages.reduce((n, s) => n + (s.itemCount ?? 0), 0);
    const op: OperationDraft = {
      action: 'delete',
      entity: 'pipeline',
      address: pipelineAddress(p.key || `#${p.id}`),
      name: p.name,
      destructive: true,
      drift: false,
      reason: 'not in config',
      changes: [],
      portalId: p.id,
    };
    if (deals > 0)
      op.blocked = `it holds ${deals} deals; Bitrix24 refuses to delete a pipeline that holds deals: move or delete them first`;
    b.add(op);
  }
}
