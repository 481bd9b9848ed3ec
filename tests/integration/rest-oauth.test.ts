import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import { createClient } from '../../src/rest/client.js';
import { OAUTH_TOKEN_FILE, resolveConnection } from '../../src/rest/connection.js';
import { B24Error } from '../../src/rest/errors.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { tempDir } from './rest-helpers.js';

let portal: LocalPortal;
const state = tempDir();
let token: { access_token: string; refresh_token: string };
let env: Record<string, string>;

beforeAll(async () => {
  portal = await portalForTest();
  // The emulator-only method hands out the first token pair (a real app gets it at installation).
  token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
  env = {
    B24LAB_OAUTH_ENDPOINT: `${portal.url}/rest/`,
    B24LAB_OAUTH_SERVER: `${portal.url}/oauth/`,
    B24LAB_OAUTH_CLIENT_ID: DEMO_OAUTH_CLIENT_ID,
    B24LAB_OAUTH_CLIENT_SECRET: DEMO_OAUTH_CLIENT_SECRET,
    B24LAB_OAUTH_REFRESH_TOKEN: token.refresh_token,
    B24LAB_OAUTH_ACCESS_TOKEN: token.access_token,
  };
});
afterAll(async () => {
  await portal.close();
  state.remove();
});

describe('OAuth', () => {
  it('refreshes an expired token once for all concurrent callers and saves the new pair 0600', async () => {
    const client = createClient({ connection: resolveConnection(undefined, env), stateDir: state.path });
    expect(await client.call('user.current')).toMatchObject({ ID: '1' });
    expect(client.stats().refreshes).toBe(0);
    await callOk(portal.webhookUrl, 'b24lab.clock.advance', { hours: 2 }); // access tokens live 1 hour
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => client.call('user.current')),
      client.batch([{ method: 'profile' }, { method: 'department.get' }]),
      (async () => {
        let n = 0;
        for await (const _ of client.list('user.get')) n++;
        return n;
      })(),
    ]);
    expect(results).toHaveLength(10);
    expect(client.stats().refreshes).toBe(1);
    const file = join(state.path, OAUTH_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.refreshToken).not.toBe(token.refresh_token);
    expect(saved.accessToken).not.toBe(token.access_token);
    client.close();
  });

  it('a later run (another process) picks up the saved pair: the spent refresh token is not used again', async () => {
    const client = createClient({ connection: resolveConnection(undefined, env), stateDir: state.path });
    expect(await client.call('profile')).toMatchObject({ ID: '1' });
    expect(client.stats().refreshes).toBe(0);
    await callOk(portal.webhookUrl, 'b24lab.clock.advance', { hours: 2 });
    expect(await client.call('profile')).toMatchObject({ ID: '1' });
    expect(client.stats().refreshes).toBe(1);
    client.close();
  });

  it('never shows a token or the client secret in an error', async () => {
    const client = createClient({ connection: resolveConnection(undefined, env), stateDir: state.path });
    const saved = JSON.parse(readFileSync(join(state.path, OAUTH_TOKEN_FILE), 'utf8'));
    let error: unknown;
    try {
      await client.call('no.such.method', { note: `leak ${saved.accessToken}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(B24Error);
    const text = `${(error as B24Error).message} ${(error as B24Error).hint ?? ''} ${(error as B24Error).description}`;
    for (const secret of [saved.accessToken, saved.refreshToken, DEMO_OAUTH_CLIENT_SECRET])
      expect(text).not.toContain(secret);
    client.close();
  });

  it('explains a dead refresh token', async () => {
    const fresh = tempDir();
    const client = createClient({
      connection: resolveConnection(undefined, {
        ...env,
        B24LAB_OAUTH_REFRESH_TOKEN: 'spent-or-revoked-token',
        B24LAB_OAUTH_ACCESS_TOKEN: '',
      }),
      stateDir: fresh.path,
    });
    let error: B24Error | undefined;
    try {
      await client.call('profile');
    } catch (e) {
      error = e as B24Error;
    }
    client.close();
    fresh.remove();
    expect(error).toMatchObject({
      name: 'B24Error',
      code: 'invalid_grant',
      method: 'oauth.token',
      httpStatus: 400,
    });
    expect(error?.hint).toMatch(/refresh token expired/);
    expect(error?.message).not.toContain('spent-or-revoked-token');
    expect(error?.message).not.toContain(DEMO_OAUTH_CLIENT_SECRET);
  });
});
