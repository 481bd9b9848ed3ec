/**
 * The company structure as the rules need it: who is in which department, who heads each one
 * (user.get UF_DEPARTMENT, department.get UF_HEAD/PARENT; reference/bitrix24-rest.md §6.1-6.2).
 */

export interface OrgUser {
  id: number;
  name: string;
  active: boolean;
  departments: number[];
}

export interface OrgDepartment {
  id: number;
  name: string;
  parent: number | null;
  head: number | null;
}

export interface OrgChart {
  users: ReadonlyMap<number, OrgUser>;
  departments: ReadonlyMap<number, OrgDepartment>;
}

export function orgChart(users: OrgUser[], departments: OrgDepartment[]): OrgChart {
  return {
    users: new Map(users.map((u) => [u.id, u])),
    departments: new Map(departments.map((d) => [d.id, d])),
  };
}

/**
 * The heads above a user, as Bitrix24's «Уведомить руководство» (CrmControlNotifyActivity) finds them:
 * the head of each of the user's departments; when that post is empty, held by the user himself, or
 * by someone no longer active, one level up, and so on to the root. `levels` > 1 keeps climbing to
 * collect the heads above the first one as well. (The robot also skips heads who are absent; REST
 * has no absence calendar to ask, so an inactive user is the only absence known here.)
 *
 * Worked example: departments 1 «Компания» (head 1) > 5 «Продажи» (head 7); user 7 in 5 ->
 * headsOf(7) = [1] (he heads his own department); user 9 in 5 -> [7]; headsOf(9, 2) = [7, 1].
 */
export function headsOf(org: OrgChart, userId: number, levels = 1): number[] {
  const user = org.users.get(userId);
  if (!user) return [];
  const found: number[] = [];
  for (const start of user.departments) {
    const chain: number[] = [];
    const visited = new Set<number>();
    let dep = org.departments.get(start);
    while (dep && chain.length < levels && !visited.has(dep.id)) {
      visited.add(dep.id);
      const head = dep.head;
      // The same person heading the next level up too is not a second level: climb past him.
      if (
        head !== null &&
        head !== userId &&
        org.users.get(head)?.active !== false &&
        !chain.includes(head)
      ) {
        chain.push(head);
      }
      dep = dep.parent === null ? undefined : org.departments.get(dep.parent);
    }
    for (const head of chain) if (!found.includes(head)) found.push(head);
  }
  return found;
}

export function userName(org: OrgChart, userId: number): string {
  return org.users.get(userId)?.name ?? `#${userId}`;
}

/**
 * The head of a department named in a rule (`head_of:Лаборатория`): its head, or, when that post is
 * empty or held by someone no longer active, the head of the department above (as headsOf climbs).
 * Names compare trimmed and case-insensitively; when two departments share a name, the lower id wins.
 * Worked example: «Лаборатория» (head 4) > «ГТИ» (no head) -> headOfDepartment('ГТИ') = 4.
 */
export function headOfDepartment(org: OrgChart, name: string): number | undefined {
  const wanted = name.trim().toLowerCase();
  const matches = [...org.departments.values()]
    .filter((d) => d.name.trim().toLowerCase() === wanted)
    .sort((a, b) => a.id - b.id);
  let dep = matches[0];
  const visited = new Set<number>();
  while (dep && !visited.has(dep.id)) {
    visited.add(dep.id);
    if (dep.head !== null && org.users.get(dep.head)?.active !== false) return dep.head;
    dep = dep.parent === null ? undefined : org.departments.get(dep.parent);
  }
  return undefined;
}
