/**
 * What `doctor` reports and `repair` acts on. A finding names the entities concerned (with links to
 * the portal), says why it matters, and whether `repair` can fix it; a fixable finding carries the fix
 * as a value (`FixAction`), which plan-repair.ts turns into REST calls.
 */

export const CHECK_NAMES = [
  'off-pipeline-stage',
  'inactive-responsible',
  'responsible-mismatch',
  'lab-item-link',
  'remaining-amount',
  'stale-list-values',
  'duplicates',
  'stuck-workflows',
  'config-drift',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type EntityType = 'deal' | 'contact' | 'company' | 'item' | 'task' | 'workflow' | 'config' | 'user';

/** One entity a finding concerns: what it is, what a person calls it, and where to open it. */
export interface EntityRef {
  type: EntityType;
  id: number | string;
  /** CRM records: 2 deal, 3 contact, 4 company, a smart process's entityTypeId for items. */
  entityTypeId?: number;
  title: string;
  /** The page on the portal; absent when the portal has no page for it (config addresses). */
  link?: string;
}

/**
 * repair: `b24lab repair` fixes it; merge: only with `--merge-duplicates`; person: someone has to
 * decide (the hint says what to do).
 */
export type Fixability = 'repair' | 'merge' | 'person';

/** A record `repair` may change: a CRM record (crm.item.update) or a task (tasks.task.update). */
export type FixTarget = { type: 'crm'; entityTypeId: number; id: number } | { type: 'task'; id: number };

export type FixAction =
  /** Set these fields (crm.item camelCase names, or task UPPER_CASE names). */
  | { kind: 'set-fields'; target: FixTarget; fields: Record<string, unknown> }
  | { kind: 'terminate-workflow'; workflowId: string }
  | { kind: 'merge'; entityTypeId: number; ids: number[] };

export interface Finding {
  check: CheckName;
  /** One line: what is wrong, in terms of the entities. */
  summary: string;
  /** Why it matters to the laboratory. */
  why: string;
  fixable: Fixability;
  /** What repair will do, or what a person should do. */
  hint: string;
  entities: EntityRef[];
  /** Present when fixable is repair or merge. */
  fixes?: FixAction[];
}

/** A check that could not run, and why (a missing field, a method the portal lacks). */
export interface SkippedCheck {
  check: CheckName;
  reason: string;
}
