/**
 * The plan is a value (STYLE.md §2): computePlan returns it, `plan` renders it, `plan --json` prints
 * it as is, `apply` executes it. Operations are in execution order.
 */

export type Action = 'create' | 'update' | 'delete' | 'noop';

export type EntityKind =
  'department' | 'pipeline' | 'stage' | 'field' | 'smartProcess' | 'category' | 'list' | 'listField';

/** One field that differs: `from` is the portal's value, `to` the config's. */
export interface Change {
  field: string;
  from?: unknown;
  to?: unknown;
  /**
   * The config still says what was applied last time, so the portal was changed by hand (known only
   * when the last apply was recorded; see AppliedState).
   */
  drift: boolean;
}

/** A reference to another entity of the plan, resolved to its portal id when apply runs. */
export interface Ref {
  ref: string;
}

export interface Operation {
  action: Action;
  entity: EntityKind;
  /**
   * Stable address: `department:lab-gti`, `pipeline:sales/stage:WON`, `dealField:SERVICE`,
   * `smartProcess:laboratory/category:gti/stage:NEW`, `smartProcess:laboratory/field:DEADLINE`. Entities found only
   * on the portal use `#<id>` for a key.
   */
  address: string;
  /**
   * The entity's own key: `WON` for a stage, `sales` for a pipeline, `#17` for one found only on the
   * portal. computePlan always sets it (optional only for operations built by hand elsewhere).
   */
  key?: string;
  /** What a person reads: «Продажи › Счет отправлен». */
  name: string;
  /** Loses data or structure: only with --allow-deletes. */
  destructive: boolean;
  /** Undoes a change made on the portal by hand (see Change.drift). */
  drift: boolean;
  /** Why the operation looks the way it does (adoption by name, a default stage, an immutable field). */
  reason?: string;
  changes: Change[];
  /** The entity on the portal (update, delete, noop). */
  portalId?: number;
  /** The container: parent department, pipeline, direction, smart process (an address). */
  owner?: string;
  /** What apply sends, in config terms: every field for a create, the changed ones for an update. */
  set?: Record<string, unknown>;
  /**
   * The portal creates this entity by itself together with its container (the default stages of a new
   * pipeline, the default direction of a new smart process); apply finds it there.
   */
  predicted?: boolean;
  /** The portal will refuse this operation, and why (a stage that holds deals). */
  blocked?: string;
}

/** A portal entity apply can address: its id, and the entityTypeId of pipelines and smart processes. */
export interface PortalRef {
  id: number;
  entityTypeId?: number;
}

/** The desired values compared at each address; recorded after an apply to tell drift next time. */
export type AppliedState = Record<string, Record<string, unknown>>;

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  destructive: number;
  drift: number;
}

export interface Plan {
  operations: Operation[];
  summary: PlanSummary;
  /** Things the plan cannot do and will not count as changes (a head's e-mail that is no user). */
  warnings: string[];
  /** Entities that exist on the portal, by address: apply resolves owners and refs from it. */
  known: Record<string, PortalRef>;
  state: AppliedState;
}

/** Whether applying the plan would change anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.operations.some((op) => op.action !== 'noop');
}

export function summarize(operations: readonly Operation[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0, destructive: 0, drift: 0 };
  for (const op of operations) {
    summary[op.action] += 1;
    if (op.destructive) summary.destructive += 1;
    if (op.drift) summary.drift += 1;
  }
  return summary;
}
