/**
 * A deal or laboratory item whose stage is not one of its pipeline's stages (after an import, a move
 * between pipelines by hand in the database, a deleted stage). The kanban does not show it, robots of
 * no stage run, reports put it nowhere. Repair moves it within its own pipeline
 * (reference/bitrix24-automation-and-domain.md §4: crm.item.update with categoryId + stageId).
 */
import type { Finding } from './finding.js';
import { crmRef, kindName } from './links.js';
import type { CrmRecord, PortalView, Rows, StageInfo } from './portal-view.js';
import { stagesKey } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

/** `C3:NEW` -> `NEW`, `DT1036_7:CHECK` -> `CHECK`, `NEW` (default pipeline) -> `NEW`. */
export function stageCode(statusId: string): string {
  const colon = statusId.indexOf(':');
  return colon < 0 ? statusId : statusId.slice(colon + 1);
}

/** Where the record goes: the same code in its own pipeline (policy same-code), else the first stage. */
export function targetStage(stageId: string, own: StageInfo[], policy: RepairPolicy): StageInfo | undefined {
  if (policy.offPipelineStage === 'same-code') {
    const code = stageCode(stageId);
    const same = own.find((s) => s.code === code);
    if (same) return same;
  }
  return own[0];
}

async function checkRecords(
  view: PortalView,
  rows: Rows<CrmRecord>,
  policy: RepairPolicy,
  out: Finding[],
): Promise<void> {
  for await (const record of rows) {
    if (record.stageId === undefined) continue;
    const own = view.stages.get(stagesKey(record.entityTypeId, record.categoryId ?? 0)) ?? [];
    if (own.some((s) => s.statusId === record.stageId)) continue;
    const kind = kindName(record.entityTypeId, view.lab?.title);
    const target = targetStage(record.stageId, own, policy);
    const base = {
      check: 'off-pipeline-stage' as const,
      summary: `The ${kind} «${record.title}» is in stage ${record.stageId}, which is not a stage of its pipeline ${record.categoryId ?? 0}`,
      why: 'The kanban does not show it, no stage robots run for it, and reports count it in no stage.',
      entities: [crmRef(view.portal, record)],
    };
    if (!target) {
      out.push({
        ...base,
        fixable: 'person',
        hint: 'Its pipeline has no stages: move it to a pipeline by hand.',
      });
      continue;
    }
    out.push({
      ...base,
      fixable: 'repair',
      hint: `Move it to «${target.name}» (${target.statusId}) of its own pipeline.`,
      fixes: [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: record.entityTypeId, id: record.id },
          fields: { categoryId: record.categoryId ?? 0, stageId: target.statusId },
        },
      ],
    });
  }
}

export async function checkOffPipelineStage(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  const out: Finding[] = [];
  await checkRecords(view, view.deals(), policy, out);
  if (view.lab) await checkRecords(view, view.labItems(), policy, out);
  return out;
}
