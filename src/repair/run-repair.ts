/**
 * `repair`: doctor, then the plan (plan-repair.ts), then — once confirmed — a backup of every record
 * the plan touches (save-touched.ts), then the calls. Nothing is written before the backup is
 * committed. Each call's outcome is reported; one refused call does not stop the others (they touch
 * different records), and the refused ones stay findings for the next doctor.
 */
import type { B24Client } from '../rest/client.js';
import type { DoctorOptions, DoctorReport } from './run-doctor.js';
import { runDoctor } from './run-doctor.js';
import type { RepairCall, RepairPlan } from './plan-repair.js';
import { planRepair } from './plan-repair.js';
import { saveTouched } from './save-touched.js';

export interface CallOutcome {
  call: RepairCall;
  ok: boolean;
  error?: string;
}

export interface RepairResult {
  report: DoctorReport;
  plan: RepairPlan;
  dryRun: boolean;
  /** The person declined (or nothing to do): no backup, no calls. */
  applied: boolean;
  /** The pre-repair backup of the touched records. */
  backup?: string;
  outcomes: CallOutcome[];
}

export interface RepairOptions extends DoctorOptions {
  mergeDuplicates: boolean;
  dryRun: boolean;
  /** Backup root; the snapshot goes under `<root>/repairs/`. */
  backupRoot: string;
  version: string;
  /** Asked after the plan is known and before anything is written; false stops the run. */
  confirm: (plan: RepairPlan) => Promise<boolean>;
}

export async function runRepair(client: B24Client, options: RepairOptions): Promise<RepairResult> {
  const report = await runDoctor(client, options);
  const plan = planRepair(
    report.checks.flatMap((c) => c.findings),
    { mergeDuplicates: options.mergeDuplicates },
  );
  const base = { report, plan, dryRun: options.dryRun, outcomes: [] as CallOutcome[] };
  if (options.dryRun || plan.calls.length === 0) return { ...base, applied: false };
  if (!(await options.confirm(plan))) return { ...base, applied: false };
  const backup = await saveTouched(plan.calls, {
    client,
    root: options.backupRoot,
    now: options.now,
    version: options.version,
  });
  const answers = await client.batch(plan.calls.map((c) => ({ method: c.method, params: c.params })));
  const outcomes = answers.map((a, i): CallOutcome => {
    const call = plan.calls[i]!;
    if (a.ok) {
      // crm-entity-merge-batch.md: a conflict is a successful answer with STATUS CONFLICT; the merge
      // then continues by hand on the portal's merge page.
      const status = (a.result as { STATUS?: unknown } | null)?.STATUS;
      if (call.method === 'crm.entity.mergeBatch' && status !== 'SUCCESS')
        return { call, ok: false, error: `merge ${String(status)}: finish it on the portal's merge page` };
      return { call, ok: true };
    }
    return { call, ok: false, error: a.error.message };
  });
  return { ...base, applied: true, backup, outcomes };
}
