/**
 * Change detection as a pure diff: what the sync job saw last time x what the portal has now ->
 * events for the rules. Polling is the robust baseline on a box portal (outgoing events need the
 * vendor's cloud queue and are not re-sent; reference/bitrix24-automation-and-domain.md §1.4).
 */
import { createHash } from 'node:crypto';
import type { Entity } from './entity.js';
import { fieldValue, refKey } from './entity.js';
import type { ResolvedRule } from './catalog.js';
import type { TaskCompletedEvent } from './task-completion.js';

/** What last_seen keeps of a record: the fields rules react to. */
export interface SeenSnapshot {
  stageId: string;
  categoryId: number;
  movedTime: number | null;
  updatedTime: number;
  fields: Record<string, unknown>;
}

export type ChangeEvent =
  | { kind: 'created'; occurrence: string; at: number }
  | { kind: 'stage_entered'; occurrence: string; at: number; stageId: string }
  | { kind: 'field_changed'; occurrence: string; at: number; field: string; from: unknown; to: unknown }
  | TaskCompletedEvent;

/** The queue key of an event: one per record and occurrence. */
export const eventKey = (entity: Entity, event: ChangeEvent): string =>
  `${refKey(entity)}|${event.occurrence}`;

/** The fields the sync job must remember for a record type: the responsible and every watched field. */
export function trackedFields(rules: ResolvedRule[], entityTypeId: number): string[] {
  const fields = new Set<string>(['assignedById']);
  for (const r of rules) {
    if (r.entityTypeId !== entityTypeId) continue;
    if (r.rule.trigger.type === 'field_changed') fields.add(r.rule.trigger.field);
  }
  return [...fields].sort();
}

export function snapshotOf(entity: Entity, fields: string[]): SeenSnapshot {
  const values: Record<string, unknown> = {};
  for (const f of fields) values[f] = normalise(fieldValue(entity, f));
  return {
    stageId: entity.stageId,
    categoryId: entity.categoryId,
    movedTime: entity.movedTime,
    updatedTime: entity.updatedTime,
    fields: values,
  };
}

/** One spelling per value, so `"7"` and `7`, `[]` and `null` do not look like changes. */
function normalise(value: unknown): unknown {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

const hash = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 10);

export interface DetectOptions {
  fields: string[];
  /**
   * Records first seen that were created at or after this time are new (`created`); older ones are
   * only remembered. Undefined on a first run: the portal's existing records are a baseline, not news.
   */
  createdSince: number | undefined;
}

/**
 * Worked example: before { stageId: 'C3:NEW', movedTime: T1, fields: { assignedById: 7 } },
 * now { stageId: 'C3:QUALIFIED', movedTime: T2, assignedById: 9, updatedTime: T3 } ->
 *   [ stage_entered C3:QUALIFIED (occurrence 'stage:C3:QUALIFIED@T2'),
 *     field_changed assignedById 7 -> 9 (occurrence 'field:assignedById=<hash of 9>@T3') ]
 * A move away and back between two syncs leaves the stage equal but movedTime newer: re-entered.
 */
export function detectChanges(
  before: SeenSnapshot | undefined,
  entity: Entity,
  options: DetectOptions,
): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const enteredAt = entity.movedTime ?? entity.createdTime;
  const stageEvent = (): ChangeEvent => ({
    kind: 'stage_entered',
    occurrence: `stage:${entity.stageId}@${enteredAt}`,
    at: enteredAt,
    stageId: entity.stageId,
  });
  if (!before) {
    if (options.createdSince !== undefined && entity.createdTime >= options.createdSince) {
      events.push({ kind: 'created', occurrence: 'created', at: entity.createdTime });
      if (entity.stageId) events.push(stageEvent());
    }
    return events;
  }
  const moved =
    before.stageId !== entity.stageId ||
    before.categoryId !== entity.categoryId ||
    (entity.movedTime !== null && before.movedTime !== entity.movedTime);
  if (moved && entity.stageId) events.push(stageEvent());
  const now = snapshotOf(entity, options.fields);
  for (const field of options.fields) {
    // A field a new rule started watching has no "before": remember it, do not call it a change.
    if (!(field in before.fields)) continue;
    const from = before.fields[field];
    const to = now.fields[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    events.push({
      kind: 'field_changed',
      occurrence: `field:${field}=${hash(to)}@${entity.updatedTime}`,
      at: entity.updatedTime,
      field,
      from,
      to,
    });
  }
  return events;
}
