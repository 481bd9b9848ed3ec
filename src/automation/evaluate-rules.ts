/**
 * The rules as pure functions (STYLE.md §6): (rule, record, what changed or what time it is) ->
 * the firings due, each with its actions and ledger keys. No IO, no clock: `now` is an argument, so
 * tests move time by changing a number, and `jobs run --now` evaluates another moment.
 *
 * Which firings were already carried out is not this module's concern: the same inputs always give
 * the same keys, and the executor skips what the ledger has settled.
 */
import type { Catalog, ResolvedRule, StageSemantics } from './catalog.js';
import { findCategory, findStage, stageInCategory } from './catalog.js';
import type { ChangeEvent } from './detect-changes.js';
import type { Entity } from './entity.js';
import {
  crmBinding,
  DAY_MS,
  entityPath,
  fieldValue,
  isoAt,
  localTime,
  parseTime,
  timelineEntityType,
} from './entity.js';
import type { Firing, IntendedAction } from './intended-action.js';
import { ledgerKey, markerLine, markerOf } from './intended-action.js';
import { evaluateExpression } from './compute-expression.js';
import { matchesConditions } from './match-conditions.js';
import { isListEntityType, listTaskBindings } from './list-records.js';
import { planSetRelated } from './actions/set-related.js';
import { conditionContextOf, parentOf, parentVars } from './parent-record.js';
import { enumWriteFields, listFieldVars } from './enum-values.js';
import { planItemAction, planMoveToDirection } from './actions/plan-item-actions.js';
import { planUpdateChildren } from './actions/update-children.js';
import type { OrgChart } from './org-chart.js';
import { headOfDepartment, headsOf, userName } from './org-chart.js';
import { taskEventVars } from './task-completion.js';
import { userByDepartment } from './department-map.js';
import { formatValue, renderTemplate } from './render-template.js';
import type { Action, Recipient } from './rule-schema.js';
import { folderPath } from './actions/copy-documents.js';

export interface RuleContext {
  /** The moment the rules are evaluated at (epoch ms): the portal's time, or `--now`. */
  now: number;
  /** The portal's UTC offset: days, schedules and dates are the portal's. */
  offsetMinutes: number;
  catalog: Catalog;
  org: OrgChart;
  /** Parent deals by refKey, read for the records whose rules use `parent.` (read-parents.ts). */
  parents?: Map<string, Entity>;
}

export function appliesTo(rule: ResolvedRule, entity: Entity): boolean {
  return rule.entityTypeId === entity.entityTypeId && rule.categoryIds.includes(entity.categoryId);
}

/** The semantics of the record's stage: P in progress, S success, F failure. */
export function stageSemantics(catalog: Catalog, entity: Entity): StageSemantics {
  const stage = findStage(catalog, entity.entityTypeId, entity.categoryId, entity.stageId);
  if (stage) return stage.semantics;
  const own = entity.fields.stageSemanticId;
  return own === 'S' || own === 'F' ? own : 'P';
}

/** The rules' firings for one detected change of a record. */
export function firingsForEvent(
  rules: ResolvedRule[],
  entity: Entity,
  event: ChangeEvent,
  ctx: RuleContext,
): Firing[] {
  const out: Firing[] = [];
  for (const rule of rules) {
    if (!appliesTo(rule, entity)) continue;
    const t = rule.rule.trigger;
    const matches =
      (t.type === 'created' && event.kind === 'created') ||
      (t.type === 'stage_entered' &&
        event.kind === 'stage_entered' &&
        rule.triggerStageIds.includes(event.stageId)) ||
      (t.type === 'field_changed' && event.kind === 'field_changed' && event.field === t.field) ||
      (t.type === 'responsible_changed' &&
        event.kind === 'field_changed' &&
        event.field === 'assignedById') ||
      (t.type === 'task_completed' && event.kind === 'task_completed' && event.task === t.task);
    if (!matches || !matchesConditions(entity, rule.rule.conditions, conditionsOf(rule, entity, ctx)))
      continue;
    const vars = taskEventVars(event, ctx.org, ctx.offsetMinutes);
    out.push(planFiring(rule, entity, event.occurrence, event.at, ctx, vars));
  }
  return out;
}

