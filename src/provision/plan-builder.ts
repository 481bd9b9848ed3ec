/**
 * Collects a plan's operations while the section planners walk config and snapshot, and marks drift at
 * the end against the state recorded by the last apply.
 */
import type { AppliedState, Change, Operation, Plan, PortalRef } from './plan.js';
import { summarize } from './plan.js';

/** Structural equality of plain values (config and snapshot data: no dates, maps or cycles). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ak.length === bk.length &&
    ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * The fields whose desired value differs from the portal's. A desired `undefined` is not managed:
 *   desired { name: 'A', sort: undefined }, actual { name: 'B', sort: 7 } -> [{ field: 'name', from: 'B', to: 'A' }]
 */
export function diffFields(
  desired: Record<string, unknown>,
  actual: Record<string, unknown>,
  equal: (a: unknown, b: unknown) => boolean = deepEqual,
): Change[] {
  const changes: Change[] = [];
  for (const [field, to] of Object.entries(desired)) {
    if (to === undefined) continue;
    const from = actual[field];
    if (!equal(from, to)) changes.push({ field, from, to, drift: false });
  }
  return changes;
}

/** Drops undefined values (exactOptionalPropertyTypes and tidy JSON). */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An operation as a planner builds it; the builder adds its key. */
export type OperationDraft = Operation;

export class PlanBuilder {
  readonly operations: Operation[] = [];
  readonly warnings: string[] = [];
  readonly known: Record<string, PortalRef> = {};
  readonly state: AppliedState = {};

  /** The state the last apply recorded, if any (planners use it to name entities that left the config). */
  constructor(readonly previous: AppliedState | undefined = undefined) {}

  /** Adds an operation; its key is the last segment of its address (`.../stage:WON` -> `WON`). */
  add(op: OperationDraft): void {
    const last = op.address.slice(op.address.lastIndexOf('/') + 1);
    this.operations.push({ ...op, key: last.slice(last.indexOf(':') + 1) });
  }

  /** Records the desired values compared at an address (the state an apply leaves behind). */
  desire(address: string, fields: Record<string, unknown>): void {
    this.state[address] = defined(fields);
  }

  exists(address: string, ref: PortalRef): void {
    this.known[address] = ref;
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /**
   * Drift: the config says what the last apply recorded, yet the portal differs, so someone changed
   * the portal. Without a record nothing is called drift (a difference may be a config edit).
   */
  build(): Plan {
    const previous = this.previous;
    if (previous) {
      for (const op of this.operations) {
        const before = previous[op.address];
        const now = this.state[op.address];
        if (op.action === 'create') {
          op.drift = before !== undefined && now !== undefined && deepEqual(before, now);
        } else if (op.action === 'delete') {
          // Not in config: drift if it was never ours (it appeared on the portal outside b24lab).
          op.drift = now === undefined && before === undefined;
        } else if (op.action === 'update' && before && now) {
          for (const change of op.changes) {
            const field = change.field.split('.')[0] ?? change.field;
            change.drift = field in now && deepEqual(before[field], now[field]);
          }
          op.drift = op.changes.some((c) => c.drift);
        }
      }
    }
    return {
      operations: this.operations,
      summary: summarize(this.operations),
      warnings: this.warnings,
      known: this.known,
      state: this.state,
    };
  }
}
