import { randomUUID } from 'node:crypto';
import type { MethodModule, Portal } from '../portal.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, splitOperator } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError } from '../protocol/rest-error.js';
import type { Doc, Sort, Where } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import type { CallContext, MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';
import type { UserDoc } from './users.js';

/**
 * `tasks.task.*` (scope `task`; reference/bitrix24-rest.md §6.12, api-reference/tasks/*.md).
 * Input keys are UPPER_CASE (`RESPONSIBLE_ID`), output keys camelCase with string values
 * (`responsibleId: "1"`), dates ISO 8601 with the portal offset. System dates follow the portal clock.
 */
export const TASK_KIND = 'task';

export const TASK_STATUS = {
  pending: 2,
  inProgress: 3,
  awaitingControl: 4,
  completed: 5,
  deferred: 6,
} as const;

type YN = 'Y' | 'N';

export interface TaskDoc extends Doc {
  TITLE: string;
  DESCRIPTION: string;
  PRIORITY: number;
  /** The real status 2..6 (`REAL_STATUS` in filters, `status` in output). */
  STATUS: number;
  MARK: string | null;
  CREATED_BY: number;
  RESPONSIBLE_ID: number;
  CHANGED_BY: number;
  STATUS_CHANGED_BY: number | null;
  CLOSED_BY: number | null;
  /** Epoch ms of portal time. */
  CREATED_DATE: number;
  CHANGED_DATE: number;
  STATUS_CHANGED_DATE: number;
  CLOSED_DATE: number | null;
  ACTIVITY_DATE: number;
  DATE_START: number | null;
  DEADLINE: number | null;
  START_DATE_PLAN: number | null;
  END_DATE_PLAN: number | null;
  GROUP_ID: number;
  PARENT_ID: number | null;
  STAGE_ID: number;
  AUDITORS: number[];
  ACCOMPLICES: number[];
  TAGS: string[];
  /** CRM bindings as given: `D_12`, `C_7`, `CO_5`, `L_4`, `T80_3` (crm/data-types.md#crm-binding-format). */
  UF_CRM_TASK: string[];
  /** Drive file ids from `n123` values. */
  UF_TASK_WEBDAV_FILES: number[];
  GUID: string;
  XML_ID: string | null;
  ALLOW_CHANGE_DEADLINE: YN;
  ALLOW_TIME_TRACKING: YN;
  TASK_CONTROL: YN;
  ADD_IN_REPORT: YN;
  MATCH_WORK_TIME: YN;
  TIME_ESTIMATE: number;
  DURATION_TYPE: string;
}

// Errors as api-reference/tasks/tasks-task-{add,get,update,delete,list}.md list them. The Engine
// controller puts numeric codes (0, 100) in `error`, the task model's messages end in `<br>` under
// ERROR_CORE, all with HTTP 400.
const taskError = {
  fieldsMissing: () => new RestError(100, 'Could not find value for parameter {fields} (internal error)'),
  taskIdMissing: () =>
    new RestError(
      100,
      'CTaskItem All parameters in the constructor must have real class type (internal error)',
    ),
  wrongTaskId: () => new RestError(0, 'wrong task id'),
  notAllowed: (internal: boolean) =>
    new RestError(0, `Action on the task is not allowed${internal ? ' (internal error)' : ''}`),
  noDeleteAccess: () => new RestError(1048582, 'No access to delete the task'),
  badSortKey: () => new RestError(0, 'Invalid sorting key (internal error)'),
  badSelect: () =>
    new RestError(
      100,
      'Invalid value {} to match with parameter {select}. Should be value of type array. (internal error)',
    ),
  core: (messages: string[]) => new RestError('ERROR_CORE', messages.map((m) => `${m}<br>`).join('')),
};

const YN_FIELDS = [
  'ALLOW_CHANGE_DEADLINE',
  'ALLOW_TIME_TRACKING',
  'TASK_CONTROL',
  'ADD_IN_REPORT',
  'MATCH_WORK_TIME',
] as const;
const DATE_FIELDS = ['DEADLINE', 'START_DATE_PLAN', 'END_DATE_PLAN', 'DATE_START'] as const;
const DURATION_TYPES = ['secs', 'mins', 'hours', 'days', 'weeks', 'monts', 'years'];

/** `CREATED_BY` -> `createdBy`, `UF_CRM_TASK` -> `ufCrmTask`. */
export function camelOf(upper: string): string {
  return upper.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `subStatus` -> `SUB_STATUS`; UPPER names pass through. */
function upperOf(name: string): string {
  if (!/[a-z]/.test(name)) return name;
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const dateOut = (portal: Portal, ms: number | null): string | null => (ms === null ? null : portal.iso(ms));
const idOut = (n: number | null): string | null => (n === null ? null : String(n));

function userBrief(portal: Portal, id: number): Record<string, unknown> {
  const u = portal.store.get<UserDoc>('user', id);
  return {
    id: String(id),
    name: u ? [u.NAME, u.LAST_NAME].filter(Boolean).join(' ') : '',
    link: `/company/personal/user/${id}/`,
    icon: '/bitrix/images/tasks/default_avatar.png',
    workPosition: u?.WORK_POSITION ?? '',
  };
}

/** `auditorsData`/`accomplicesData`: an object keyed by user id, or `[]` when empty (fields.md). */
function usersData(portal: Portal, ids: number[]): unknown {
  if (ids.length === 0) return [];
  return Object.fromEntries(ids.map((id) => [String(id), userBrief(portal, id)]));
}

const ALMOST_OVERDUE_MS = 24 * 3600_000;
const OPEN_STATUSES = [TASK_STATUS.pending, TASK_STATUS.inProgress];

/**
 * `subStatus` (filter key STATUS): the real status, or a meta status for open tasks: -1 overdue,
 * -3 almost overdue (deadline within a day). The emulator does not track views, so never -2.
 */
function subStatus(now: number, t: TaskDoc): number {
  if (!(OPEN_STATUSES as readonly number[]).includes(t.STATUS) || t.DEADLINE === null) return t.STATUS;
  if (t.DEADLINE < now) return -1;
  if (t.DEADLINE < now + ALMOST_OVERDUE_MS) return -3;
  return t.STATUS;
}

function actions(t: TaskDoc): Record<string, boolean> {
  const s = t.STATUS;
  const open = s === TASK_STATUS.pending || s === TASK_STATUS.inProgress;
  return {
    accept: false,
    decline: false,
    complete: open || s === TASK_STATUS.deferred,
    approve: s === TASK_STATUS.awaitingControl,
    disapprove: s === TASK_STATUS.awaitingControl,
    start: s === TASK_STATUS.pending,
    pause: s === TASK_STATUS.inProgress,
    delegate: open,
    remove: true,
    edit: true,
    defer: open,
    renew: s === TASK_STATUS.completed || s === TASK_STATUS.deferred,
    create: true,
    changeDeadline: true,
    checklistAddItems: true,
    addFavorite: true,
    deleteFavorite: false,
    rate: true,
    take: false,
    'edit.originator': false,
    'checklist.reorder': true,
    'elapsedtime.add': true,
    'dayplan.timer.toggle': false,
    'edit.plan': true,
    'checklist.add': true,
    'favorite.add': true,
    'favorite.delete': false,
  };
}

type Renderer = (portal: Portal, t: TaskDoc) => unknown;

/** The stored record's fields in the order tasks.task.add prints them; key = the UPPER select name. */
const BASE: [string, Renderer][] = [
  ['ID', (_p, t) => String(t.id)],
  ['PARENT_ID', (_p, t) => idOut(t.PARENT_ID)],
  ['TITLE', (_p, t) => t.TITLE],
  ['DESCRIPTION', (_p, t) => t.DESCRIPTION],
  ['MARK', (_p, t) => t.MARK],
  ['PRIORITY', (_p, t) => String(t.PRIORITY)],
  ['MULTITASK', () => 'N'],
  ['NOT_VIEWED', () => 'N'],
  ['REPLICATE', () => 'N'],
  ['STAGE_ID', (_p, t) => String(t.STAGE_ID)],
  ['SPRINT_ID', () => null],
  ['BACKLOG_ID', () => null],
  ['CREATED_BY', (_p, t) => String(t.CREATED_BY)],
  ['CREATED_DATE', (p, t) => p.iso(t.CREATED_DATE)],
  ['RESPONSIBLE_ID', (_p, t) => String(t.RESPONSIBLE_ID)],
  ['CHANGED_BY', (_p, t) => String(t.CHANGED_BY)],
  ['CHANGED_DATE', (p, t) => p.iso(t.CHANGED_DATE)],
  ['STATUS_CHANGED_BY', (_p, t) => idOut(t.STATUS_CHANGED_BY)],
  ['CLOSED_BY', (_p, t) => idOut(t.CLOSED_BY)],
  ['CLOSED_DATE', (p, t) => dateOut(p, t.CLOSED_DATE)],
  ['ACTIVITY_DATE', (p, t) => p.iso(t.ACTIVITY_DATE)],
  ['DATE_START', (p, t) => dateOut(p, t.DATE_START)],
  ['DEADLINE', (p, t) => dateOut(p, t.DEADLINE)],
  ['START_DATE_PLAN', (p, t) => dateOut(p, t.START_DATE_PLAN)],
  ['END_DATE_PLAN', (p, t) => dateOut(p, t.END_DATE_PLAN)],
  ['GUID', (_p, t) => t.GUID],
  ['XML_ID', (_p, t) => t.XML_ID],
  ['COMMENTS_COUNT', () => null],
  ['SERVICE_COMMENTS_COUNT', () => null],
  ['ALLOW_CHANGE_DEADLINE', (_p, t) => t.ALLOW_CHANGE_DEADLINE],
  ['ALLOW_TIME_TRACKING', (_p, t) => t.ALLOW_TIME_TRACKING],
  ['TASK_CONTROL', (_p, t) => t.TASK_CONTROL],
  ['ADD_IN_REPORT', (_p, t) => t.ADD_IN_REPORT],
  ['FORKED_BY_TEMPLATE_ID', () => null],
  ['TIME_ESTIMATE', (_p, t) => String(t.TIME_ESTIMATE)],
  ['TIME_SPENT_IN_LOGS', () => null],
  ['MATCH_WORK_TIME', (_p, t) => t.MATCH_WORK_TIME],
  ['FORUM_TOPIC_ID', () => null],
  ['FORUM_ID', () => null],
  ['SITE_ID', () => 's1'],
  ['SUBORDINATE', () => 'N'],
  ['EXCHANGE_MODIFIED', () => null],
  ['EXCHANGE_ID', () => null],
  ['OUTLOOK_VERSION', () => '1'],
  ['VIEWED_DATE', () => null],
  ['SORTING', () => null],
  ['DURATION_FACT', () => null],
  ['IS_MUTED', () => 'N'],
  ['IS_PINNED', () => 'N'],
  ['IS_PINNED_IN_GROUP', () => 'N'],
  ['FLOW_ID', () => null],
  ['DESCRIPTION_IN_BBCODE', () => 'Y'],
  ['STATUS', (_p, t) => String(t.STATUS)],
  ['STATUS_CHANGED_DATE', (p, t) => p.iso(t.STATUS_CHANGED_DATE)],
  ['DURATION_PLAN', () => null],
  ['DURATION_TYPE', (_p, t) => t.DURATION_TYPE],
  ['FAVORITE', () => 'N'],
  ['GROUP_ID', (_p, t) => String(t.GROUP_ID)],
  ['AUDITORS', (_p, t) => t.AUDITORS.map(String)],
  ['ACCOMPLICES', (_p, t) => t.ACCOMPLICES.map(String)],
];
const BASE_MAP = new Map(BASE);

/**
 * The system user fields: not returned unless selected; selecting any one returns all three
 * (api-reference/tasks/fields.md). An empty multiple field prints `false`, the mail field `null`.
 */
const UF: [string, Renderer][] = [
  ['UF_CRM_TASK', (_p, t) => (t.UF_CRM_TASK.length ? t.UF_CRM_TASK : false)],
  ['UF_TASK_WEBDAV_FILES', (_p, t) => (t.UF_TASK_WEBDAV_FILES.length ? t.UF_TASK_WEBDAV_FILES : false)],
  ['UF_MAIL_MESSAGE', () => null],
];

/** Computed parts that follow the record (tasks.task.get without select). */
function extras(portal: Portal, t: TaskDoc): Record<string, unknown> {
  return {
    tags: t.TAGS,
    checklist: [],
    group: [],
    creator: userBrief(portal, t.CREATED_BY),
    responsible: userBrief(portal, t.RESPONSIBLE_ID),
    accomplicesData: usersData(portal, t.ACCOMPLICES),
    auditorsData: usersData(portal, t.AUDITORS),
    newCommentsCount: 0,
    subStatus: String(subStatus(portal.now(), t)),
    action: actions(t),
    checkListTree: {
      nodeId: 0,
      fields: {
        id: null,
        copiedId: null,
        entityId: null,
        userId: t.RESPONSIBLE_ID,
        createdBy: null,
        parentId: null,
        title: '',
        sortIndex: null,
        displaySortIndex: '',
        isComplete: false,
        isImportant: false,
        completedCount: 0,
        members: [],
        attachments: [],
      },
      action: [],
      descendants: [],
    },
    checkListCanAdd: true,
  };
}

function renderFull(portal: Portal, t: TaskDoc, withUf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, render] of BASE) out[camelOf(name)] = render(portal, t);
  if (withUf) for (const [name, render] of UF) out[camelOf(name)] = render(portal, t);
  return { ...out, ...extras(portal, t) };
}

/** A normalized `select`: undefined = the method's default set. */
interface Selection {
  all: boolean;
  fields: Set<string>;
  uf: boolean;
}

function readSelect(value: unknown): Selection | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') throw taskError.badSelect();
  const names = listParam(value).map((v) => upperOf(str(v).trim()));
  if (names.length === 0) throw taskError.badSelect();
  const fields = new Set(names);
  const uf = names.some((n) => n === 'UF_*' || UF.some(([name]) => name === n));
  return { all: fields.has('*'), fields, uf };
}

