/**
 * Records whose responsible is dismissed (inactive) or no longer a user at all: open deals and
 * laboratory items, contacts, companies, open tasks. Robots and head notifications resolve to nobody
 * and the work is invisible to any manager. Repair hands them to the heir (find-heir.ts); one finding
 * per former employee and kind of record.
 */
import type { EntityRef, Finding, FixAction } from './finding.js';
import { fallbackUserId, findHeir, isActiveUser, userName, type OrgChart } from './find-heir.js';
import { countOf, crmRef, kindName, taskRef } from './links.js';
import type { CrmRecord, PortalView, Rows } from './portal-view.js';
import { isOpen, keepCategory } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

interface Group {
  userId: number;
  kind: string;
  entities: EntityRef[];
  fixes: FixAction[];
}

function describe(org: OrgChart, userId: number): string {
  if (userId === 0) return 'nobody';
  const user = org.users.get(userId);
  return user
    ? `${userName(org, userId)} (#${userId}), who is dismissed`
    : `user #${userId}, who no longer exists`;
}

export async function checkInactiveResponsible(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  const groups = new Map<string, Group>();
  const group = (userId: number, kind: string): Group => {
    const key = `${userId}:${kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { userId, kind, entities: [], fixes: [] }));
    return g;
  };
  const heirs = new Map<number, number | undefined>();
  const heirOf = (userId: number): number | undefined => {
    if (!heirs.has(userId))
      heirs.set(userId, userId === 0 ? fallbackUserId(policy, view) : findHeir(userId, view, policy));
    return heirs.get(userId);
  };

  const records = async (rows: Rows<CrmRecord>, openOnly: boolean): Promise<void> => {
    for await (const r of rows) {
      if (isActiveUser(view, r.assignedById)) continue;
      if (openOnly && !isOpen(view, r)) continue;
      const g = group(r.assignedById, kindName(r.entityTypeId, view.lab?.title));
      g.entities.push(crmRef(view.portal, r));
      const heir = heirOf(r.assignedById);
      if (heir !== undefined)
        g.fixes.push({
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: r.entityTypeId, id: r.id },
          fields: { ...keepCategory(r), assignedById: heir },
        });
    }
  };
  await records(view.deals(), true);
  await records(view.contacts(), false);
  await records(view.companies(), false);
  if (view.lab) await records(view.labItems(), true);
  for await (const t of view.openTasks()) {
    if (isActiveUser(view, t.responsibleId)) continue;
    const g = group(t.responsibleId, 'task');
    g.entities.push(taskRef(view.portal, t));
    const heir = heirOf(t.responsibleId);
    if (heir !== undefined)
      g.fixes.push({
        kind: 'set-fields',
        target: { type: 'task', id: t.id },
        fields: { RESPONSIBLE_ID: heir },
      });
  }

  return [...groups.values()].map((g): Finding => {
    const heir = heirOf(g.userId);
    const n = g.entities.length;
    const base = {
      check: 'inactive-responsible' as const,
      summary: `${countOf(n, g.kind)} ${n === 1 ? 'is' : 'are'} assigned to ${describe(view, g.userId)}`,
      why: 'Nobody works on them: robots and head notifications resolve to nobody, and no manager sees them in their lists.',
      entities: g.entities,
    };
    if (heir === undefined)
      return {
        ...base,
        fixable: 'person',
        hint: 'No active head was found up the department tree: set repair.fallbackUser in the config, or reassign them by hand.',
      };
    return {
      ...base,
      fixable: 'repair',
      hint: `Reassign to ${userName(view, heir)} (#${heir}).`,
      fixes: g.fixes,
    };
  });
}
