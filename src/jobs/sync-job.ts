/**
 * The `sync` job: change detection by polling, then the event rules.
 *
 * For each record type the event rules watch, it lists the records modified since its checkpoint
 * (minus an overlap window for late commits and clock skew) with server-side filters (`>=updatedTime`,
 * the watched pipelines) on the chained fast list path of the REST client (2,500 rows per request),
 * diffs each against its last seen values (detect-changes.ts), and writes the events to the outbox
 * together with the new last seen values, in one transaction per page of records. Then it runs the
 * rules for every queued event; an event stays queued until all its actions are settled, so a run
 * cut short by the portal or a crash loses nothing.
 *
 * The first run of a record type has no checkpoint: it remembers what exists and reports nothing
 * (a portal's existing deals are not "new requests").
 */
import type { ResolvedRule } from '../automation/catalog.js';
import type { ChangeEvent, SeenSnapshot } from '../automation/detect-changes.js';
import { detectChanges, eventKey, snapshotOf, trackedFields } from '../automation/detect-changes.js';
import type { Entity } from '../automation/entity.js';
import { entityFromItem, isoAt } from '../automation/entity.js';
import { firingsForEvent } from '../automation/evaluate-rules.js';
import { executeActions } from '../automation/execute-actions.js';
import type { ActionReport } from '../automation/execute-actions.js';
import { DEFAULT_OVERLAP_MINUTES } from '../automation/job-names.js';
import { isEventTrigger } from '../automation/rule-schema.js';
import { listTargetOf, readListRecords } from '../automation/list-records.js';
import { detectTaskCompletions } from '../automation/task-completion.js';
import { childWatches, childrenFinishedFirings } from '../automation/actions/children-finished.js';
import { readParents } from '../automation/read-parents.js';
import { B24Error } from '../rest/errors.js';
import type { JobContext, JobWork } from './job-context.js';

/** Records written to the state database per transaction while listing. */
const FLUSH_EVERY = 500;
/** Runs an event may be retried in before it is dropped (each failure is logged). */
const MAX_EVENT_ATTEMPTS = 20;

interface EventBody {
  event: ChangeEvent;
  entity: Entity;
}

export const checkpointName = (entityTypeId: number): string => `sync:${entityTypeId}`;

/** Outcomes after which an event has nothing left to do. */
const SETTLED = new Set(['done', 'found', 'already', 'skipped', 'gave-up', 'would-do']);