/**
 * Renders the selected fields (camelCase) plus what they imply: `creator` for CREATED_BY,
 * `responsible` for RESPONSIBLE_ID, `auditorsData`/`accomplicesData`, `subStatus` for STATUS.
 * `id` always comes back: clients page tasks.task.list by it (b24jssdk #185).
 */
function renderSelected(portal: Portal, t: TaskDoc, sel: Selection): Record<string, unknown> {
  if (sel.all) return renderFull(portal, t, sel.uf);
  const out: Record<string, unknown> = { id: String(t.id) };
  for (const name of sel.fields) {
    const render = BASE_MAP.get(name);
    if (render) out[camelOf(name)] = render(portal, t);
  }
  if (sel.uf) for (const [name, render] of UF) out[camelOf(name)] = render(portal, t);
  if (sel.fields.has('TAGS')) out.tags = t.TAGS;
  out.group = [];
  if (sel.fields.has('CREATED_BY')) out.creator = userBrief(portal, t.CREATED_BY);
  if (sel.fields.has('RESPONSIBLE_ID')) out.responsible = userBrief(portal, t.RESPONSIBLE_ID);
  if (sel.fields.has('ACCOMPLICES')) out.accomplicesData = usersData(portal, t.ACCOMPLICES);
  if (sel.fields.has('AUDITORS')) out.auditorsData = usersData(portal, t.AUDITORS);
  if (sel.fields.has('STATUS') || sel.fields.has('SUB_STATUS'))
    out.subStatus = String(subStatus(portal.now(), t));
  return out;
}