const conditionsOf = (rule: ResolvedRule, entity: Entity, ctx: RuleContext) =>
  conditionContextOf(rule.enums, entity, ctx.catalog, ctx.parents);

/**
 * The firings of time rules due for a record now: stayed in a stage N days, a date passed, a
 * schedule. `stageEnteredAt` is the stage history's answer for records without movedTime.
 */
export function firingsOverTime(
  rules: ResolvedRule[],
  entity: Entity,
  ctx: RuleContext,
  stageEnteredAt?: number,
): Firing[] {
  const out: Firing[] = [];
  const open = stageSemantics(ctx.catalog, entity) === 'P';
  for (const rule of rules) {
    if (
      !appliesTo(rule, entity) ||
      !matchesConditions(entity, rule.rule.conditions, conditionsOf(rule, entity, ctx))
    )
      continue;
    const t = rule.rule.trigger;
    if (t.type === 'stayed_in_stage') {
      if (!rule.triggerStageIds.includes(entity.stageId)) continue;
      const entered = entity.movedTime ?? stageEnteredAt;
      if (entered === undefined) continue;
      const thresholds = [...new Set(Array.isArray(t.days) ? t.days : [t.days])].sort((a, b) => a - b);
      for (const days of thresholds) {
        const due = entered + days * DAY_MS;
        if (ctx.now < due) continue;
        // Keyed by the moment of entering: moving on and back is a new stay with its own clock.
        const occurrence = `stayed:${entity.stageId}@${entered}#${days}d`;
        out.push(planFiring(rule, entity, occurrence, due, ctx, { thresholdDays: days }, entered));
      }
    } else if (t.type === 'date_passed') {
      if (!open) continue;
      const raw = fieldValue(entity, t.field);
      const ms = parseTime(raw);
      if (ms === undefined) continue;
      let due: number;
      let occurrence: string;
      if (t.precision === 'day') {
        // A date is due for its whole day: overdue from the next local midnight. The portal prints
        // dates in its own time zone, so the date is the one written (2025-03-10T03:00:00+03:00 ->
        // 2025-03-10), whatever time of day comes with it.
        const date =
          typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw)
            ? raw.slice(0, 10)
            : localTime(ms, ctx.offsetMinutes).date;
        const dayStart = Date.parse(`${date}T00:00:00Z`) - ctx.offsetMinutes * 60_000;
        due = dayStart + (1 + t.graceDays) * DAY_MS;
        occurrence = `date:${t.field}=${date}`;
      } else {
        due = ms + t.graceDays * DAY_MS;
        occurrence = `date:${t.field}=${ms}`;
      }
      // Keyed by the date itself: a deadline moved later is a new deadline.
      if (ctx.now >= due) out.push(planFiring(rule, entity, occurrence, due, ctx, {}));
    } else if (t.type === 'schedule') {
      if (!open) continue;
      const period = currentPeriod(t.every, t.at, ctx.now, ctx.offsetMinutes);
      if (period) out.push(planFiring(rule, entity, `schedule:${period.key}`, period.start, ctx, {}));
    }
  }
  return out;
}

/**
 * The schedule period `now` falls in, once its start time of day has come; undefined before it.
 * Example (+03:00, every day at 09:00): now 2025-03-20 08:00 -> undefined; 09:30 -> key 2025-03-20.
 */
