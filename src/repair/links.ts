/**
 * Links to a record's page on the portal, as the Bitrix24 interface builds them (a deal card is
 * /crm/deal/details/<id>/, a smart-process item /crm/type/<entityTypeId>/details/<id>/, a task
 * /company/personal/user/<user>/tasks/task/view/<id>/).
 */
import type { EntityRef } from './finding.js';
import type { CrmRecord } from './portal-view.js';
import { COMPANY, CONTACT, DEAL } from './portal-view.js';

const base = (portal: string): string => portal.replace(/\/+$/, '');

export function crmLink(portal: string, entityTypeId: number, id: number): string {
  const path =
    entityTypeId === DEAL
      ? `crm/deal/details/${id}/`
      : entityTypeId === CONTACT
        ? `crm/contact/details/${id}/`
        : entityTypeId === COMPANY
          ? `crm/company/details/${id}/`
          : `crm/type/${entityTypeId}/details/${id}/`;
  return `${base(portal)}/${path}`;
}

export function crmType(entityTypeId: number): EntityRef['type'] {
  return entityTypeId === DEAL
    ? 'deal'
    : entityTypeId === CONTACT
      ? 'contact'
      : entityTypeId === COMPANY
        ? 'company'
        : 'item';
}

export function crmRef(portal: string, record: Pick<CrmRecord, 'entityTypeId' | 'id' | 'title'>): EntityRef {
  return {
    type: crmType(record.entityTypeId),
    id: record.id,
    entityTypeId: record.entityTypeId,
    title: record.title,
    link: crmLink(portal, record.entityTypeId, record.id),
  };
}

export function taskRef(
  portal: string,
  task: { id: number; title: string; responsibleId: number },
): EntityRef {
  return {
    type: 'task',
    id: task.id,
    title: task.title,
    link: `${base(portal)}/company/personal/user/${task.responsibleId}/tasks/task/view/${task.id}/`,
  };
}

export function userRef(portal: string, id: number, name: string): EntityRef {
  return { type: 'user', id, title: name, link: `${base(portal)}/company/personal/user/${id}/` };
}

/** «Сделка» for a person reading a finding. */
export function kindName(entityTypeId: number, labTitle = 'smart-process item'): string {
  return entityTypeId === DEAL
    ? 'deal'
    : entityTypeId === CONTACT
      ? 'contact'
      : entityTypeId === COMPANY
        ? 'company'
        : labTitle;
}

/** `1 deal`, `2 deals`, `9 companies`, `3 Лаборатория items` (a smart process is named by its title). */
export function countOf(n: number, kind: string): string {
  const known: Record<string, string> = {
    deal: 'deals',
    contact: 'contacts',
    company: 'companies',
    task: 'tasks',
  };
  const plural = known[kind];
  if (plural !== undefined) return `${n} ${n === 1 ? kind : plural}`;
  return `${n} ${kind} item${n === 1 ? '' : 's'}`;
}