/** tasks.task.list without select: the stored record only, nothing computed on the fly (tasks-task-list.md). */
function renderListDefault(portal: Portal, t: TaskDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, render] of BASE) out[camelOf(name)] = render(portal, t);
  return {
    ...out,
    group: [],
    creator: userBrief(portal, t.CREATED_BY),
    responsible: userBrief(portal, t.RESPONSIBLE_ID),
    subStatus: String(subStatus(portal.now(), t)),
  };
}

/** `taskId`: absent -> 100, not an integer -> 0 "wrong task id"; undefined for ids that cannot exist. */
function readTaskId(params: CallContext['params']): number | undefined {
  const raw = param(params, 'taskId');
  if (raw === undefined || raw === null || raw === '') throw taskError.taskIdMissing();
  if (typeof raw === 'object' || !/^\s*-?\d+\s*$/.test(String(raw))) throw taskError.wrongTaskId();
  return idParam(raw);
}

function loadTask(portal: Portal, id: number | undefined): TaskDoc | undefined {
  return id === undefined ? undefined : portal.store.get<TaskDoc>(TASK_KIND, id);
}

function readFields(params: CallContext['params']): Record<string, unknown> {
  const fields = objectParam(params, 'fields');
  if (!fields || Object.keys(fields).length === 0) throw taskError.fieldsMissing();
  return fields;
}