export function currentPeriod(
  every: 'day' | 'week' | 'month',
  at: string,
  now: number,
  offsetMinutes: number,
): { key: string; start: number } | undefined {
  const local = localTime(now, offsetMinutes);
  const [hh, mm] = at.split(':').map(Number);
  const atMs = ((hh ?? 0) * 60 + (mm ?? 0)) * 60_000;
  let periodStart: number;
  let key: string;
  if (every === 'day') {
    periodStart = local.dayStart;
    key = local.date;
  } else if (every === 'week') {
    periodStart = local.dayStart - (local.weekday - 1) * DAY_MS;
    key = `week-of-${localTime(periodStart, offsetMinutes).date}`;
  } else {
    const day = Number(local.date.slice(8, 10));
    periodStart = local.dayStart - (day - 1) * DAY_MS;
    key = local.date.slice(0, 7);
  }
  const start = periodStart + atMs;
  return now >= start ? { key, start } : undefined;
}

/**
 * Turns recipients into user ids (in order, without repeats). `parent:responsible` and
 * `parent:observers` read the item's parent deal, when it was read (none: no one).
 */
export function resolveRecipients(
  recipients: Recipient[],
  entity: Entity,
  org: OrgChart,
  parent?: Entity,
): number[] {
  const ids: number[] = [];
  const add = (id: unknown): void => {
    const n = Number(id);
    if (Number.isInteger(n) && n > 0 && !ids.includes(n)) ids.push(n);
  };
  for (const r of recipients) {
    if (r === 'responsible') add(entity.assignedById);
    else if (r === 'head') headsOf(org, entity.assignedById).forEach(add);
    else if (r === 'observers') entity.observers.forEach(add);
    else if (r === 'parent:responsible') add(parent?.assignedById);
    else if (r === 'parent:observers') parent?.observers.forEach(add);
    else if (r.startsWith('user:')) add(r.slice(5));
    else if (r.startsWith('head_of:')) add(headOfDepartment(org, r.slice(8)));
    else if (r.startsWith('field:')) {
      const value = fieldValue(entity, r.slice(6));
      (Array.isArray(value) ? value : [value]).forEach(add);
    }
  }
  return ids;
}

function describeRecipients(recipients: Recipient[]): string {
  return recipients.join(', ');
}

