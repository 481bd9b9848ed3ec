/**
 * The stages of one pipeline or direction. A stage is matched by its code. SORT is derived from the
 * config's order: b24lab renumbers only when the order on the portal differs or a new stage does not
 * fit between its neighbours.
 *
 * The portal checks every write against the pipeline's sort rule (in-progress < success < failure;
 * crm-status-add.md), so operations come in an order that never breaks it:
 *   1. deletes (stages gone from config; a stage whose semantics changed: semantics cannot be updated)
 *   2. updates; when renumbering, into a range above every current SORT: failures first, then the
 *      success stage, then in-progress stages
 *   3. creates, in config order
 */
import type { StageConfig } from '../config/sections/common.js';
import { defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import type { SnapshotStage } from './snapshot.js';

export interface StageContext {
  /** Address of the pipeline or direction. */
  owner: string;
  ownerName: string;
  /** The container is created by this plan: its stages are the portal's defaults (predicted). */
  fresh: boolean;
  /** 'deals' or 'items', for messages. */
  holds: string;
}

const GAP = 10;

/**
 * SORT targets by code. Existing stages keep their SORT when they are in config order and every new
 * stage fits between its neighbours:
 *   kept NEW=10, WON=60; new A, B between them -> A=26, B=43 (spread evenly in the gap)
 * otherwise everything is renumbered above the current maximum:
 *   max 80 -> base 100 -> 110, 120, 130 ...
 */
export function stageSorts(
  desired: readonly StageConfig[],
  kept: ReadonlyMap<string, SnapshotStage>,
): { sorts: Map<string, number>; renumbered: boolean } {
  const sorts = new Map<string, number>();
  let ok = true;
  let lower = 0;
  let previous: number | undefined;
  let pending: string[] = [];
  const place = (upper: number | undefined): void => {
    if (upper !== undefined && upper - lower - 1 < pending.length) ok = false;
    pending.forEach((code, j) => {
      const sort =
        upper === undefined
          ? lower + GAP * (j + 1)
          : lower + Math.floor(((upper - lower) * (j + 1)) / (pending.length + 1));
      sorts.set(code, sort);
    });
    pending = [];
  };
  for (const stage of desired) {
    const existing = kept.get(stage.code);
    if (!existing) {
      pending.push(stage.code);
      continue;
    }
    if (previous !== undefined && existing.sort <= previous) ok = false;
    place(existing.sort);
    sorts.set(stage.code, existing.sort);
    lower = previous = existing.sort;
  }
  place(undefined);
  if (ok) return { sorts, renumbered: false };
  const max = Math.max(0, ...[...kept.values()].map((s) => s.sort));
  const base = (Math.floor(max / 100) + 1) * 100;
  return { sorts: new Map(desired.map((s, i) => [s.code, base + GAP * (i + 1)])), renumbered: true };
}

export function planStages(
  desired: readonly StageConfig[],
  actual: readonly SnapshotStage[],
  ctx: StageContext,
  b: PlanBuilder,
): void {
  const address = (code: string): string => `${ctx.owner}/stage:${code}`;
  const label = (name: string): string => `${ctx.ownerName} › ${name}`;
  const wanted = new Map(desired.map((s) => [s.code, s]));
  const kept = new Map<string, SnapshotStage>();
  const deletes: OperationDraft[] = [];
  const ordered = [...actual].sort((a, x) => a.sort - x.sort || a.id - x.id);

  for (const stage of ordered) {
    const want = wanted.get(stage.code);
    if (want && want.semantics === stage.semantics) {
      kept.set(stage.code, stage);
      continue;
    }
    const op: OperationDraft = {
      action: 'delete',
      entity: 'stage',
      address: address(stage.code),
      name: label(stage.name),
      destructive: !ctx.fresh,
      drift: false,
      changes: [],
      owner: ctx.owner,
      ...(ctx.fresh ? { predicted: true } : { portalId: stage.id }),
    };
    if (ctx.fresh) op.reason = 'a default stage the portal creates with a new pipeline';
    else if (want)
      op.reason = `semantics ${stage.semantics} -> ${want.semantics}: the portal cannot change it, so the stage is re-created`;
    else op.reason = 'not in config';
    if (stage.itemCount)
      op.blocked = `it holds ${stage.itemCount} ${ctx.holds}; Bitrix24 refuses to delete a stage that holds ${ctx.holds}: move them to another stage first`;
    deletes.push(op);
  }

  const { sorts, renumbered } = stageSorts(desired, kept);
  const updates: OperationDraft[] = [];
  desired.forEach((stage, index) => {
    const sort = sorts.get(stage.code);
    b.desire(address(stage.code), {
      name: stage.name,
      semantics: stage.semantics,
      color: stage.color,
      sort: index,
    });
    const existing = kept.get(stage.code);
    if (!existing) return;
    const changes = diffFields(
      { name: stage.name, color: stage.color?.toUpperCase(), sort },
      { name: existing.name, color: existing.color.toUpperCase(), sort: existing.sort },
    );
    const op: OperationDraft = {
      action: changes.length > 0 ? 'update' : 'noop',
      entity: 'stage',
      address: address(stage.code),
      name: label(stage.name),
      destructive: false,
      drift: false,
      changes,
      owner: ctx.owner,
      ...(ctx.fresh ? { predicted: true } : { portalId: existing.id }),
    };
    if (ctx.fresh) {
      // A default stage: its name and colour on the portal are unknown until it exists; send them all.
      op.action = 'update';
      op.set = defined({ name: stage.name, sort, color: stage.color });
      op.reason = 'a default stage the portal creates with a new pipeline';
    } else if (changes.length > 0) {
      op.set = Object.fromEntries(changes.map((c) => [c.field, c.to]));
    }
    updates.push(op);
  });
  if (renumbered) {
    // Failures from the last, then success, then in-progress stages (see the header).
    const rank = (op: OperationDraft): number => {
      const code = op.address.slice(op.address.lastIndexOf(':') + 1);
      const s = wanted.get(code);
      const i = desired.findIndex((d) => d.code === code);
      return s?.semantics === 'failure' ? -1000 - i : s?.semantics === 'success' ? -500 : i;
    };
    updates.sort((a, x) => rank(a) - rank(x));
  }

  const creates: OperationDraft[] = desired
    .filter((s) => !kept.has(s.code))
    .map((s) => ({
      action: 'create' as const,
      entity: 'stage' as const,
      address: address(s.code),
      name: label(s.name),
      destructive: false,
      drift: false,
      changes: [],
      owner: ctx.owner,
      set: defined({
        code: s.code,
        name: s.name,
        sort: sorts.get(s.code),
        semantics: s.semantics,
        color: s.color,
      }),
    }));

  for (const op of [...deletes, ...updates, ...creates]) b.add(op);
}
