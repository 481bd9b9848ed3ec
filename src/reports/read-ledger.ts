import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LabConfig } from '../config/config-sections.js';
import { loadConfig } from '../config/load-config.js';
import { STATE_FILE, openStateDb } from '../state/state-db.js';
import { escalationsFromLedger } from './read-portal.js';
import type { EscalationRow } from './rows.js';

/**
 * The escalations in the automation ledger of a state directory; none when the directory has no state
 * database yet (automation never ran there), without creating one. `rules`: the ids of the rules that
 * escalate; without them every settled notification about a deal counts (the laboratory's notifying
 * deal rules are its control robots).
 */
export function readLedgerEscalations(stateDir: string, rules?: readonly string[]): EscalationRow[] {
  if (!existsSync(join(stateDir, STATE_FILE))) return [];
  const state = openStateDb(stateDir);
  try {
    // undefined: no configuration to tell escalations apart; [] : a configuration without any.
    const only = rules === undefined ? undefined : new Set(rules);
    const entries = state.ledger.all().filter((e) => e.action === 'notify' || e.action === 'escalate');
    return [...escalationsFromLedger(entries, (rule) => only === undefined || only.has(rule))];
  } finally {
    state.close();
  }
}

/** The configuration of a directory, or undefined when it has none or it does not load. */
export function readReportConfig(configDir: string): LabConfig | undefined {
  const loaded = loadConfig(configDir);
  return loaded.ok ? loaded.config : undefined;
}

/**
 * The ids of the configured rules that escalate (an `escalate` action: config/automation.yaml), or
 * undefined without a configuration (then every deal notification counts).
 */
export function escalationRulesOf(config: LabConfig | undefined): string[] | undefined {
  if (!config) return undefined;
  const rules = config.automation?.rules ?? [];
  return rules.filter((r) => r.actions.some((a) => a.type === 'escalate')).map((r) => r.id);
}