/** Builds the actions of one firing. */
export function planFiring(
  rule: ResolvedRule,
  entity: Entity,
  occurrence: string,
  at: number,
  ctx: RuleContext,
  extra: Record<string, string | number>,
  enteredAt?: number,
): Firing {
  const ref = { entityTypeId: entity.entityTypeId, id: entity.id };
  const category = findCategory(ctx.catalog, entity.entityTypeId, entity.categoryId);
  const stage = findStage(ctx.catalog, entity.entityTypeId, entity.categoryId, entity.stageId);
  const entered = enteredAt ?? entity.movedTime ?? undefined;
  const path = entityPath(ref);
  const parent = parentOf(entity, ctx.parents);
  const recipients = (list: Recipient[]): number[] => resolveRecipients(list, entity, ctx.org, parent);
  const vars: Record<string, string | number> = {
    id: entity.id,
    title: entity.title,
    url: path,
    link: `[URL=${path}]${entity.title || `#${entity.id}`}[/URL]`,
    stage: stage?.name ?? entity.stageId,
    pipeline: category?.name ?? '',
    responsible: userName(ctx.org, entity.assignedById),
    daysInStage: entered === undefined ? '' : Math.floor((ctx.now - entered) / DAY_MS),
    // The portal's date (YYYY-MM-DD), the form date fields take: `RESULTS_SENT_DATE: '{{today}}'`.
    today: localTime(ctx.now, ctx.offsetMinutes).date,
    ...parentVars(parent, ctx.catalog, ctx.offsetMinutes),
    ...extra,
  };
  for (const [name, value] of Object.entries(listFieldVars(entity, rule.enums, rule.aliases))) {
    if (!(name in vars)) vars[name] = value;
  }
  for (const [code, name] of Object.entries(rule.aliases)) {
    if (!(code in vars)) vars[code] = formatValue(fieldValue(entity, name), ctx.offsetMinutes);
  }
  const render = (text: string): string => renderTemplate(text, entity, vars, ctx.offsetMinutes);
  const actions: IntendedAction[] = [];
  const base = (index: number, userId?: number) => {
    const key = ledgerKey(rule.rule.id, ref, occurrence, index, userId);
    return { key, marker: markerOf(key), ruleId: rule.rule.id, entity: ref, occurrence };
  };
  const skip = (index: number, reason: string): void => {
    actions.push({ ...base(index), kind: 'skip', reason, summary: `skipped: ${reason}` });
  };
  const notifyAll = (index: number, users: number[], message: string, why: string): void => {
    if (users.length === 0) {
      skip(index, `no one to notify (${why})`);
      return;
    }
    for (const userId of users) {
      actions.push({
        ...base(index, userId),
        kind: 'notify',
        userId,
        message,
        summary: `notify ${userName(ctx.org, userId)} (user ${userId})`,
      });
    }
  };

  rule.rule.actions.forEach((action: Action, index) => {
    switch (action.type) {
      case 'notify':
        notifyAll(index, recipients(action.to), render(action.message), describeRecipients(action.to));
        break;
      case 'escalate':
        notifyAll(
          index,
          headsOf(ctx.org, entity.assignedById, action.levels),
          render(action.message),
          `no head above user ${entity.assignedById}`,
        );
        break;
      case 'task': {
        const [responsible] = recipients([action.responsible]);
        if (responsible === undefined) {
          skip(index, `no responsible for the task (${action.responsible})`);
          break;
        }
        const auditors = recipients(action.auditors).filter((u) => u !== responsible);
        const b = base(index);
        const deadlineMs =
          action.deadline === undefined
            ? undefined
            : ctx.now + ((action.deadline.days ?? 0) * 24 + (action.deadline.hours ?? 0)) * 3_600_000;
        const description = render(action.description);
        actions.push({
          ...b,
          kind: 'task',
          task: {
            TITLE: render(action.title),
            DESCRIPTION: `${description}${description ? '\n\n' : ''}${markerLine(b.marker)}`,
            RESPONSIBLE_ID: responsible,
            AUDITORS: auditors,
            // A list element has no binding of its own: its task shows on the deal it points at.
            UF_CRM_TASK: isListEntityType(ref.entityTypeId)
              ? listTaskBindings(entity, ctx.catalog)
              : [crmBinding(ref)],
            ...(deadlineMs !== undefined ? { DEADLINE: isoAt(deadlineMs, ctx.offsetMinutes) } : {}),
            ...(action.createdBy !== undefined ? { CREATED_BY: action.createdBy } : {}),
          },
          ...(action.key !== undefined ? { name: action.key } : {}),
          summary: `task «${render(action.title)}» for ${userName(ctx.org, responsible)} (user ${responsible})`,
        });
        break;
      }
      case 'comment': {
        const b = base(index);
        actions.push({
          ...b,
          kind: 'comment',
          entityType: timelineEntityType(entity.entityTypeId),
          text: `${render(action.text)}\n\n${markerLine(b.marker)}`,
          summary: 'timeline comment',
        });
        break;
      }
      case 'set_fields': {
        const fields: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(action.fields)) {
          fields[name] = typeof value === 'string' ? render(value) : value;
        }
        actions.push({
          ...base(index),
          kind: 'update',
          // List fields are written as item ids: `UF_CRM_SERVICE: GTI` -> 45 (enum-values.ts).
          fields: enumWriteFields(rule.enums, fields),
          summary: `set ${Object.keys(fields).join(', ')}`,
        });
        break;
      }
      case 'compute_fields': {
        const read = (name: string): unknown => fieldValue(entity, rule.aliases[name] ?? name);
        const fields: Record<string, unknown> = {};
        for (const [name, expr] of Object.entries(action.fields)) {
          fields[rule.aliases[name] ?? name] = evaluateExpression(expr, read);
        }
        actions.push({
          ...base(index),
          kind: 'update',
          fields,
          summary: `set ${Object.entries(fields)
            .map(([k, v]) => `${k} = ${String(v)}`)
            .join(', ')}`,
        });
        break;
      }
      case 'propagate_responsible':
        actions.push({
          ...base(index),
          kind: 'update_linked',
          to: action.to,
          fields: { assignedById: entity.assignedById },
          summary: `make ${userName(ctx.org, entity.assignedById)} (user ${entity.assignedById}) responsible for the ${action.to.join(' and ')}`,
        });
        break;
      case 'assign_by_department': {
        const agent = userByDepartment(ctx.org, entity.assignedById, action.byDepartment);
        if (agent === undefined) {
          skip(index, `no department of user ${entity.assignedById} is mapped`);
          break;
        }
        const field = rule.aliases[action.field] ?? action.field;
        const fields: Record<string, unknown> = { [field]: agent };
        if (action.addObserver) {
          fields.observers = entity.observers.includes(agent)
            ? entity.observers
            : [...entity.observers, agent];
        }
        actions.push({
          ...base(index),
          kind: 'update',
          fields,
          summary: `set ${field} = ${userName(ctx.org, agent)} (user ${agent})${action.addObserver ? ', observer' : ''}`,
        });
        break;
      }
      case 'complete_task':
        actions.push({
          ...base(index),
          kind: 'complete_task',
          name: action.task,
          summary: `complete the open tasks «${action.task}»`,
        });
        break;
      case 'copy_documents': {
        const folder = folderPath(action.folder, render);
        const saveTo =
          action.saveTo === undefined ? undefined : (rule.aliases[action.saveTo] ?? action.saveTo);
        const where = action.storage === 'common' ? 'the common drive' : `storage ${action.storage}`;
        actions.push({
          ...base(index),
          kind: 'copy_documents',
          folder,
          storage: action.storage,
          ...(saveTo !== undefined ? { saveTo } : {}),
          summary: `copy the documents to «${folder.join('/')}» on ${where}${saveTo ? `, its link to ${saveTo}` : ''}`,
        });
        break;
      }
      case 'create_item':
      case 'copy_item': {
        const b = base(index);
        const [responsible] = action.type === 'create_item' ? recipients([action.responsible]) : [];
        const { aliases, enums } = rule;
        const planned = planItemAction(action, {
          entity,
          catalog: ctx.catalog,
          aliases,
          enums,
          ...{ marker: b.marker, render, responsible },
        });
        if (typeof planned === 'string') skip(index, planned);
        else actions.push({ ...b, ...planned });
        break;
      }
      case 'move_stage': {
        if (action.direction !== undefined) {
          const moved = planMoveToDirection(ctx.catalog, entity, action.direction, action.stage);
          if (typeof moved === 'string') skip(index, moved);
          else actions.push({ ...base(index), ...moved });
          break;
        }
        const target = stageInCategory(
          ctx.catalog,
          entity.entityTypeId,
          entity.categoryId,
          action.stage ?? '',
        );
        if (!target) {
          skip(index, `no stage ${action.stage} in the record's pipeline`);
          break;
        }
        actions.push({
          ...base(index),
          kind: 'update',
          fields: { stageId: target.id },
          summary: `move to «${target.name}» (${target.id})`,
        });
        break;
      }
      case 'update_children': {
        const planned = planUpdateChildren(action, entity, ctx.catalog, render);
        if (typeof planned === 'string') skip(index, planned);
        else actions.push({ ...base(index), ...planned });
        break;
      }
      case 'set_related':
        actions.push(planSetRelated(action, entity, ctx.catalog, render, base(index)));
        break;
    }
  });
  return { ruleId: rule.rule.id, entity: ref, occurrence, at, actions };
}
