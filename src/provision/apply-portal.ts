/**
 * The core of `b24lab apply`: plan, show, confirm, execute, record. The terminal parts come in as
 * callbacks (show, confirm, progress) so this stays free of UI; `confirm` decides about terminals and
 * flags and may throw ConfirmationRequiredError.
 */
import { UserError } from '../errors.js';
import type { B24Client } from '../rest/client.js';
import type { ApplyProgress, ApplyResult } from './apply-plan.js';
import { applyPlan } from './apply-plan.js';
import { writeAppliedState } from './applied-state.js';
import type { Plan } from './plan.js';
import { planPortal } from './plan-portal.js';
import type { Selection } from './select-operations.js';
import { selectOperations } from './select-operations.js';

export interface ApplyPortalOptions {
  client: B24Client;
  configDir: string;
  stateDir: string;
  allowDeletes: boolean;
  dryRun: boolean;
  now: () => number;
  show: (plan: Plan, selection: Selection) => void;
  /** Whether to go ahead with the selection; may throw ConfirmationRequiredError. */
  confirm: (plan: Plan, selection: Selection) => Promise<boolean>;
  onProgress?: (progress: ApplyProgress) => void;
}

export type ApplyOutcome =
  | { kind: 'up-to-date'; plan: Plan; selection: Selection }
  | { kind: 'dry-run'; plan: Plan; selection: Selection }
  | { kind: 'declined'; plan: Plan; selection: Selection }
  | { kind: 'applied'; plan: Plan; selection: Selection; result: ApplyResult };

/** An apply that stopped on a failure: says what failed and that a rerun finishes the work. */
export class ApplyStoppedError extends UserError {
  override readonly name = 'ApplyStoppedError';
  constructor(readonly result: ApplyResult) {
    const total = result.done.length + result.failed.length + result.notDone.length;
    super(
      `Apply stopped after ${result.done.length} of ${total} changes: ${result.failed.map((f) => f.message).join('; ')}`,
      'Fix the cause, then run `b24lab apply` again: it plans against the portal as it is now and finishes the rest.',
    );
  }
}

export async function applyPortal(options: ApplyPortalOptions): Promise<ApplyOutcome> {
  const { plan } = await planPortal(options);
  const selection = selectOperations(plan, options.allowDeletes);
  options.show(plan, selection);
  if (selection.run.length === 0) return { kind: 'up-to-date', plan, selection };
  if (options.dryRun) return { kind: 'dry-run', plan, selection };
  if (!(await options.confirm(plan, selection))) return { kind: 'declined', plan, selection };
  const result = await applyPlan(options.client, plan, {
    allowDeletes: options.allowDeletes,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // Recorded only when everything selected was done: the record says "the portal was like the config".
  if (result.failed.length === 0)
    writeAppliedState(options.stateDir, options.client.portal, plan.state, options.now());
  return { kind: 'applied', plan, selection, result };
}
