/**
 * Who inherits the records of a dismissed (inactive) or deleted employee. With the default policy
 * it is the head of their department; when that head is the employee or is inactive too, the head of
 * the parent department, and so on up (the way the «Уведомить руководство» robot resolves a head,
 * reference/bitrix24-automation-and-domain.md §1.2). Then the configured fallback user.
 */
import type { RepairPolicy } from './repair-section.js';
import type { DepartmentInfo, UserInfo } from './portal-view.js';

export interface OrgChart {
  users: ReadonlyMap<number, UserInfo>;
  departments: ReadonlyMap<number, DepartmentInfo>;
}

export function isActiveUser(org: OrgChart, id: number): boolean {
  return org.users.get(id)?.active === true;
}

/** The fallback user of the policy as an active user's ID (an e-mail is looked up). */
export function fallbackUserId(policy: RepairPolicy, org: OrgChart): number | undefined {
  const wanted = policy.fallbackUser;
  if (wanted === undefined) return undefined;
  for (const user of org.users.values()) {
    const match =
      typeof wanted === 'number' ? user.id === wanted : user.email.toLowerCase() === wanted.toLowerCase();
    if (match) return user.active ? user.id : undefined;
  }
  return undefined;
}

export function findHeir(userId: number, org: OrgChart, policy: RepairPolicy): number | undefined {
  if (policy.inheritor === 'department-head') {
    for (const start of org.users.get(userId)?.departments ?? []) {
      const seen = new Set<number>();
      let dept = org.departments.get(start);
      while (dept && !seen.has(dept.id)) {
        seen.add(dept.id);
        const head = dept.headId;
        if (head !== null && head !== userId && isActiveUser(org, head)) return head;
        dept = dept.parentId === null ? undefined : org.departments.get(dept.parentId);
      }
    }
  }
  return fallbackUserId(policy, org);
}

export function userName(org: OrgChart, id: number): string {
  const user = org.users.get(id);
  return user ? user.name || user.email || `#${id}` : `#${id}`;
}
