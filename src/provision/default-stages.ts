/**
 * What the portal creates by itself, so a plan for a new pipeline or smart process can be exact:
 * a new deal pipeline gets 8 stages, a new smart-process direction 5, a new smart process one default
 * direction (reference/bitrix24-rest.md §6.3, §6.4). Apply finds them after creating the container.
 */
import type { SnapshotCategory, SnapshotStage } from './snapshot.js';

type Template = Pick<SnapshotStage, 'code' | 'semantics' | 'system'>;

const DEAL: Template[] = [
  { code: 'NEW', semantics: 'process', system: true },
  { code: 'PREPARATION', semantics: 'process', system: false },
  { code: 'PREPAYMENT_INVOICE', semantics: 'process', system: false },
  { code: 'EXECUTING', semantics: 'process', system: false },
  { code: 'FINAL_INVOICE', semantics: 'process', system: false },
  { code: 'WON', semantics: 'success', system: true },
  { code: 'LOSE', semantics: 'failure', system: true },
  { code: 'APOLOGY', semantics: 'failure', system: false },
];

const SPA: Template[] = [
  { code: 'NEW', semantics: 'process', system: true },
  { code: 'PREPARATION', semantics: 'process', system: false },
  { code: 'CLIENT', semantics: 'process', system: false },
  { code: 'SUCCESS', semantics: 'success', system: true },
  { code: 'FAIL', semantics: 'failure', system: true },
];

/** Stages with id 0 (not known until apply), SORT 10, 20, ... as the portal numbers them. */
export function defaultStages(kind: 'deal' | 'spa'): SnapshotStage[] {
  return (kind === 'deal' ? DEAL : SPA).map((t, i) => ({
    ...t,
    id: 0,
    statusId: t.code,
    // The names depend on the portal's language; apply sets the configured ones anyway.
    name: t.code,
    sort: (i + 1) * 10,
    color: '',
  }));
}

/** The direction a new smart process starts with. */
export function defaultCategory(): SnapshotCategory {
  return { id: 0, key: '', name: '', sort: 500, isDefault: true, stages: defaultStages('spa') };
}
