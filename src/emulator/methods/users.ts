import type { MethodModule, Portal } from '../portal.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { errors } from '../protocol/rest-error.js';
import type { Doc } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';

/** A user as stored (UPPER_CASE keys, typed values; the user.* methods print the Bitrix24 mix). */
export interface UserDoc extends Doc {
  ACTIVE: boolean;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  XML_ID: string;
  PERSONAL_GENDER: string;
  PERSONAL_PHONE: string;
  PERSONAL_MOBILE: string;
  WORK_PHONE: string;
  WORK_POSITION: string;
  UF_DEPARTMENT: number[];
  USER_TYPE: 'employee' | 'extranet';
  DATE_REGISTER: number;
  LAST_LOGIN: number | null;
}

const TEXT_FIELDS = [
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'EMAIL',
  'XML_ID',
  'PERSONAL_GENDER',
  'PERSONAL_PHONE',
  'PERSONAL_MOBILE',
  'WORK_PHONE',
  'WORK_POSITION',
] as const;

/** user.get prints ID as a string, ACTIVE as a JSON boolean, UF_DEPARTMENT as ints (§6.2). */
export function renderUser(portal: Portal, u: UserDoc): Record<string, unknown> {
  return {
    ID: String(u.id),
    XML_ID: u.XML_ID,
    ACTIVE: u.ACTIVE,
    NAME: u.NAME,
    LAST_NAME: u.LAST_NAME,
    SECOND_NAME: u.SECOND_NAME,
    EMAIL: u.EMAIL,
    LAST_LOGIN: u.LAST_LOGIN === null ? '' : portal.iso(u.LAST_LOGIN),
    DATE_REGISTER: portal.iso(u.DATE_REGISTER),
    IS_ONLINE: 'N',
    PERSONAL_GENDER: u.PERSONAL_GENDER,
    PERSONAL_PHONE: u.PERSONAL_PHONE,
    PERSONAL_MOBILE: u.PERSONAL_MOBILE,
    WORK_PHONE: u.WORK_PHONE,
    WORK_POSITION: u.WORK_POSITION,
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: u.UF_DEPARTMENT,
    USER_TYPE: u.USER_TYPE,
  };
}

const resolve =
  (portal: Portal): FieldResolver =>
  (name) => {
    const key = name.toUpperCase();
    if (key === 'ID') return { field: 'id', kind: 'number' };
    if (key === 'ACTIVE') return { field: 'ACTIVE', kind: 'number', toStored: (v) => (flag(v) ? 1 : 0) };
    if (key === 'UF_DEPARTMENT') return { field: 'UF_DEPARTMENT', kind: 'number', multiple: true };
    if (key === 'USER_TYPE') return { field: 'USER_TYPE', kind: 'text' };
    if (key === 'DATE_REGISTER' || key === 'LAST_LOGIN') {
      return {
        field: key,
        kind: 'number',
        toStored: (v) => parseDateInput(v, portal.settings.timezoneOffsetMinutes) ?? null,
      };
    }
    if (key === 'NAME_SEARCH') return { field: 'LAST_NAME', kind: 'text' } satisfies FieldRef;
    if ((TEXT_FIELDS as readonly string[]).includes(key)) return { field: key, kind: 'text' };
    return undefined;
  };

function departmentsOf(portal: Portal, value: unknown): number[] {
  const ids = listParam(value).map(idParam);
  for (const id of ids) {
    if (id === undefined || !portal.store.get('department', id)) {
      throw errors.core('The department given in UF_DEPARTMENT does not exist');
    }
  }
  return ids as number[];
}

function applyFields(portal: Portal, user: Omit<UserDoc, 'id'>, fields: Record<string, unknown>): void {
  for (const key of TEXT_FIELDS) {
    const value = param(fields, key);
    if (value !== undefined) user[key] = str(value).trim();
  }
  const active = flag(param(fields, 'ACTIVE'));
  if (active !== undefined) user.ACTIVE = active;
  const deps = param(fields, 'UF_DEPARTMENT');
  if (deps !== undefined) user.UF_DEPARTMENT = departmentsOf(portal, deps);
}

function emailTaken(portal: Portal, email: string, except?: number): boolean {
  return portal.store
    .query<UserDoc>('user', { where: [{ field: 'EMAIL', op: 'like', value: email, kind: 'text' }] })
    .some((u) => u.EMAIL.toLowerCase() === email.toLowerCase() && u.id !== except);
}

