/**
 * The laboratory's rule (case study, BP «propagate responsible»): a contact or company belongs to the
 * manager of its open deals. A client whose responsible differs gets calls and mail from the wrong
 * person. When all its open deals have one responsible, repair sets it on the client; when they have
 * several, a person decides. A deal's dismissed responsible counts as their heir (the same run's
 * inactive-responsible repair hands the deal over), so a rerun finds nothing left.
 */
import type { Finding } from './finding.js';
import { findHeir, isActiveUser, userName } from './find-heir.js';
import { crmRef, kindName } from './links.js';
import type { CrmRecord, PortalView, Rows } from './portal-view.js';
import { COMPANY, CONTACT, isOpen } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

export async function checkResponsibleMismatch(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  // client key (`3:12`, `4:7`) -> responsibles of its open deals (after inheritance)
  const owners = new Map<string, Set<number>>();
  const add = (key: string, userId: number): void => {
    let set = owners.get(key);
    if (!set) owners.set(key, (set = new Set()));
    set.add(userId);
  };
  for await (const deal of view.deals()) {
    if (!isOpen(view, deal)) continue;
    const owner = isActiveUser(view, deal.assignedById)
      ? deal.assignedById
      : findHeir(deal.assignedById, view, policy);
    if (owner === undefined) continue;
    for (const c of deal.contactIds ?? []) add(`${CONTACT}:${c}`, owner);
    if (deal.companyId) add(`${COMPANY}:${deal.companyId}`, owner);
  }
  const out: Finding[] = [];
  const clients = async (rows: Rows<CrmRecord>): Promise<void> => {
    for await (const client of rows) {
      const set = owners.get(`${client.entityTypeId}:${client.id}`);
      if (!set || set.has(client.assignedById)) continue;
      // A dismissed client responsible is the inactive-responsible check's finding; this one says who should own it.
      const kind = kindName(client.entityTypeId);
      const names = [...set].map((id) => `${userName(view, id)} (#${id})`).join(', ');
      const base = {
        check: 'responsible-mismatch' as const,
        summary: `The ${kind} «${client.title}» is assigned to ${userName(view, client.assignedById)} (#${client.assignedById}), its open deals to ${names}`,
        why: 'The laboratory keeps a client with the manager of its deals; otherwise the client hears from two people and the manager does not see the client in their lists.',
        entities: [crmRef(view.portal, client)],
      };
      if (set.size > 1) {
        out.push({
          ...base,
          fixable: 'person',
          hint: 'Its open deals have different responsibles: choose one and set it on the client.',
        });
        continue;
      }
      const [owner] = [...set] as [number];
      out.push({
        ...base,
        fixable: 'repair',
        hint: `Set the responsible to ${userName(view, owner)} (#${owner}).`,
        fixes: [
          {
            kind: 'set-fields',
            target: { type: 'crm', entityTypeId: client.entityTypeId, id: client.id },
            fields: { assignedById: owner },
          },
        ],
      });
    }
  };
  await clients(view.contacts());
  await clients(view.companies());
  return out;
}
