import { randomInt } from 'node:crypto';
import type { MethodModule, Portal } from '../portal.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError } from '../protocol/rest-error.js';
import type { Doc } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import type { CallContext, MethodHandler } from './registry.js';
import { ok } from './registry.js';
import { idParam, listParam, objectParam, param, str } from './params.js';

/**
 * `bizproc.workflow.instances` (scope `bizproc`; api-reference/bizproc/bizproc-workflow-instances.md).
 * The local portal runs no business processes, so the list is empty unless a test plants instances
 * with the emulator-only `b24lab.bizproc.instances.add` (e.g. a stuck one: OWNED_UNTIL long past, for
 * `doctor`).
 */
export const WORKFLOW_INSTANCE_KIND = 'bizproc_instance';

export interface WorkflowInstanceDoc extends Doc {
  /** The workflow id as PHP `uniqid('', true)` prints it: `66e412fdc9bd44.36306599`. */
  WORKFLOW_ID: string;
  MODIFIED: number;
  /** Until when a worker holds the instance (ms), or null; stuck when 5+ minutes past (docs). */
  OWNED_UNTIL: number | null;
  MODULE_ID: string;
  ENTITY: string;
  DOCUMENT_ID: string;
  STARTED: number;
  STARTED_BY: number;
  TEMPLATE_ID: number;
}

const FIELDS = [
  'ID',
  'MODIFIED',
  'OWNED_UNTIL',
  'MODULE_ID',
  'ENTITY',
  'DOCUMENT_ID',
  'STARTED',
  'STARTED_BY',
  'TEMPLATE_ID',
] as const;
type Field = (typeof FIELDS)[number];
const DEFAULT_SELECT: Field[] = ['ID', 'MODIFIED', 'OWNED_UNTIL'];

function render(portal: Portal, w: WorkflowInstanceDoc, select: Field[]): Record<string, unknown> {
  const value: Record<Field, () => unknown> = {
    ID: () => w.WORKFLOW_ID,
    MODIFIED: () => portal.iso(w.MODIFIED),
    OWNED_UNTIL: () => (w.OWNED_UNTIL === null ? null : portal.iso(w.OWNED_UNTIL)),
    MODULE_ID: () => w.MODULE_ID,
    ENTITY: () => w.ENTITY,
    DOCUMENT_ID: () => w.DOCUMENT_ID,
    STARTED: () => portal.iso(w.STARTED),
    STARTED_BY: () => String(w.STARTED_BY),
    TEMPLATE_ID: () => String(w.TEMPLATE_ID),
  };
  return Object.fromEntries(select.map((f) => [f, value[f]()]));
}

const resolver =
  (portal: Portal): FieldResolver =>
  (name) => {
    const key = name.toUpperCase();
    const date = (field: string): FieldRef => ({
      field,
      kind: 'number',
      toStored: (v) => parseDateInput(v, portal.settings.timezoneOffsetMinutes) ?? null,
    });
    switch (key) {
      case 'ID':
        return { field: 'WORKFLOW_ID', kind: 'text' };
      case 'MODIFIED':
      case 'OWNED_UNTIL':
      case 'STARTED':
        return date(key);
      case 'MODULE_ID':
      case 'ENTITY':
      case 'DOCUMENT_ID':
        return { field: key, kind: 'text' };
      case 'STARTED_BY':
      case 'TEMPLATE_ID':
        return { field: key, kind: 'number' };
      default:
        return undefined;
    }
  };

/** Administrators only (403 ACCESS_DENIED "Access denied!", per the method's page). */
const instances: MethodHandler = ({ portal, params, start, userId }: CallContext) => {
  if (userId !== portal.settings.user) throw new RestError('ACCESS_DENIED', 'Access denied!', 403);
  const wanted = listParam(param(params, 'SELECT'))
    .map((s) => str(s).trim().toUpperCase())
    .filter((s): s is Field => (FIELDS as readonly string[]).includes(s));
  const select = wanted.length > 0 ? [...new Set(wanted)] : DEFAULT_SELECT;
  const resolve = resolver(portal);
  const where = parseFilter(objectParam(params, 'FILTER'), resolve, { unknown: 'ignore' });
  const orderParam = objectParam(params, 'ORDER') ?? { MODIFIED: 'desc' };
  const order = parseOrder(orderParam, resolve);
  return listPage<WorkflowInstanceDoc>(
    portal.store,
    WORKFLOW_INSTANCE_KIND,
    start,
    { where, order },
    (rows) => rows.map((w) => render(portal, w, select)),
  );
};