function userExists(portal: Portal, id: number | undefined): id is number {
  return id !== undefined && portal.store.get('user', id) !== undefined;
}

const idList = (value: unknown): number[] =>
  [...new Set(listParam(value).map(idParam))].filter((n): n is number => n !== undefined);

/** A date field: '' / null clears it; an unparsable value leaves it unchanged. */
function dateField(portal: Portal, value: unknown): number | null | undefined {
  if (value === null || value === '' || value === false) return null;
  return parseDateInput(value, portal.settings.timezoneOffsetMinutes);
}

function setStatus(t: TaskDoc, status: number, userId: number, now: number): void {
  if (status === t.STATUS) return;
  t.STATUS = status;
  t.STATUS_CHANGED_BY = userId;
  t.STATUS_CHANGED_DATE = now;
  if (status === TASK_STATUS.completed) {
    t.CLOSED_BY = userId;
    t.CLOSED_DATE = now;
  } else if (t.CLOSED_DATE !== null) {
    t.CLOSED_BY = null;
    t.CLOSED_DATE = null;
  }
  if (status === TASK_STATUS.inProgress && t.DATE_START === null) t.DATE_START = now;
}

/**
 * Applies UPPER_CASE input fields to a task, collecting the model's messages (all of them, as the
 * task model joins them with `<br>`). Unknown keys are ignored.
 */
