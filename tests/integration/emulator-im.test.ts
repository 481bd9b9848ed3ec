import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

const T0 = Date.parse('2025-03-10T07:00:00Z');
const frozen: Clock = { now: () => T0, sleep: async () => {} };

let lab: LocalPortal;
let hook: string;
let manager: number;

interface Notification {
  id: number;
  type: string;
  userId: number;
  fromUserId: number;
  message: string;
  messageOut: string;
  tag: string;
  subTag: string;
  createdAt: string;
}

const notifications = async (userId?: number): Promise<Notification[]> =>
  (await callOk(hook, 'b24lab.notifications.list', userId ? { userId } : {})) as Notification[];

beforeAll(async () => {
  lab = await portalForTest({ clock: frozen });
  hook = lab.webhookUrl;
});
beforeEach(async () => {
  await callOk(hook, 'b24lab.reset');
  manager = (await callOk(hook, 'user.add', {
    EMAIL: 'manager@b24lab.local',
    NAME: 'Олег',
    UF_DEPARTMENT: [1],
  })) as number;
});
afterAll(async () => {
  await lab.close();
});

describe.each(['json', 'form'] as const)('im.notify.*.add over %s', (encoding) => {
  it('stores a system notification, read back by b24lab.notifications.list', async () => {
    const id = await callOk(
      hook,
      'im.notify.system.add',
      { USER_ID: manager, MESSAGE: '  Сделка [B]№12[/B] без движения 16 дней  ', MESSAGE_OUT: 'Сделка №12' },
      encoding,
    );
    expect(id).toEqual(expect.any(Number));
    expect(await notifications(manager)).toEqual([
      {
        id,
        type: 'system',
        userId: manager,
        fromUserId: 0,
        message: 'Сделка [B]№12[/B] без движения 16 дней',
        messageOut: 'Сделка №12',
        tag: '',
        subTag: '',
        createdAt: (await callOk(hook, 'b24lab.clock.get')).time,
      },
    ]);
  });

  it('sends a personal notification on behalf of the caller', async () => {
    await callOk(hook, 'im.notify.personal.add', { USER_ID: manager, MESSAGE: 'Проверьте счёт' }, encoding);
    const [n] = await notifications(manager);
    expect(n).toMatchObject({ type: 'personal', fromUserId: 1, message: 'Проверьте счёт' });
  });

  it('replaces an older notification with the same TAG for that user only', async () => {
    const first = await callOk(
      hook,
      'im.notify.system.add',
      { USER_ID: manager, MESSAGE: 'Версия 1', TAG: 'DEAL_12_STALE', SUB_TAG: 'DEAL|12' },
      encoding,
    );
    await callOk(
      hook,
      'im.notify.system.add',
      { USER_ID: 1, MESSAGE: 'Админу', TAG: 'DEAL_12_STALE' },
      encoding,
    );
    const second = await callOk(
      hook,
      'im.notify.system.add',
      { USER_ID: manager, MESSAGE: 'Версия 2', TAG: 'DEAL_12_STALE' },
      encoding,
    );
    expect(second).not.toBe(first);
    expect((await notifications(manager)).map((n) => [n.id, n.message, n.tag])).toEqual([
      [second, 'Версия 2', 'DEAL_12_STALE'],
    ]);
    expect((await notifications(1)).map((n) => n.message)).toEqual(['Админу']);
  });

  it('answers USER_ID_EMPTY and MESSAGE_EMPTY; false for a user that does not exist', async () => {
    expect(await rawCall(hook, 'im.notify.system.add', { MESSAGE: 'x' }, encoding)).toEqual({
      status: 400,
      body: { error: 'USER_ID_EMPTY', error_description: "User ID can't be empty" },
    });
    expect(
      await rawCall(hook, 'im.notify.personal.add', { USER_ID: 0, MESSAGE: 'x' }, encoding),
    ).toMatchObject({
      status: 400,
      body: { error: 'USER_ID_EMPTY' },
    });
    expect(
      await rawCall(hook, 'im.notify.system.add', { USER_ID: manager, MESSAGE: '   ' }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 'MESSAGE_EMPTY', error_description: "Message can't be empty" },
    });
    expect(await callOk(hook, 'im.notify.system.add', { USER_ID: 999, MESSAGE: 'x' }, encoding)).toBe(false);
    expect(await notifications()).toEqual([]);
  });

  it('checks ATTACH', async () => {
    expect(
      await rawCall(
        hook,
        'im.notify.system.add',
        { USER_ID: manager, MESSAGE: 'x', ATTACH: 'not json' },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ATTACH_ERROR' } });
    const big = [{ MESSAGE: 'я'.repeat(61_000) }];
    expect(
      await rawCall(hook, 'im.notify.system.add', { USER_ID: manager, MESSAGE: 'x', ATTACH: big }, encoding),
    ).toMatchObject({ status: 400, body: { error: 'ATTACH_OVERSIZE' } });
    const ok = await callOk(
      hook,
      'im.notify.system.add',
      { USER_ID: manager, MESSAGE: 'x', ATTACH: [{ MESSAGE: 'Сделка №12' }] },
      encoding,
    );
    expect(ok).toEqual(expect.any(Number));
  });
});

it('works inside batch and through the OAuth form', async () => {
  const batch = await callOk(hook, 'batch', {
    halt: 0,
    cmd: {
      a: `im.notify.system.add?USER_ID=${manager}&MESSAGE=${encodeURIComponent('Из батча')}`,
      b: 'im.notify.system.add?MESSAGE=x',
    },
  });
  expect(batch.result.a).toEqual(expect.any(Number));
  expect(batch.result_error.b).toMatchObject({ error: 'USER_ID_EMPTY' });
  const token = await callOk(hook, 'b24lab.oauth.issue', { userId: manager });
  const answer = await rawCall(`${lab.url}/rest/`, 'im.notify.personal.add', {
    auth: token.access_token,
    USER_ID: 1,
    MESSAGE: 'От менеджера',
  });
  expect(answer.status).toBe(200);
  const [n] = await notifications(1);
  expect(n).toMatchObject({ fromUserId: manager, message: 'От менеджера' });
});
