/** Every check of `doctor`, in the order they run and print. */
import type { CheckName, Finding } from './finding.js';
import type { PortalView } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';
import { checkConfigDrift } from './check-config-drift.js';
import { checkDuplicates } from './check-duplicates.js';
import { checkInactiveResponsible } from './check-inactive-responsible.js';
import { checkLabItemLink } from './check-lab-item-link.js';
import { checkOffPipelineStage } from './check-off-pipeline-stage.js';
import { checkRemainingAmount } from './check-remaining-amount.js';
import { checkResponsibleMismatch } from './check-responsible-mismatch.js';
import { checkStaleListValues } from './check-stale-list-values.js';
import { checkStuckWorkflows } from './check-stuck-workflows.js';

export interface Check {
  name: CheckName;
  title: string;
  run(view: PortalView, policy: RepairPolicy): Promise<Finding[]>;
}

export const CHECKS: readonly Check[] = [
  { name: 'off-pipeline-stage', title: "Stage not of the record's pipeline", run: checkOffPipelineStage },
  { name: 'inactive-responsible', title: 'Responsible dismissed or missing', run: checkInactiveResponsible },
  {
    name: 'responsible-mismatch',
    title: "Client responsible differs from its open deals'",
    run: checkResponsibleMismatch,
  },
  { name: 'lab-item-link', title: 'Laboratory item and deal not paired', run: checkLabItemLink },
  { name: 'remaining-amount', title: 'Remaining amount is not amount minus paid', run: checkRemainingAmount },
  { name: 'stale-list-values', title: 'List values no longer in the list', run: checkStaleListValues },
  { name: 'duplicates', title: 'Duplicate contacts and companies', run: checkDuplicates },
  { name: 'stuck-workflows', title: 'Stuck business processes', run: checkStuckWorkflows },
  { name: 'config-drift', title: 'Drift from the configuration', run: checkConfigDrift },
];