function applyFields(ctx: CallContext, t: TaskDoc, fields: Record<string, unknown>, isNew: boolean): void {
  const { portal, userId } = ctx;
  const problems: string[] = [];
  const has = (name: string): boolean => param(fields, name) !== undefined;
  const get = (name: string): unknown => param(fields, name);

  if (has('TITLE')) t.TITLE = str(get('TITLE')).trim();
  if (t.TITLE === '') problems.push('Task title not specified');
  if (has('DESCRIPTION')) t.DESCRIPTION = str(get('DESCRIPTION'));

  if (has('RESPONSIBLE_ID')) {
    const raw = get('RESPONSIBLE_ID');
    const id = idParam(raw);
    if (raw === '' || raw === null || raw === '0' || raw === 0) problems.push('Assignee not specified');
    else if (!userExists(portal, id)) problems.push('User specified in the "Assignee" field not found');
    else t.RESPONSIBLE_ID = id;
  } else if (isNew) problems.push('Assignee not specified');

  if (has('CREATED_BY')) {
    const id = idParam(get('CREATED_BY'));
    if (!userExists(portal, id)) problems.push('User specified in the "Creator" field not found');
    else t.CREATED_BY = id;
  }

  if (has('STATUS')) {
    const status = Number(get('STATUS'));
    // Status 1 ("new") is a legacy alias of 2 in the task model.
    const normalized = status === 1 ? TASK_STATUS.pending : status;
    if (!Number.isInteger(normalized) || normalized < 2 || normalized > 6) problems.push('Invalid status');
    else setStatus(t, normalized, userId, portal.now());
  }

  if (has('PRIORITY')) {
    const priority = Number(get('PRIORITY'));
    if ([0, 1, 2].includes(priority)) t.PRIORITY = priority;
  }

  if (has('PARENT_ID')) {
    const raw = get('PARENT_ID');
    const id = idParam(raw);
    if (raw === '' || raw === null || raw === '0' || raw === 0) t.PARENT_ID = null;
    else if (!isNew && id === t.id) problems.push('Cannot bind the node to itself');
    else if (id === undefined || !portal.store.get(TASK_KIND, id))
      problems.push('Task specified in the "Parent Task" field not found');
    else if (!isNew && isAncestorOf(portal, t.id, id))
      problems.push('Creating cyclic links in tasks is prohibited');
    else t.PARENT_ID = id;
  }

  for (const name of DATE_FIELDS) {
    if (!has(name)) continue;
    const value = dateField(portal, get(name));
    if (value !== undefined) t[name] = value;
  }
  if (t.START_DATE_PLAN !== null && t.END_DATE_PLAN !== null && t.END_DATE_PLAN < t.START_DATE_PLAN) {
    problems.push(
      isNew
        ? 'End date specified earlier than start date in scheduling'
        : 'In deadline planning, the end date is earlier than the start date',
    );
  }

  if (has('AUDITORS')) t.AUDITORS = idList(get('AUDITORS'));
  if (has('ACCOMPLICES')) t.ACCOMPLICES = idList(get('ACCOMPLICES'));
  if (has('GROUP_ID')) t.GROUP_ID = idParam(get('GROUP_ID')) ?? 0;
  if (has('STAGE_ID')) t.STAGE_ID = idParam(get('STAGE_ID')) ?? 0;
  if (has('UF_CRM_TASK')) {
    t.UF_CRM_TASK = [...new Set(listParam(get('UF_CRM_TASK')).map((v) => str(v).trim()))].filter(Boolean);
  }
  if (has('UF_TASK_WEBDAV_FILES')) {
    // Drive files are attached as `n<fileId>` (tasks-task-add.md).
    t.UF_TASK_WEBDAV_FILES = listParam(get('UF_TASK_WEBDAV_FILES'))
      .map((v) => idParam(str(v).replace(/^n/i, '')))
      .filter((n): n is number => n !== undefined);
  }
  if (has('TAGS')) {
    const raw = get('TAGS');
    const tags = typeof raw === 'string' ? raw.split(',') : listParam(raw).map(str);
    t.TAGS = [...new Set(tags.map((s) => s.trim()).filter(Boolean))];
  }
  for (const name of YN_FIELDS) {
    if (has(name)) t[name] = flag(get(name)) ? 'Y' : 'N';
  }
  if (has('XML_ID')) t.XML_ID = str(get('XML_ID')) || null;
  if (has('MARK')) {
    const mark = str(get('MARK')).toUpperCase();
    t.MARK = mark === 'N' || mark === 'P' ? mark : null;
  }
  if (has('TIME_ESTIMATE')) t.TIME_ESTIMATE = Math.max(0, Math.trunc(Number(get('TIME_ESTIMATE')) || 0));
  if (has('DURATION_TYPE')) {
    const type = str(get('DURATION_TYPE')).toLowerCase();
    if (DURATION_TYPES.includes(type)) t.DURATION_TYPE = type;
  }
  if (problems.length > 0) throw taskError.core(problems);
}

/** Whether `ancestor` sits above `id` in the parent chain (a subtask may not become its parent's parent). */
function isAncestorOf(portal: Portal, ancestor: number, id: number): boolean {
  const seen = new Set<number>();
  for (let cur: number | null = id; cur !== null && !seen.has(cur);) {
    if (cur === ancestor) return true;
    seen.add(cur);
    cur = portal.store.get<TaskDoc>(TASK_KIND, cur)?.PARENT_ID ?? null;
  }
  return false;
}

function newTask(ctx: CallContext): Omit<TaskDoc, 'id'> {
  const now = ctx.portal.now();
  return {
    TITLE: '',
    DESCRIPTION: '',
    PRIORITY: 1,
    STATUS: TASK_STATUS.pending,
    MARK: null,
    CREATED_BY: ctx.userId,
    RESPONSIBLE_ID: 0,
    CHANGED_BY: ctx.userId,
    STATUS_CHANGED_BY: null,
    CLOSED_BY: null,
    CREATED_DATE: now,
    CHANGED_DATE: now,
    STATUS_CHANGED_DATE: now,
    CLOSED_DATE: null,
    ACTIVITY_DATE: now,
    DATE_START: null,
    DEADLINE: null,
    START_DATE_PLAN: null,
    END_DATE_PLAN: null,
    GROUP_ID: 0,
    PARENT_ID: null,
    STAGE_ID: 0,
    AUDITORS: [],
    ACCOMPLICES: [],
    TAGS: [],
    UF_CRM_TASK: [],
    UF_TASK_WEBDAV_FILES: [],
    GUID: `{${randomUUID()}}`,
    XML_ID: null,
    ALLOW_CHANGE_DEADLINE: 'N',
    ALLOW_TIME_TRACKING: 'N',
    TASK_CONTROL: 'N',
    ADD_IN_REPORT: 'N',
    MATCH_WORK_TIME: 'N',
    TIME_ESTIMATE: 0,
    DURATION_TYPE: 'days',
  };
}

