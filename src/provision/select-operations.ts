/**
 * Which operations of a plan an apply runs: every create and update, deletes and other destructive
 * operations only with --allow-deletes (STYLE.md §3). A skipped destructive delete takes the create
 * of the same address with it (a stage re-created for new semantics is one change, not two).
 */
import type { Operation, Plan } from './plan.js';

export interface Selection {
  run: Operation[];
  /** Destructive operations left out for want of --allow-deletes. */
  skipped: Operation[];
}

export function selectOperations(plan: Plan, allowDeletes: boolean): Selection {
  const changes = plan.operations.filter((op) => op.action !== 'noop');
  if (allowDeletes) return { run: changes, skipped: [] };
  const held = new Set(changes.filter((op) => op.destructive).map((op) => op.address));
  return {
    run: changes.filter((op) => !held.has(op.address)),
    skipped: changes.filter((op) => held.has(op.address)),
  };
}
