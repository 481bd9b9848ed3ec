import type { MethodModule } from '../portal.js';
import { getType } from '../crm/directory.js';
import { ENTITY_TYPE, STAGE_HISTORY_KIND } from '../crm/model.js';
import type { StageHistoryRow } from '../crm/records.js';
import type { FieldRef } from '../protocol/filter.js';
import { parseFilter } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import { parseDateInput } from '../portal-clock.js';
import type { Sort } from '../store/store.js';
import { missingParam } from './crm-item.js';
import { scoped } from './registry.js';
import { idParam, listParam, param, str } from './params.js';

/**
 * `crm.stagehistory.list` (api-reference/crm/crm-stage-history-list.md): the stage moves the record
 * core writes (TYPE_ID 1 created, 2 to an in-progress stage, 3 to a final stage, 5 pipeline change).
 * Result `{items: [...]}` with ints for ids, ISO CREATED_TIME; filter/order fields are checked
 * (INVALID_ARG_VALUE) as the Engine controller does.
 */

type Row = StageHistoryRow & { id: number };

const FIELDS: Record<string, FieldRef & { get: (r: Row, iso: (ms: number) => string) => unknown }> = {
  ID: { field: 'id', kind: 'number', get: (r) => r.id },
  TYPE_ID: { field: 'typeId', kind: 'number', get: (r) => r.typeId },
  OWNER_ID: { field: 'ownerId', kind: 'number', get: (r) => r.ownerId },
  CREATED_TIME: { field: 'createdTime', kind: 'number', get: (r, iso) => iso(r.createdTime) },
  CATEGORY_ID: { field: 'categoryId', kind: 'number', get: (r) => r.categoryId },
  STAGE_SEMANTIC_ID: { field: 'stageSemanticId', kind: 'text', get: (r) => r.stageSemanticId },
  STAGE_ID: { field: 'stageId', kind: 'text', get: (r) => r.stageId },
};

/** Leads have their own names (STATUS_ID, STATUS_SEMANTIC_ID); the local portal keeps no leads. */
const LEAD_FIELDS = ['ID', 'TYPE_ID', 'OWNER_ID', 'CREATED_TIME', 'STATUS_SEMANTIC_ID', 'STATUS_ID'];

const NAMES: Record<number, string> = {
  3: 'CONTACT',
  4: 'COMPANY',
  5: 'INVOICE',
  7: 'QUOTE',
  31: 'SMART_INVOICE',
};

export const crmStageHistoryModule: MethodModule = {
  methods: scoped('crm', {
    'crm.stagehistory.list': ({ portal, params, start }) => {
      const raw = param(params, 'entityTypeId');
      if (raw === undefined || raw === null || raw === '') throw missingParam('entityTypeId');
      const entityTypeId = idParam(raw);
      const lead = entityTypeId === ENTITY_TYPE.lead;
      if (
        entityTypeId === undefined ||
        (!lead && entityTypeId !== ENTITY_TYPE.deal && !getType(portal, entityTypeId))
      ) {
        const name = (entityTypeId !== undefined && NAMES[entityTypeId]) || str(raw);
        throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${name} is not supported`, 400);
      }
      const known = lead ? LEAD_FIELDS : Object.keys(FIELDS);
      const offset = portal.settings.timezoneOffsetMinutes;
      const where = parseFilter(
        param(params, 'filter'),
        (name) => {
          const upper = name.toUpperCase();
          const ref = FIELDS[upper];
          if (!known.includes(upper)) return undefined;
          if (upper === 'CREATED_TIME')
            return { ...ref!, toStored: (v: unknown) => parseDateInput(v, offset) ?? null };
          return ref ?? { field: upper, kind: 'text' };
        },
        { unknown: 'error' },
      );
      const order: Sort[] = [];
      const orderRaw = param(params, 'order');
      if (orderRaw && typeof orderRaw === 'object') {
        for (const [name, dirRaw] of Object.entries(orderRaw as Record<string, unknown>)) {
          const ref = FIELDS[name.toUpperCase()];
          if (!ref || !known.includes(name.toUpperCase()))
            throw errors.invalidArgValue(`Invalid order: field '${name}' is not allowed in order`);
          const dir = str(dirRaw).toUpperCase();
          if (dir !== 'ASC' && dir !== 'DESC')
            throw errors.invalidArgValue(
              `Invalid order: allowed sort directions are ASC, DESC. But got '${str(dirRaw)}' for field '${name}'`,
            );
          order.push({ field: ref.field, kind: ref.kind, dir });
        }
      }
      if (lead) return { result: { items: [] }, total: 0 };
      const selected = listParam(param(params, 'select'))
        .map((s) => str(s).toUpperCase())
        .filter((s) => s in FIELDS);
      const columns = (selected.length > 0 && !selected.includes('*') ? selected : Object.keys(FIELDS)).map(
        (name) => [name, FIELDS[name]!.get] as const,
      );
      const iso = (ms: number): string => portal.iso(ms);
      return listPage<Row>(
        portal.store,
        STAGE_HISTORY_KIND,
        start,
        { where: [{ field: 'entityTypeId', op: '=', value: entityTypeId, kind: 'number' }, ...where], order },
        (rows) => ({
          items: rows.map((r) => Object.fromEntries(columns.map(([name, get]) => [name, get(r, iso)]))),
        }),
      );
    },
  }),
};