export const userModule: MethodModule = {
  seed: (portal) => {
    portal.store.insert<Omit<UserDoc, 'id'>>(
      'user',
      {
        ACTIVE: true,
        NAME: 'Администратор',
        LAST_NAME: 'Портала',
        SECOND_NAME: '',
        EMAIL: 'admin@b24lab.local',
        XML_ID: '',
        PERSONAL_GENDER: '',
        PERSONAL_PHONE: '',
        PERSONAL_MOBILE: '',
        WORK_PHONE: '',
        WORK_POSITION: 'Администратор портала',
        UF_DEPARTMENT: [1],
        USER_TYPE: 'employee',
        DATE_REGISTER: portal.now(),
        LAST_LOGIN: null,
      },
      portal.settings.user,
    );
  },
  methods: scoped('user', {
    'user.fields': () =>
      ok({
        ID: 'ID',
        XML_ID: 'XML_ID',
        ACTIVE: 'Active',
        NAME: 'First name',
        LAST_NAME: 'Last name',
        SECOND_NAME: 'Second name',
        EMAIL: 'E-mail',
        PERSONAL_GENDER: 'Gender',
        PERSONAL_PHONE: 'Phone',
        PERSONAL_MOBILE: 'Mobile',
        WORK_PHONE: 'Work phone',
        WORK_POSITION: 'Position',
        UF_DEPARTMENT: 'Departments',
        USER_TYPE: 'User type',
      }),
    'user.current': ({ portal, userId }) => {
      const user = portal.store.get<UserDoc>('user', userId);
      if (!user) throw errors.noAuth();
      return ok(renderUser(portal, user));
    },
    'user.get': ({ portal, params, start }) => {
      // The filter is FILTER (any case) or the top-level keys themselves (§6.2).
      const known = new Set(['sort', 'order', 'filter', 'admin_mode', 'select', 'image_resize']);
      const filter = objectParam(params, 'FILTER', 'filter') ?? {};
      const topLevel = Object.fromEntries(
        Object.entries(params).filter(([k]) => !known.has(k.toLowerCase())),
      );
      const r = resolve(portal);
      const where = parseFilter({ ...topLevel, ...filter }, r, { unknown: 'ignore' });
      const sortName = str(param(params, 'sort'));
      const order = sortName ? parseOrder({ [sortName]: str(param(params, 'order')) || 'ASC' }, r) : [];
      return listPage<UserDoc>(portal.store, 'user', start, { where, order }, (rows) =>
        rows.map((u) => renderUser(portal, u)),
      );
    },
    'user.add': ({ portal, params }) => {
      const email = str(param(params, 'EMAIL')).trim();
      if (!email) throw errors.core('Email is required.<br>');
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw errors.core('Email address is invalid.<br>');
      if (emailTaken(portal, email)) throw errors.core(`User with e-mail ${email} already exists.<br>`);
      const extranet = flag(param(params, 'EXTRANET')) === true;
      const user: Omit<UserDoc, 'id'> = {
        ACTIVE: true,
        NAME: '',
        LAST_NAME: '',
        SECOND_NAME: '',
        EMAIL: email,
        XML_ID: '',
        PERSONAL_GENDER: '',
        PERSONAL_PHONE: '',
        PERSONAL_MOBILE: '',
        WORK_PHONE: '',
        WORK_POSITION: '',
        UF_DEPARTMENT: [],
        USER_TYPE: extranet ? 'extranet' : 'employee',
        DATE_REGISTER: portal.now(),
        LAST_LOGIN: null,
      };
      applyFields(portal, user, params);
      if (!extranet && user.UF_DEPARTMENT.length === 0)
        throw errors.core('UF_DEPARTMENT is required for an employee.<br>');
      return ok(portal.store.insert('user', user).id);
    },
    'user.update': ({ portal, params }) => {
      const id = idParam(param(params, 'ID'));
      const user = id ? portal.store.get<UserDoc>('user', id) : undefined;
      if (!user) throw errors.core('User not found.<br>');
      const email = param(params, 'EMAIL');
      if (email !== undefined && emailTaken(portal, str(email).trim(), user.id)) {
        throw errors.core(`User with e-mail ${str(email)} already exists.<br>`);
      }
      applyFields(portal, user, params);
      portal.store.put('user', user);
      return ok(true);
    },
  }),
};
