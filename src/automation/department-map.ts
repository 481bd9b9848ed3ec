/**
 * A mapping "department -> employee" applied to a user: process 6 of the case study «Назначение
 * агентов» (the agent depends on the department of the deal's responsible;
 * reference/bitrix24-automation-and-domain.md §6: user.get UF_DEPARTMENT -> mapping).
 *
 * Departments are named by their names (stable across portals, unlike ids). The user's own
 * departments are looked at first, then each one's parents: a mapping for «Отдел продаж» covers the
 * managers of its sub-departments. Worked example: «Отдел продаж» > «Менеджеры», mapping
 * { 'Отдел продаж': 12 }, a manager in «Менеджеры» -> 12.
 */
import type { OrgChart, OrgDepartment } from './org-chart.js';

export function userByDepartment(
  org: OrgChart,
  userId: number,
  byDepartment: Record<string, number>,
): number | undefined {
  const user = org.users.get(userId);
  if (!user) return undefined;
  let level = user.departments
    .map((id) => org.departments.get(id))
    .filter((d): d is OrgDepartment => d !== undefined);
  const visited = new Set<number>();
  while (level.length > 0) {
    for (const dep of level) {
      const mapped = byDepartment[dep.name];
      if (mapped !== undefined) return mapped;
      visited.add(dep.id);
    }
    level = level
      .map((d) => (d.parent === null ? undefined : org.departments.get(d.parent)))
      .filter((d): d is OrgDepartment => d !== undefined && !visited.has(d.id));
  }
  return undefined;
}
