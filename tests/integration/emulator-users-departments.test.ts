import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { buildPhpQuery } from '../../src/emulator/protocol/php-params.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let portal: LocalPortal;
let lab: number;
beforeAll(async () => {
  portal = await portalForTest();
  lab = await callOk(portal.webhookUrl, 'department.add', { NAME: 'Лаборатория', PARENT: 1, SORT: 300 });
  // 120 employees in the laboratory, added as three batches.
  for (let b = 0; b < 3; b++) {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      const n = b * 40 + i;
      cmd[`u${n}`] = `user.add?${buildPhpQuery({
        EMAIL: `lab${n}@lab.test`,
        NAME: `Лаборант ${n}`,
        LAST_NAME: n % 2 ? 'Иванов' : 'Петров',
        UF_DEPARTMENT: [lab],
        WORK_POSITION: 'Лаборант',
      })}`;
    }
    await callOk(portal.webhookUrl, 'batch', { cmd });
  }
});
afterAll(async () => {
  await portal.close();
});

describe('department.*', () => {
  it.each(['json', 'form'] as const)('%s: adds, updates, reads and deletes', async (encoding) => {
    const id = await callOk(portal.webhookUrl, 'department.add', { NAME: 'ГТИ', PARENT: lab }, encoding);
    expect(typeof id).toBe('number');
    expect(
      await callOk(
        portal.webhookUrl,
        'department.update',
        { ID: id, NAME: 'ГТИ (группа)', UF_HEAD: 1 },
        encoding,
      ),
    ).toBe(true);
    expect(await callOk(portal.webhookUrl, 'department.get', { ID: id }, encoding)).toEqual([
      { ID: String(id), NAME: 'ГТИ (группа)', SORT: 500, PARENT: String(lab), UF_HEAD: '1' },
    ]);
    expect(await callOk(portal.webhookUrl, 'department.delete', { ID: id }, encoding)).toBe(true);
    expect(await callOk(portal.webhookUrl, 'department.get', { ID: id }, encoding)).toEqual([]);
  });

  it.each([
    ['department.add', { PARENT: 1 }, 'Department name not provided.<br>'],
    [
      'department.add',
      { NAME: 'X', PARENT: 999 },
      'There can only be one top-level department in the company structure',
    ],
    ['department.update', { ID: 999, NAME: 'X' }, 'Department not found'],
    ['department.delete', { ID: 999 }, 'Department not found'],
    ['department.delete', { ID: 1 }, 'The top-level department cannot be deleted'],
  ])('%s %j -> 400 ERROR_CORE', async (method, params, description) => {
    expect(await rawCall(portal.webhookUrl, method, params)).toEqual({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: description },
    });
  });

  it('sorts by a field with sort/order', async () => {
    const rows = await callOk(portal.webhookUrl, 'department.get', { sort: 'NAME', order: 'DESC' });
    expect(rows.map((r: { NAME: string }) => r.NAME)).toEqual(['Лаборатория', 'Компания']);
  });
});