function touch(ctx: CallContext, t: TaskDoc): void {
  const now = ctx.portal.now();
  t.CHANGED_BY = ctx.userId;
  t.CHANGED_DATE = now;
  t.ACTIVITY_DATE = now;
}

const taskAnswer = (portal: Portal, t: TaskDoc, sel?: Selection): MethodOutput =>
  ok({ task: sel ? renderSelected(portal, t, sel) : renderFull(portal, t, false) });

// ---------------------------------------------------------------------------------------------------
// tasks.task.list: filter and order

const dateRef = (portal: Portal, field: string): FieldRef => ({
  field,
  kind: 'number',
  toStored: (v) => parseDateInput(v, portal.settings.timezoneOffsetMinutes) ?? null,
});

const filterResolver =
  (portal: Portal): FieldResolver =>
  (name) => {
    const key = upperOf(name);
    switch (key) {
      case 'ID':
        return { field: 'id', kind: 'number' };
      case 'PARENT_ID':
      case 'GROUP_ID':
      case 'CREATED_BY':
      case 'RESPONSIBLE_ID':
      case 'STATUS_CHANGED_BY':
      case 'CHANGED_BY':
      case 'CLOSED_BY':
      case 'PRIORITY':
      case 'STAGE_ID':
      case 'TIME_ESTIMATE':
        return { field: key, kind: 'number' };
      case 'REAL_STATUS':
      case 'STATUS':
        return { field: 'STATUS', kind: 'number' };
      case 'TITLE':
      case 'DESCRIPTION':
      case 'XML_ID':
      case 'GUID':
      case 'MARK':
      case 'ALLOW_CHANGE_DEADLINE':
      case 'ALLOW_TIME_TRACKING':
      case 'TASK_CONTROL':
      case 'ADD_IN_REPORT':
      case 'MATCH_WORK_TIME':
        return { field: key, kind: 'text' };
      case 'DATE_START':
      case 'DEADLINE':
      case 'CREATED_DATE':
      case 'CLOSED_DATE':
      case 'CHANGED_DATE':
      case 'ACTIVITY_DATE':
      case 'STATUS_CHANGED_DATE':
      case 'START_DATE_PLAN':
      case 'END_DATE_PLAN':
        return dateRef(portal, key);
      case 'ACCOMPLICE':
        return { field: 'ACCOMPLICES', kind: 'number', multiple: true };
      case 'AUDITOR':
        return { field: 'AUDITORS', kind: 'number', multiple: true };
      case 'TAG':
        return { field: 'TAGS', kind: 'text', multiple: true };
      case 'UF_CRM_TASK':
        return { field: 'UF_CRM_TASK', kind: 'text', multiple: true };
      case 'UF_TASK_WEBDAV_FILES':
        return { field: 'UF_TASK_WEBDAV_FILES', kind: 'number', multiple: true };
      default:
        return undefined;
    }
  };

/** The conditions of a meta status: -1 overdue, -3 almost overdue (open tasks only); -2 matches nothing. */
function metaStatusWhere(now: number, status: number): Where {
  const open = { field: 'STATUS', op: 'in' as const, value: [...OPEN_STATUSES], kind: 'number' as const };
  if (status === -1) return [open, { field: 'DEADLINE', op: '<', value: now, kind: 'number' }];
  if (status === -3) {
    return [
      open,
      { field: 'DEADLINE', op: '>=', value: now, kind: 'number' },
      { field: 'DEADLINE', op: '<', value: now + ALMOST_OVERDUE_MS, kind: 'number' },
    ];
  }
  return [{ field: 'id', op: '<', value: 0, kind: 'number' }];
}

/**
 * The list filter (tasks-task-list.md): UPPER keys with `! < <= > >=` prefixes. Two keys need more than
 * the shared parser: STATUS with meta statuses (`{STATUS: -1}` = overdue) and TITLE, which takes a
 * `%` pattern without a prefix (`{TITLE: '%счёт%'}`).
 */
function taskWhere(portal: Portal, filter: Record<string, unknown> | undefined): Where {
  if (!filter) return [];
  const plain: Record<string, unknown> = {};
  const where: Where = [];
  const now = portal.now();
  for (const [key, raw] of Object.entries(filter)) {
    const { op, name } = splitOperator(key);
    const upper = upperOf(name);
    if (upper === 'STATUS' && (op === '=' || op === 'in')) {
      const values = listParam(raw).map(Number);
      if (values.some((v) => v < 0)) {
        where.push({
          or: values.map((v) =>
            v < 0 ? metaStatusWhere(now, v) : [{ field: 'STATUS', op: '=', value: v, kind: 'number' }],
          ),
        });
        continue;
      }
    }
    if (upper === 'TITLE' && op === '=' && typeof raw === 'string' && /[%_]/.test(raw)) {
      plain[`%${name}`] = raw.replace(/%/g, '');
      continue;
    }
    plain[key] = raw;
  }
  return [...where, ...parseFilter(plain, filterResolver(portal), { unknown: 'ignore' })];
}

