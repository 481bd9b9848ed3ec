/**
 * Reads the company structure for head resolution: every user with their departments (user.get,
 * UF_DEPARTMENT as ints) and every department with its head and parent (department.get: ID, PARENT,
 * UF_HEAD as strings; UF_HEAD absent when the post is empty). reference/bitrix24-rest.md §6.1-6.2.
 */
import type { B24Client } from '../rest/client.js';
import type { OrgChart, OrgDepartment, OrgUser } from './org-chart.js';
import { orgChart } from './org-chart.js';

interface UserRow {
  ID: string | number;
  NAME?: string;
  LAST_NAME?: string;
  ACTIVE?: boolean | string;
  UF_DEPARTMENT?: (number | string)[] | number | string | false | null;
}

interface DepartmentRow {
  ID: string | number;
  NAME?: string;
  PARENT?: string | number | null;
  UF_HEAD?: string | number | null;
}

const idOrNull = (v: unknown): number | null => {
  const n = Number(v);
  return v !== null && v !== undefined && v !== '' && Number.isInteger(n) && n > 0 ? n : null;
};

export async function readOrgChart(client: B24Client): Promise<OrgChart> {
  const users: OrgUser[] = [];
  // Inactive users too: a fired head must be recognised as such and skipped, not taken for unknown.
  for await (const u of client.list<UserRow>('user.get', { FILTER: {} })) {
    const deps = Array.isArray(u.UF_DEPARTMENT) ? u.UF_DEPARTMENT : u.UF_DEPARTMENT ? [u.UF_DEPARTMENT] : [];
    users.push({
      id: Number(u.ID),
      name: [u.NAME, u.LAST_NAME].filter(Boolean).join(' ') || `#${u.ID}`,
      active: u.ACTIVE !== false && u.ACTIVE !== 'N' && u.ACTIVE !== 'false',
      departments: deps.map(idOrNull).filter((d): d is number => d !== null),
    });
  }
  const departments: OrgDepartment[] = [];
  for await (const d of client.list<DepartmentRow>('department.get', {})) {
    departments.push({
      id: Number(d.ID),
      name: d.NAME ?? '',
      parent: idOrNull(d.PARENT),
      head: idOrNull(d.UF_HEAD),
    });
  }
  return orgChart(users, departments);
}