/** A PHP `uniqid('', true)`-shaped id from the portal clock: 13 hex digits of microseconds, a dot, 8 digits. */
function workflowId(portal: Portal): string {
  const micros = Math.floor(portal.now() * 1000)
    .toString(16)
    .padStart(13, '0');
  return `${micros}.${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/**
 * Emulator-only: plants a running workflow instance. Fields (all optional): ID, MODULE_ID (crm),
 * ENTITY (CCrmDocumentDeal), DOCUMENT_ID, TEMPLATE_ID, STARTED_BY (the caller), STARTED and MODIFIED
 * (now), OWNED_UNTIL (null). Dates take ISO 8601; answers the instance as bizproc.workflow.instances
 * prints it with every field.
 */
const plant: MethodHandler = ({ portal, params, userId }) => {
  const fields = objectParam(params, 'fields') ?? params;
  const get = (name: string): unknown => param(fields, name);
  const date = (name: string, fallback: number | null): number | null => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (raw === null || raw === '') return null;
    const ms = parseDateInput(raw, portal.settings.timezoneOffsetMinutes);
    if (ms === undefined)
      throw new RestError('ERROR_ARGUMENT', `${name} must be an ISO 8601 date and time`, 400, {
        argument: name,
      });
    return ms;
  };
  const now = portal.now();
  const doc: Omit<WorkflowInstanceDoc, 'id'> = {
    WORKFLOW_ID: str(get('ID')).trim() || workflowId(portal),
    MODIFIED: date('MODIFIED', now) ?? now,
    OWNED_UNTIL: date('OWNED_UNTIL', null),
    MODULE_ID: str(get('MODULE_ID')) || 'crm',
    ENTITY: str(get('ENTITY')) || 'CCrmDocumentDeal',
    DOCUMENT_ID: str(get('DOCUMENT_ID')),
    STARTED: date('STARTED', now) ?? now,
    STARTED_BY: idParam(get('STARTED_BY')) ?? (get('STARTED_BY') === undefined ? userId : 0),
    TEMPLATE_ID: idParam(get('TEMPLATE_ID')) ?? 0,
  };
  const saved = portal.store.insert(WORKFLOW_INSTANCE_KIND, doc);
  return ok(render(portal, saved, [...FIELDS]));
};

/**
 * `bizproc.workflow.terminate` (api-reference/bizproc/bizproc-workflow-terminate.md): administrators
 * only (403 ACCESS_DENIED), `ID` required (400 ERROR_WRONG_WORKFLOW_ID "Empty workflow instance ID"),
 * answers `true`. The instance leaves the running list (the portal keeps its data elsewhere; the
 * local portal keeps nothing). An unknown ID: the page lists no error, the portal refuses it with the
 * same code (local choice, so a repair on a vanished instance is reported, not silently "done").
 */
const terminate: MethodHandler = ({ portal, params, userId }: CallContext) => {
  if (userId !== portal.settings.user) throw new RestError('ACCESS_DENIED', 'Access denied!', 403);
  const id = str(param(params, 'ID')).trim();
  if (id === '') throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Empty workflow instance ID', 400);
  const found = portal.store.query<WorkflowInstanceDoc>(WORKFLOW_INSTANCE_KIND, {
    where: [{ field: 'WORKFLOW_ID', kind: 'text', op: '=', value: id }],
  });
  if (found.length === 0)
    throw new RestError('ERROR_WRONG_WORKFLOW_ID', `Workflow instance ${id} is not found`, 400);
  for (const w of found) portal.store.delete(WORKFLOW_INSTANCE_KIND, w.id);
  return ok(true);
};

export const bizprocModule: MethodModule = {
  methods: {
    'bizproc.workflow.instances': { scope: 'bizproc', handler: instances },
    // The older name, an alias with the same parameters and answer (bizproc-workflow-instances.md).
    'bizproc.workflow.instance.list': { scope: 'bizproc', handler: instances },
    'bizproc.workflow.terminate': { scope: 'bizproc', handler: terminate },
    'b24lab.bizproc.instances.add': { scope: 'b24lab', handler: plant },
  },
};