const ORDER_FIELDS: Record<string, FieldRef | null> = {
  ID: { field: 'id', kind: 'number' },
  TITLE: { field: 'TITLE', kind: 'text' },
  DATE_START: { field: 'DATE_START', kind: 'number' },
  CREATED_DATE: { field: 'CREATED_DATE', kind: 'number' },
  CHANGED_DATE: { field: 'CHANGED_DATE', kind: 'number' },
  CLOSED_DATE: { field: 'CLOSED_DATE', kind: 'number' },
  ACTIVITY_DATE: { field: 'ACTIVITY_DATE', kind: 'number' },
  START_DATE_PLAN: { field: 'START_DATE_PLAN', kind: 'number' },
  END_DATE_PLAN: { field: 'END_DATE_PLAN', kind: 'number' },
  DEADLINE: { field: 'DEADLINE', kind: 'number' },
  REAL_STATUS: { field: 'STATUS', kind: 'number' },
  STATUS: { field: 'STATUS', kind: 'number' },
  STATUS_COMPLETE: { field: 'STATUS', kind: 'number' },
  PRIORITY: { field: 'PRIORITY', kind: 'number' },
  MARK: { field: 'MARK', kind: 'text' },
  GROUP_ID: { field: 'GROUP_ID', kind: 'number' },
  TIME_ESTIMATE: { field: 'TIME_ESTIMATE', kind: 'number' },
  ALLOW_CHANGE_DEADLINE: { field: 'ALLOW_CHANGE_DEADLINE', kind: 'text' },
  ALLOW_TIME_TRACKING: { field: 'ALLOW_TIME_TRACKING', kind: 'text' },
  MATCH_WORK_TIME: { field: 'MATCH_WORK_TIME', kind: 'text' },
  // Documented sort keys the emulator has no data for: accepted, no effect.
  TIME_SPENT_IN_LOGS: null,
  CREATED_BY_LAST_NAME: null,
  RESPONSIBLE_LAST_NAME: null,
  FAVORITE: null,
  SORTING: null,
  IS_PINNED: null,
  IS_PINNED_IN_GROUP: null,
};

/** `order` (default ID desc); a key outside the documented list answers 0 "Invalid sorting key". */
function taskOrder(order: Record<string, unknown> | undefined): Sort[] {
  if (!order || Object.keys(order).length === 0) return [{ field: 'id', dir: 'DESC', kind: 'number' }];
  const sorts: Sort[] = [];
  for (const [name, dir] of Object.entries(order)) {
    const key = upperOf(name);
    if (!(key in ORDER_FIELDS)) throw taskError.badSortKey();
    const ref = ORDER_FIELDS[key];
    if (!ref) continue;
    sorts.push({ field: ref.field, kind: ref.kind, dir: str(dir).toUpperCase() === 'DESC' ? 'DESC' : 'ASC' });
  }
  return sorts;
}

// ---------------------------------------------------------------------------------------------------
// tasks.task.getFields

const yn = { type: 'enum', values: { Y: 'Yes', N: 'No' }, default: 'N' };
const FIELD_INFO: Record<string, Record<string, unknown>> = {
  ID: { title: 'ID', type: 'integer', primary: true },
  PARENT_ID: { title: 'Base task ID', type: 'integer', default: 0 },
  TITLE: { title: 'Title', type: 'string', required: true },
  DESCRIPTION: { title: 'Description', type: 'string' },
  MARK: { title: 'Rating', type: 'enum', values: { N: 'Negative', P: 'Positive' }, default: null },
  PRIORITY: { title: 'Priority', type: 'enum', values: { 2: 'High', 1: 'Medium', 0: 'Low' }, default: 1 },
  STATUS: {
    title: 'Status',
    type: 'enum',
    values: { 2: 'Pending', 3: 'In Progress', 4: 'Awaiting Control', 5: 'Completed', 6: 'Deferred' },
    default: 2,
  },
  GROUP_ID: { title: 'Project', type: 'integer', default: 0 },
  STAGE_ID: { title: 'Stage', type: 'integer', default: 0 },
  CREATED_BY: { title: 'Creator', type: 'integer', required: true },
  CREATED_DATE: { title: null, type: 'datetime' },
  RESPONSIBLE_ID: { title: 'Assignee', type: 'integer', required: true },
  ACCOMPLICES: { title: null, type: 'array' },
  AUDITORS: { title: null, type: 'array' },
  CHANGED_BY: { title: 'Changed by', type: 'integer' },
  CHANGED_DATE: { title: 'Change date', type: 'datetime' },
  STATUS_CHANGED_BY: { title: 'Status changed by', type: 'integer' },
  STATUS_CHANGED_DATE: { title: 'Status change date', type: 'datetime' },
  CLOSED_BY: { title: 'Closed by', type: 'integer', default: null },
  CLOSED_DATE: { title: 'Closing date', type: 'datetime', default: null },
  ACTIVITY_DATE: { title: null, type: 'datetime', default: null },
  DATE_START: { title: 'Start date', type: 'datetime', default: null },
  DEADLINE: { title: 'Deadline', type: 'datetime', default: null },
  START_DATE_PLAN: { title: 'Planned start', type: 'datetime', default: null },
  END_DATE_PLAN: { title: 'Planned completion', type: 'datetime', default: null },
  GUID: { title: 'GUID', type: 'string', default: null },
  XML_ID: { title: 'XML_ID', type: 'string', default: null },
  ALLOW_CHANGE_DEADLINE: { title: null, ...yn },
  ALLOW_TIME_TRACKING: { title: null, ...yn },
  TASK_CONTROL: { title: 'Accept work', ...yn },
  ADD_IN_REPORT: { title: 'Add to report', ...yn },
  TIME_ESTIMATE: { title: 'Estimated time', type: 'integer' },
  MATCH_WORK_TIME: { title: 'Skip weekends', type: 'integer' },
  DURATION_TYPE: { title: 'DURATION_TYPE', type: 'enum', values: DURATION_TYPES, default: 'days' },
  UF_CRM_TASK: { title: 'CRM entities', type: 'crm' },
  UF_TASK_WEBDAV_FILES: { title: 'Upload files', type: 'disk_file' },
  UF_MAIL_MESSAGE: { title: null, type: 'mail_message' },
};

