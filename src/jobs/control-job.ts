/**
 * The `control` job: the time rules. For each rule it lists, with server-side filters, the records
 * it may concern (in the watched stage; in an open stage with the date at or before now), evaluates
 * the rule as of the run's moment, and carries out what is due. What was done before is in the
 * ledger under the same keys, so a rerun at the same moment does nothing, and a record moved on and
 * back has a new stay (a new key) with its own clock. Bitrix24's own delayed robots die silently when
 * a deal leaves the stage and fire late when agents run on hits (reference/bitrix24-automation-and-
 * domain.md §1.1); this job does neither.
 */
import type { ResolvedRule } from '../automation/catalog.js';
import { findCategory } from '../automation/catalog.js';
import type { Entity } from '../automation/entity.js';
import { entityFromItem, isoAt, parseTime } from '../automation/entity.js';
import { firingsOverTime } from '../automation/evaluate-rules.js';
import type { ActionReport } from '../automation/execute-actions.js';
import { executeActions } from '../automation/execute-actions.js';
import { isEventTrigger } from '../automation/rule-schema.js';
import { readParents } from '../automation/read-parents.js';
import type { B24Client } from '../rest/client.js';
import type { JobContext, JobWork } from './job-context.js';

/** Records evaluated together (one request for their parents). */
const PAGE = 50;

/** The stages a rule's candidates are in: the trigger's stage, or every open stage it watches. */
function stageFilter(ctx: JobContext, rule: ResolvedRule): string[] {
  if (rule.rule.trigger.type === 'stayed_in_stage') return rule.triggerStageIds;
  return rule.categoryIds.flatMap(
    (id) =>
      findCategory(ctx.ruleContext.catalog, rule.entityTypeId, id)
        ?.stages.filter((s) => s.semantics === 'P')
        .map((s) => s.id) ?? [],
  );
}

interface HistoryRow {
  CREATED_TIME?: string;
  STAGE_ID?: string;
}

/**
 * When the record entered its current stage, by the stage history, for portals that leave movedTime
 * empty (crm/crm-stage-history-list.md: OWNER_ID, STAGE_ID, CREATED_TIME).
 */
async function enteredFromHistory(client: B24Client, entity: Entity): Promise<number | undefined> {
  const answer = await client.call<{ items?: HistoryRow[] }>('crm.stagehistory.list', {
    entityTypeId: entity.entityTypeId,
    filter: { OWNER_ID: entity.id },
    order: { ID: 'DESC' },
    select: ['ID', 'STAGE_ID', 'CREATED_TIME'],
  });
  const latest = (answer.items ?? [])[0];
  return latest && latest.STAGE_ID === entity.stageId ? parseTime(latest.CREATED_TIME) : undefined;
}

export async function runControl(ctx: JobContext): Promise<JobWork> {
  const { env } = ctx;
  const now = ctx.ruleContext.now;
  const offset = ctx.ruleContext.offsetMinutes;
  const timeRules = ctx.rules.filter((r) => !isEventTrigger(r.rule.trigger));
  const reports: ActionReport[] = [];
  let scanned = 0;
  let firings = 0;
  for (const rule of timeRules) {
    if (ctx.signal?.aborted) break;
    const stages = stageFilter(ctx, rule);
    if (stages.length === 0) continue;
    const filter: Record<string, unknown> = { '@stageId': stages };
    const t = rule.rule.trigger;
    // A superset on the server; the rule decides to the day or minute.
    if (t.type === 'date_passed') filter[`<=${t.field}`] = isoAt(now, offset);
    // Records are evaluated a page at a time: their parent deals, when the rule reads `parent.`, come
    // in one request per page (read-parents.ts).
    const page: Entity[] = [];
    const evaluate = async (): Promise<void> => {
      const parents = await readParents(env.client, [rule], page);
      const ruleContext = parents.size > 0 ? { ...ctx.ruleContext, parents } : ctx.ruleContext;
      for (const entity of page.splice(0)) {
        const entered =
          t.type === 'stayed_in_stage' && entity.movedTime === null
            ? await enteredFromHistory(env.client, entity)
            : undefined;
        const due = firingsOverTime([rule], entity, ruleContext, entered);
        firings += due.length;
        reports.push(
          ...(await executeActions(
            due.flatMap((f) => f.actions),
            ctx.executor,
          )),
        );
      }
    };
    for await (const row of env.client.list<Record<string, unknown>>(
      'crm.item.list',
      { entityTypeId: rule.entityTypeId, filter, select: ['*'], useOriginalUfNames: 'Y' },
      ctx.signal ? { signal: ctx.signal } : {},
    )) {
      scanned++;
      page.push(entityFromItem(rule.entityTypeId, row));
      if (page.length >= PAGE) await evaluate();
    }
    await evaluate();
  }
  return { scanned, events: 0, pendingEvents: 0, firings, reports };
}
