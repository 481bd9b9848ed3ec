/**
 * What `b24lab export <entity>` can export: each entity is one list method of list-table.ts, streamed
 * with the chained fast path. Names are plural nouns a person would type; `items` is the rows of one
 * smart process (or any CRM type) and needs its entityTypeId (`--type 1036`).
 */
import { UserError } from '../errors.js';

export interface ExportEntity {
  name: string;
  method: string;
  description: string;
  /** The parameter that carries --type, when the method needs an entity type. */
  typeParam?: string;
  /** The --type used when none is given. */
  defaultType?: number;
}

export const EXPORT_ENTITIES: ExportEntity[] = [
  { name: 'deals', method: 'crm.deal.list', description: 'CRM deals (legacy fields, UPPER_CASE)' },
  { name: 'contacts', method: 'crm.contact.list', description: 'CRM contacts' },
  { name: 'companies', method: 'crm.company.list', description: 'CRM companies' },
  { name: 'leads', method: 'crm.lead.list', description: 'CRM leads' },
  { name: 'activities', method: 'crm.activity.list', description: 'CRM activities' },
  {
    name: 'items',
    method: 'crm.item.list',
    description: 'items of a smart process or any CRM type (camelCase): --type <entityTypeId>',
    typeParam: 'entityTypeId',
  },
  {
    name: 'stagehistory',
    method: 'crm.stagehistory.list',
    description: 'stage changes of deals (or --type <entityTypeId>)',
    typeParam: 'entityTypeId',
    defaultType: 2,
  },
  { name: 'tasks', method: 'tasks.task.list', description: 'tasks (rows come back camelCase)' },
  { name: 'users', method: 'user.get', description: 'employees' },
  { name: 'departments', method: 'department.get', description: 'the company structure' },
];

export function findEntity(name: string): ExportEntity {
  const lower = name.trim().toLowerCase();
  const entity = EXPORT_ENTITIES.find((e) => e.name === lower || e.method === lower);
  if (!entity) {
    throw new UserError(
      `Cannot export "${name}".`,
      `Entities: ${EXPORT_ENTITIES.map((e) => e.name).join(', ')}.`,
    );
  }
  return entity;
}

/** The list parameters of an export request: the entity type, select and filter. */
export function exportParams(
  entity: ExportEntity,
  request: { type?: number; select?: string[]; filter?: Record<string, unknown> },
  filterParam: string,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (entity.typeParam) {
    const type = request.type ?? entity.defaultType;
    if (type === undefined) {
      throw new UserError(
        `Exporting ${entity.name} needs the entity type.`,
        'Pass --type <entityTypeId>, e.g. --type 1036 for a smart process (crm.type.list shows them).',
      );
    }
    params[entity.typeParam] = type;
  }
  if (request.select && request.select.length > 0) params.select = request.select;
  const filter = request.filter ?? {};
  if (Object.keys(filter).length > 0) {
    // department.get takes its filters as top-level keys (no filter parameter).
    if (filterParam) params[filterParam] = filter;
    else Object.assign(params, filter);
  }
  return params;
}