// ---------------------------------------------------------------------------------------------------

/** A status action (complete/start/pause/defer/renew): "not allowed" when the task cannot move so. */
function statusAction(
  from: (s: number) => boolean,
  to: (t: TaskDoc, userId: number) => number,
): (ctx: CallContext) => MethodOutput {
  return (ctx) => {
    const { portal, params, userId } = ctx;
    const task = loadTask(portal, readTaskId(params));
    if (!task || !from(task.STATUS)) throw taskError.notAllowed(false);
    setStatus(task, to(task, userId), userId, portal.now());
    touch(ctx, task);
    portal.store.put(TASK_KIND, task);
    return taskAnswer(portal, task);
  };
}

const isOpen = (s: number): boolean => s === TASK_STATUS.pending || s === TASK_STATUS.inProgress;

export const taskModule: MethodModule = {
  methods: scoped('task', {
    'tasks.task.add': (ctx) => {
      const { portal, params } = ctx;
      const fields = readFields(params);
      // id 0 until the store assigns the real one (insert overwrites it).
      const task: TaskDoc = { id: 0, ...newTask(ctx) };
      applyFields(ctx, task, fields, true);
      return taskAnswer(portal, portal.store.insert(TASK_KIND, task));
    },
    'tasks.task.get': ({ portal, params }) => {
      const sel = readSelect(param(params, 'select'));
      const task = loadTask(portal, readTaskId(params));
      // A missing or inaccessible task is not an error: `"result": []` with 200 (tasks-task-get.md).
      if (!task) return ok([]);
      return taskAnswer(portal, task, sel);
    },
    'tasks.task.list': ({ portal, params, start }) => {
      const sel = readSelect(param(params, 'select'));
      const where = taskWhere(portal, objectParam(params, 'filter'));
      const order = taskOrder(objectParam(params, 'order'));
      const out = listPage<TaskDoc>(portal.store, TASK_KIND, start, { where, order }, (rows) =>
        rows.map((t) => (sel ? renderSelected(portal, t, sel) : renderListDefault(portal, t))),
      );
      return { ...out, result: { tasks: out.result } };
    },
    'tasks.task.update': (ctx) => {
      const { portal, params } = ctx;
      const id = readTaskId(params);
      const fields = readFields(params);
      const task = loadTask(portal, id);
      if (!task) throw taskError.notAllowed(true);
      applyFields(ctx, task, fields, false);
      touch(ctx, task);
      portal.store.put(TASK_KIND, task);
      return taskAnswer(portal, task);
    },
    // With "accept work" on, a task completed by someone other than its creator waits for control (status 4).
    'tasks.task.complete': statusAction(
      (s) => isOpen(s) || s === TASK_STATUS.deferred,
      (t, userId) =>
        t.TASK_CONTROL === 'Y' && userId !== t.CREATED_BY
          ? TASK_STATUS.awaitingControl
          : TASK_STATUS.completed,
    ),
    'tasks.task.start': statusAction(
      (s) => s === TASK_STATUS.pending,
      () => TASK_STATUS.inProgress,
    ),
    'tasks.task.pause': statusAction(
      (s) => s === TASK_STATUS.inProgress,
      () => TASK_STATUS.pending,
    ),
    'tasks.task.defer': statusAction(isOpen, () => TASK_STATUS.deferred),
    'tasks.task.renew': statusAction(
      (s) => s === TASK_STATUS.completed || s === TASK_STATUS.deferred || s === TASK_STATUS.awaitingControl,
      () => TASK_STATUS.pending,
    ),
    'tasks.task.delete': ({ portal, params }) => {
      const id = readTaskId(params);
      if (id === undefined || !portal.store.delete(TASK_KIND, id)) throw taskError.noDeleteAccess();
      return ok({ task: true });
    },
    'tasks.task.getFields': () => ok({ fields: FIELD_INFO }),
    'tasks.task.fields': () => ok({ fields: FIELD_INFO }),
  }),
};
