/**
 * Business processes that are stuck: a worker locked the instance (OWNED_UNTIL) and never released
 * it. The documented test: stuck when the lock time is more than 5 minutes away from now
 * (api-reference/bizproc/bizproc-workflow-instances.md), i.e. the lock expired over 5 minutes ago.
 * Typical cause on a box: agents run on hits, so the scheduler gives up after its retries
 * (reference/bitrix24-automation-and-domain.md §1.1, §4). Termination loses the process's progress,
 * so by default a person decides (policy stuckWorkflows: terminate lets repair do it).
 */
import type { Finding } from './finding.js';
import type { PortalView } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

export const STUCK_AFTER_MS = 5 * 60_000;

/** `DEAL_12` -> a deal link; other documents have no page we can build. */
function documentLink(portal: string, documentId: string): string | undefined {
  const m = /^(DEAL|CONTACT|COMPANY)_(\d+)$/.exec(documentId);
  if (!m) return undefined;
  return `${portal.replace(/\/+$/, '')}/crm/${m[1]!.toLowerCase()}/details/${m[2]}/`;
}

export async function checkStuckWorkflows(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const w of view.workflows()) {
    if (w.ownedUntil === null || view.now - w.ownedUntil <= STUCK_AFTER_MS) continue;
    const minutes = Math.floor((view.now - w.ownedUntil) / 60_000);
    const link = documentLink(view.portal, w.documentId);
    const base = {
      check: 'stuck-workflows' as const,
      summary: `Business process ${w.id} (template ${w.templateId}) on ${w.documentId || w.entity} has been locked for ${minutes} minutes past its lock time`,
      why: 'A stuck process never finishes: its approvals, delays and robots after this point never run, and the document may refuse new processes.',
      entities: [
        {
          type: 'workflow' as const,
          id: w.id,
          title: `${w.entity} ${w.documentId}`.trim(),
          ...(link ? { link } : {}),
        },
      ],
    };
    if (policy.stuckWorkflows === 'terminate') {
      out.push({
        ...base,
        fixable: 'repair',
        hint: 'Terminate it (bizproc.workflow.terminate; its data is kept).',
        fixes: [{ kind: 'terminate-workflow', workflowId: w.id }],
      });
    } else {
      out.push({
        ...base,
        fixable: 'person',
        hint: 'Check that agents run from cron (see the server checklist), then terminate it in «Бизнес-процессы» or set repair.stuckWorkflows: terminate.',
      });
    }
  }
  return out;
}
