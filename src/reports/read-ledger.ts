import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
    const only = rules && rules.length > 0 ? new Set(rules) : undefined;
    const entries = state.ledger.all().filter((e) => e.action === 'notify' || e.action === 'escalate');
    return [...escalationsFromLedger(entries, (rule) => only === undefined || only.has(rule))];
  } finally {
    state.close();
  }
}
