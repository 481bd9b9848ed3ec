import type { MethodModule, Portal } from '../portal.js';
import type { FieldResolver } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { errors } from '../protocol/rest-error.js';
import type { Cond, Doc, Sort } from '../store/store.js';
import { scoped, ok } from './registry.js';
import { idParam, param, str } from './params.js';

/** A department as stored; `department.*` prints ID/PARENT/UF_HEAD as strings and SORT as a number. */
export interface DepartmentDoc extends Doc {
  NAME: string;
  SORT: number;
  PARENT: number | null;
  UF_HEAD: number | null;
}

export const ROOT_DEPARTMENT_NAME = 'Компания';

export function renderDepartment(d: DepartmentDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: String(d.id), NAME: d.NAME, SORT: d.SORT };
  if (d.PARENT !== null) out.PARENT = String(d.PARENT);
  if (d.UF_HEAD !== null) out.UF_HEAD = String(d.UF_HEAD);
  return out;
}

const resolve: FieldResolver = (name) => {
  switch (name.toUpperCase()) {
    case 'ID':
      return { field: 'id', kind: 'number' };
    case 'NAME':
      return { field: 'NAME', kind: 'text' };
    case 'SORT':
      return { field: 'SORT', kind: 'number' };
    case 'PARENT':
      return { field: 'PARENT', kind: 'number' };
    case 'UF_HEAD':
      return { field: 'UF_HEAD', kind: 'number' };
    default:
      return undefined;
  }
};

function notFound(): never {
  throw errors.core('Department not found');
}

function checkParent(portal: Portal, parent: unknown, self?: number): number {
  const id = idParam(parent);
  if (id === undefined || !portal.store.get('department', id)) {
    throw errors.core('There can only be one top-level department in the company structure');
  }
  // A department may not become its own ancestor.
  for (let cur: number | null = id; cur !== null && self !== undefined;) {
    if (cur === self) throw errors.core('A department cannot be moved under itself');
    cur = portal.store.get<DepartmentDoc>('department', cur)?.PARENT ?? null;
  }
  return id;
}

function checkHead(portal: Portal, head: unknown): number | null {
  if (head === undefined || head === null || head === '' || head === '0' || head === 0) return null;
  const id = idParam(head);
  if (id === undefined || !portal.store.get('user', id))
    throw errors.core('The head of the department is not a user of the portal');
  return id;
}

export const departmentModule: MethodModule = {
  seed: (portal) => {
    portal.store.insert<Omit<DepartmentDoc, 'id'>>(
      'department',
      { NAME: ROOT_DEPARTMENT_NAME, SORT: 500, PARENT: null, UF_HEAD: 1 },
      1,
    );
  },
  methods: scoped('department', {
    'department.fields': () =>
      ok({
        ID: 'ID',
        NAME: 'Department Name',
        SORT: 'Sort Order',
        PARENT: 'Parent Department',
        UF_HEAD: 'Manager',
      }),
    'department.get': ({ portal, params, start }) => {
      // Filters are top-level keys here (`ID`, `NAME`, `PARENT`, `UF_HEAD`), with `sort` + `order`.
      const where: Cond[] = [];
      for (const [key, value] of Object.entries(params)) {
        // PHP keys are case-sensitive: lowercase `sort`/`order` choose the sort, uppercase `SORT` filters.
        if (key === 'sort' || key === 'order') continue;
        const ref = resolve(key);
        if (!ref || value === undefined) continue;
        if (Array.isArray(value)) where.push({ field: ref.field, kind: ref.kind, op: 'in', value });
        else where.push({ field: ref.field, kind: ref.kind, op: '=', value });
      }
      const sortField = resolve(str(param(params, 'sort')) || 'ID') ?? {
        field: 'id',
        kind: 'number' as const,
      };
      const order: Sort[] = [
        {
          field: sortField.field,
          kind: sortField.kind,
          dir: str(param(params, 'order')).toUpperCase() === 'DESC' ? 'DESC' : 'ASC',
        },
      ];
      return listPage<DepartmentDoc>(portal.store, 'department', start, { where, order }, (rows) =>
        rows.map(renderDepartment),
      );
    },
    'department.add': ({ portal, params }) => {
      const name = str(param(params, 'NAME')).trim();
      if (!name) throw errors.core('Department name not provided.<br>');
      const parent = checkParent(portal, param(params, 'PARENT'));
      const head = checkHead(portal, param(params, 'UF_HEAD'));
      const sort = Number(param(params, 'SORT') ?? 500);
      const doc = portal.store.insert('department', {
        NAME: name,
        SORT: Number.isFinite(sort) ? sort : 500,
        PARENT: parent,
        UF_HEAD: head,
      });
      return ok(doc.id);
    },
    'department.update': ({ portal, params }) => {
      const id = idParam(param(params, 'ID'));
      const doc = id ? portal.store.get<DepartmentDoc>('department', id) : undefined;
      if (!doc) notFound();
      const name = param(params, 'NAME');
      if (name !== undefined) {
        if (!str(name).trim()) throw errors.core('Department name not provided.<br>');
        doc.NAME = str(name).trim();
      }
      const sort = param(params, 'SORT');
      if (sort !== undefined && Number.isFinite(Number(sort))) doc.SORT = Number(sort);
      const parent = param(params, 'PARENT');
      if (parent !== undefined && doc.PARENT !== null) doc.PARENT = checkParent(portal, parent, doc.id);
      const head = param(params, 'UF_HEAD');
      if (head !== undefined) doc.UF_HEAD = checkHead(portal, head);
      portal.store.put('department', doc);
      return ok(true);
    },
    'department.delete': ({ portal, params }) => {
      const id = idParam(param(params, 'ID'));
      const doc = id ? portal.store.get<DepartmentDoc>('department', id) : undefined;
      if (!doc) notFound();
      if (doc.PARENT === null) throw errors.core('The top-level department cannot be deleted');
      const children = portal.store.count('department', [
        { field: 'PARENT', op: '=', value: doc.id, kind: 'number' },
      ]);
      if (children > 0) throw errors.core('The department has sub-departments and cannot be deleted');
      portal.store.delete('department', doc.id);
      return ok(true);
    },
  }),
};
