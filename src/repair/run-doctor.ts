/**
 * `doctor`: every check over one PortalView, read-only. `diagnose` is the pure part (unit tests give
 * it a hand-built view); `runDoctor` reads the view through the REST client first.
 */
import { B24Error } from '../rest/errors.js';
import type { B24Client } from '../rest/client.js';
import { UserError } from '../errors.js';
import type { Plan } from '../provision/plan.js';
import type { Check } from './checks.js';
import { CHECKS } from './checks.js';
import type { CheckName, Finding } from './finding.js';
import { CHECK_NAMES } from './finding.js';
import type { PortalView } from './portal-view.js';
import { readPortalView } from './read-portal-view.js';
import type { RepairPolicy } from './repair-section.js';
import type { ChecklistItem } from './server-checklist.js';
import { SERVER_CHECKLIST } from './server-checklist.js';

export interface CheckResult {
  name: CheckName;
  title: string;
  findings: Finding[];
  /** Why the check did not run (no laboratory smart process, no config given, a refused method). */
  skipped?: string;
}

export interface DoctorSummary {
  findings: number;
  /** Fixed by `repair`. */
  repair: number;
  /** Fixed by `repair --merge-duplicates`. */
  merge: number;
  /** Need a person. */
  person: number;
}

export interface DoctorReport {
  portal: string;
  /** ISO 8601 UTC. */
  checkedAt: string;
  checks: CheckResult[];
  summary: DoctorSummary;
  /** Server-side causes REST cannot see, with how to check each. */
  serverChecklist: readonly ChecklistItem[];
}

/** `--only a,b`: check names, validated. */
export function selectChecks(only: string | undefined): readonly Check[] {
  if (only === undefined || only.trim() === '') return CHECKS;
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(CHECK_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new UserError(`Unknown check: ${unknown.join(', ')}`, `Checks: ${CHECK_NAMES.join(', ')}`);
  return CHECKS.filter((c) => names.includes(c.name));
}

function skipReason(check: Check, view: PortalView): string | undefined {
  if (check.name === 'lab-item-link' && !view.lab)
    return 'the portal has no laboratory smart process (repair.laboratory)';
  if (check.name === 'remaining-amount' && !view.amountFields)
    return 'the deal has no paid and remaining amount fields (repair.paidField, repair.remainingField)';
  if (check.name === 'config-drift' && !view.plan) return 'no configuration given (--config)';
  return undefined;
}

export function summarize(checks: readonly CheckResult[]): DoctorSummary {
  const all = checks.flatMap((c) => c.findings);
  return {
    findings: all.length,
    repair: all.filter((f) => f.fixable === 'repair').length,
    merge: all.filter((f) => f.fixable === 'merge').length,
    person: all.filter((f) => f.fixable === 'person').length,
  };
}

export async function diagnose(
  view: PortalView,
  policy: RepairPolicy,
  checks: readonly Check[] = CHECKS,
): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const skipped = skipReason(check, view);
    if (skipped) {
      results.push({ name: check.name, title: check.title, findings: [], skipped });
      continue;
    }
    try {
      results.push({ name: check.name, title: check.title, findings: await check.run(view, policy) });
    } catch (e) {
      // A portal that refuses one check's method (a non-admin webhook for business processes, a box
      // without the module) still gets the other checks; the refusal is shown where the check would be.
      if (!(e instanceof B24Error)) throw e;
      results.push({
        name: check.name,
        title: check.title,
        findings: [],
        skipped: `the portal refused ${e.method}: ${e.code} ${e.description}`,
      });
    }
  }
  return {
    portal: view.portal,
    checkedAt: new Date(view.now).toISOString(),
    checks: results,
    summary: summarize(results),
    serverChecklist: SERVER_CHECKLIST,
  };
}

export interface DoctorOptions {
  policy: RepairPolicy;
  now: number;
  only?: string;
  /** Reads the config's provisioning plan against the portal (config-drift); absent: the check is skipped. */
  readPlan?: (client: B24Client) => Promise<Plan>;
}

export async function runDoctor(client: B24Client, options: DoctorOptions): Promise<DoctorReport> {
  const checks = selectChecks(options.only);
  const plan =
    options.readPlan && checks.some((c) => c.name === 'config-drift')
      ? await options.readPlan(client)
      : undefined;
  const view = await readPortalView(client, {
    policy: options.policy,
    now: options.now,
    ...(plan ? { plan } : {}),
  });
  return diagnose(view, options.policy, checks);
}