describe('user.*', () => {
  it('pages 50 at a time with total and next, rounding start down to a page', async () => {
    const first = await rawCall(portal.webhookUrl, 'user.get', { FILTER: { UF_DEPARTMENT: lab } });
    expect(first.body.result).toHaveLength(50);
    expect(first.body.total).toBe(120);
    expect(first.body.next).toBe(50);
    const second = await rawCall(portal.webhookUrl, 'user.get', {
      FILTER: { UF_DEPARTMENT: lab },
      start: 50,
    });
    const odd = await rawCall(portal.webhookUrl, 'user.get', { FILTER: { UF_DEPARTMENT: lab }, start: 75 });
    expect(odd.body.result).toEqual(second.body.result);
    expect(odd.body.next).toBe(100);
    const last = await rawCall(
      portal.webhookUrl,
      'user.get',
      { FILTER: { UF_DEPARTMENT: lab }, start: 100 },
      'form',
    );
    expect(last.body.result).toHaveLength(20);
    expect(last.body.next).toBeUndefined();
  });

  it('start=-1 skips the count and never answers next; >ID walks the table', async () => {
    const seen: string[] = [];
    let last = 0;
    for (;;) {
      const page = await rawCall(portal.webhookUrl, 'user.get', {
        FILTER: { '>ID': last },
        sort: 'ID',
        order: 'ASC',
        start: -1,
      });
      expect(page.body.next).toBeUndefined();
      const rows = page.body.result as { ID: string }[];
      seen.push(...rows.map((r) => r.ID));
      if (rows.length < 50) break;
      last = Number(rows.at(-1)!.ID);
    }
    expect(seen).toHaveLength(121);
    expect(new Set(seen).size).toBe(121);
  });

  it.each(['json', 'form', 'get'] as const)(
    '%s: filters with operators at the top level or in FILTER',
    async (encoding) => {
      const like = await callOk(
        portal.webhookUrl,
        'user.get',
        { FILTER: { '%NAME': 'лаборант 11' } },
        encoding,
      );
      expect(like.map((u: { NAME: string }) => u.NAME).sort()).toEqual([
        'Лаборант 11',
        'Лаборант 110',
        'Лаборант 111',
        'Лаборант 112',
        'Лаборант 113',
        'Лаборант 114',
        'Лаборант 115',
        'Лаборант 116',
        'Лаборант 117',
        'Лаборант 118',
        'Лаборант 119',
      ]);
      const top = await callOk(
        portal.webhookUrl,
        'user.get',
        { LAST_NAME: 'Иванов', '@ID': [2, 3, 4, 5] },
        encoding,
      );
      expect(top.map((u: { ID: string }) => u.ID)).toEqual(['3', '5']);
    },
  );

  it('prints the documented mix of types', async () => {
    const [user] = await callOk(portal.webhookUrl, 'user.get', { ID: 2 });
    expect(user).toMatchObject({
      ID: '2',
      ACTIVE: true,
      IS_ONLINE: 'N',
      UF_DEPARTMENT: [lab],
      USER_TYPE: 'employee',
    });
    expect(user.DATE_REGISTER).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/);
  });

  it('deactivates a user and filters by ACTIVE', async () => {
    expect(await callOk(portal.webhookUrl, 'user.update', { ID: 3, ACTIVE: 'N' }, 'form')).toBe(true);
    const inactive = await callOk(portal.webhookUrl, 'user.get', { FILTER: { ACTIVE: false } });
    expect(inactive.map((u: { ID: string }) => u.ID)).toEqual(['3']);
  });

  it.each([
    ['user.add', { NAME: 'x' }, 'Email is required.<br>'],
    [
      'user.add',
      { EMAIL: 'lab1@lab.test', UF_DEPARTMENT: [1] },
      'User with e-mail lab1@lab.test already exists.<br>',
    ],
    [
      'user.add',
      { EMAIL: 'new@lab.test', UF_DEPARTMENT: [999] },
      'The department given in UF_DEPARTMENT does not exist',
    ],
    ['user.update', { ID: 99999, NAME: 'x' }, 'User not found.<br>'],
  ])('%s %j -> 400 ERROR_CORE', async (method, params, description) => {
    expect(await rawCall(portal.webhookUrl, method, params)).toEqual({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: description },
    });
  });

  it('user.current and profile answer for the webhook user', async () => {
    expect((await callOk(portal.webhookUrl, 'user.current')).EMAIL).toBe('admin@b24lab.local');
    expect(await callOk(portal.webhookUrl, 'profile')).toMatchObject({ ID: '1', ADMIN: true });
  });

  it('scope and methods list what the portal serves, without the emulator controls', async () => {
    const scopes = await callOk(portal.webhookUrl, 'scope');
    expect(scopes).toEqual(expect.arrayContaining(['user', 'department', 'basic']));
    const methods = await callOk(portal.webhookUrl, 'methods');
    expect(methods).toEqual(expect.arrayContaining(['user.get', 'department.add', 'batch']));
    expect(methods.some((m: string) => m.startsWith('b24lab.'))).toBe(false);
    expect(await callOk(portal.webhookUrl, 'methods', { scope: 'department' })).toEqual([
      'department.add',
      'department.delete',
      'department.fields',
      'department.get',
      'department.update',
    ]);
  });
});
