import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let portal: LocalPortal;
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

async function refresh(refreshToken: string, secret = DEMO_OAUTH_CLIENT_SECRET) {
  const qs = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: DEMO_OAUTH_CLIENT_ID,
    client_secret: secret,
    refresh_token: refreshToken,
  });
  const response = await fetch(`${portal.url}/oauth/token/?${qs.toString()}`);
  return { status: response.status, body: (await response.json()) as any };
}

describe('OAuth form', () => {
  it('issues tokens and accepts them as auth param, access_token and Bearer header', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    expect(token).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 3600,
      client_endpoint: `${portal.url}/rest/`,
      user_id: 1,
    });
    const rest = `${portal.url}/rest/`;
    expect((await callOk(rest, 'profile', { auth: token.access_token })).ID).toBe('1');
    expect((await callOk(rest, 'profile', { access_token: token.access_token }, 'get')).ID).toBe('1');
    const viaHeader = await rawCall(rest, 'user.current', {}, 'json', {
      authorization: `Bearer ${token.access_token}`,
    });
    expect(viaHeader.body.result.ID).toBe('1');
    // b24jssdk's form: client endpoint + method, which gives a double slash.
    expect((await callOk(`${rest}/`, 'profile.json', { auth: token.access_token })).ID).toBe('1');
  });

  it('answers an unknown token with 401 invalid_token', async () => {
    const answer = await rawCall(`${portal.url}/rest/`, 'profile', { auth: 'nope' });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_token');
  });

  it('expires access tokens on the portal clock and refreshes them at /oauth/token/', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    await callOk(portal.webhookUrl, 'b24lab.clock.advance', { hours: 2 });
    const expired = await rawCall(`${portal.url}/rest/`, 'profile', { auth: token.access_token });
    expect(expired).toEqual({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired' },
    });
    const renewed = await refresh(token.refresh_token);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refresh_token).not.toBe(token.refresh_token);
    expect((await callOk(`${portal.url}/rest/`, 'profile', { auth: renewed.body.access_token })).ID).toBe(
      '1',
    );
    // The old refresh token is spent.
    expect((await refresh(token.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('refuses a wrong client secret', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    expect((await refresh(token.refresh_token, 'wrong')).body.error).toBe('invalid_client');
  });
});

describe('emulator clock', () => {
  it('moves system timestamps with b24lab.clock.advance', async () => {
    const before = await callOk(portal.webhookUrl, 'b24lab.clock.get');
    const after = await callOk(portal.webhookUrl, 'b24lab.clock.advance', { days: 16 });
    expect(after.timestamp - before.timestamp).toBeGreaterThanOrEqual(16 * 86400);
    const serverTime = Date.parse(await callOk(portal.webhookUrl, 'server.time'));
    expect(serverTime / 1000).toBeGreaterThanOrEqual(after.timestamp - 1);
    const id = await callOk(portal.webhookUrl, 'user.add', { EMAIL: 'clock@lab.test', UF_DEPARTMENT: [1] });
    const [user] = await callOk(portal.webhookUrl, 'user.get', { ID: id });
    expect(Date.parse(user.DATE_REGISTER) / 1000).toBeGreaterThanOrEqual(after.timestamp - 1);
  });

  it('sets the clock to a given moment and refuses to move it backwards by advance', async () => {
    const set = await callOk(portal.webhookUrl, 'b24lab.clock.set', { time: '2030-01-15T09:00:00+03:00' });
    expect(set.time).toBe('2030-01-15T09:00:00+03:00');
    const bad = await rawCall(portal.webhookUrl, 'b24lab.clock.advance', { days: -1 });
    expect(bad.status).toBe(400);
  });
});