export async function runSync(ctx: JobContext): Promise<JobWork> {
  const { env, dryRun } = ctx;
  const state = env.state;
  const eventRules = ctx.rules.filter((r) => isEventTrigger(r.rule.trigger));
  const byType = new Map<number, ResolvedRule[]>();
  for (const r of eventRules) {
    // task_completed is found by asking about the tasks (task-completion.ts), not by listing records.
    if (r.rule.trigger.type === 'task_completed') continue;
    // children_finished: the deal's items are listed instead (below), not the deals.
    if (r.rule.trigger.type === 'children_finished') continue;
    byType.set(r.entityTypeId, [...(byType.get(r.entityTypeId) ?? []), r]);
  }
  // Items of the smart processes children_finished rules watch, in every direction.
  const childTypes = childWatches(eventRules, ctx.ruleContext.catalog);
  for (const t of childTypes.keys()) if (!byType.has(t)) byType.set(t, []);

  const overlapMs = (ctx.settings?.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * 60_000;
  const offset = ctx.ruleContext.offsetMinutes;
  let scanned = 0;
  let detected = 0;
  const dryEvents: { key: string; body: EventBody }[] = [];

  for (const [entityTypeId, rules] of byType) {
    const fields = trackedFields(rules, entityTypeId);
    const categories = [
      ...new Set([...rules.flatMap((r) => r.categoryIds), ...(childTypes.get(entityTypeId) ?? [])]),
    ].sort((a, b) => a - b);
    const since = state.checkpoints.getTime(checkpointName(entityTypeId));
    const from = since === undefined ? undefined : since - overlapMs;
    const filter: Record<string, unknown> = { '@categoryId': categories };
    if (from !== undefined) filter['>=updatedTime'] = isoAt(from, offset);

    let batch: Entity[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      const now = env.clock.now();
      const write = (): void => {
        for (const entity of batch) {
          const before = state.lastSeen.get(entity) as unknown as SeenSnapshot | undefined;
          const events = detectChanges(before, entity, { fields, createdSince: from });
          detected += events.length;
          for (const event of events) {
            const body: EventBody = { event, entity };
            if (dryRun) dryEvents.push({ key: eventKey(entity, event), body });
            else {
              state.events.enqueue(
                { key: eventKey(entity, event), entityTypeId, entityId: entity.id, kind: event.kind, body },
                now,
              );
            }
          }
          if (!dryRun) state.lastSeen.put(entity, { ...snapshotOf(entity, fields) }, now);
        }
      };
      if (dryRun) write();
      else state.transaction(write);
      batch = [];
    };

    // A list's elements are read whole each run (list-records.ts); CRM records changed since the checkpoint.
    const list = listTargetOf(ctx.ruleContext.catalog, entityTypeId)?.list;
    const records = list
      ? readListRecords(env.client, list, offset, ctx.signal ? { signal: ctx.signal } : {})
      : crmRecords(ctx, entityTypeId, filter);
    for await (const entity of records) {
      scanned++;
      batch.push(entity);
      if (batch.length >= FLUSH_EVERY) flush();
    }
    flush();
    // The portal's time when this run started: whatever changed after it is listed next time.
    if (!dryRun) state.checkpoints.set(checkpointName(entityTypeId), ctx.portalNow, env.clock.now());
    env.logger.debug('sync listed records', {
      entityTypeId,
      since: from === undefined ? null : isoAt(from, offset),
      scanned,
    });
  }

  // The named tasks rules made: completed ones queue task_completed events (task-completion.ts).
  const tasks = await detectTaskCompletions(env, {
    portalNow: ctx.portalNow,
    dryRun,
    lists: { catalog: ctx.ruleContext.catalog, offsetMinutes: offset },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  scanned += tasks.checked;
  detected += tasks.events.length;
  if (dryRun) dryEvents.push(...tasks.events);

  const queue = dryRun
    ? dryEvents.map((e) => ({ key: e.key, body: e.body, attempts: 0 }))
    : state.events.pending<EventBody>().map((e) => ({ key: e.key, body: e.body, attempts: e.attempts }));
  const reports: ActionReport[] = [];
  let firings = 0;
  // Parent deals for `parent.` in rules, read once for the whole queue (read-parents.ts).
  const parents = await readParents(
    env.client,
    eventRules,
    queue.map((q) => q.body.entity),
  );
  const ruleContext = parents.size > 0 ? { ...ctx.ruleContext, parents } : ctx.ruleContext;
  // Handled events leave the queue in batches: one transaction per hundred, not one per event. A crash
  // before a batch is written only means those events are looked at again; their actions are settled.
  let handled: string[] = [];
  const forget = (): void => {
    const keys = handled;
    handled = [];
    if (keys.length > 0) state.transaction(() => keys.forEach((k) => state.events.complete(k)));
  };
  for (const item of queue) {
    if (ctx.signal?.aborted) break;
    const found = firingsForEvent(eventRules, item.body.entity, item.body.event, ruleContext);
    firings += found.length;
    const done = await executeActions(
      found.flatMap((f) => f.actions),
      ctx.executor,
    );
    // Then the deal of an item that entered a final stage, after the item's own rules (which may
    // have moved it on): children_finished (actions/children-finished.ts).
    try {
      const { entity, event } = item.body;
      const parent = await childrenFinishedFirings(env.client, eventRules, entity, event, ruleContext);
      firings += parent.length;
      done.push(
        ...(await executeActions(
          parent.flatMap((f) => f.actions),
          ctx.executor,
        )),
      );
    } catch (e) {
      // The deal's items could not be read: the event waits for the next run.
      if (!(e instanceof B24Error)) throw e;
      env.logger.warn('could not read the deal items of children_finished', {
        event: item.key,
        error: e.message,
      });
      if (item.attempts + 1 >= MAX_EVENT_ATTEMPTS) handled.push(item.key);
      else if (!dryRun) state.events.retryLater(item.key, `children_finished: ${e.message}`);
      reports.push(...done);
      continue;
    }
    reports.push(...done);
    if (dryRun) continue;
    const open = done.filter((r) => !SETTLED.has(r.outcome));
    if (open.length === 0) {
      handled.push(item.key);
      if (handled.length >= 100) forget();
    } else if (item.attempts + 1 >= MAX_EVENT_ATTEMPTS) {
      env.logger.error('gave up on an event after repeated failures', {
        job: ctx.job,
        event: item.key,
        error: open.map((r) => r.error).join('; '),
      });
      handled.push(item.key);
    } else state.events.retryLater(item.key, open.map((r) => `${r.key}: ${r.error ?? r.outcome}`).join('; '));
  }
  if (!dryRun) forget();
  return {
    scanned,
    events: detected,
    pendingEvents: dryRun ? 0 : state.events.count(),
    firings,
    reports,
  };
}

/** The CRM records of a type the filter selects, as rule records (crm.item.list, fast chained paging). */
async function* crmRecords(
  ctx: JobContext,
  entityTypeId: number,
  filter: Record<string, unknown>,
): AsyncGenerator<Entity> {
  for await (const row of ctx.env.client.list<Record<string, unknown>>(
    'crm.item.list',
    { entityTypeId, filter, select: ['*'], useOriginalUfNames: 'Y' },
    ctx.signal ? { signal: ctx.signal } : {},
  )) {
    yield entityFromItem(entityTypeId, row);
  }
}
