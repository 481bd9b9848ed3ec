import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { TokenRequester } from '../../src/rest/connection.js';
import { OAUTH_TOKEN_FILE, openConnection, resolveConnection } from '../../src/rest/connection.js';
import { B24Error } from '../../src/rest/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'b24lab-conn-'));
  dirs.push(d);
  return d;
};

const oauthEnv = {
  B24LAB_OAUTH_ENDPOINT: 'http://127.0.0.1:9/rest',
  B24LAB_OAUTH_CLIENT_ID: 'local.app',
  B24LAB_OAUTH_CLIENT_SECRET: 'client-secret-123',
  B24LAB_OAUTH_REFRESH_TOKEN: 'refresh-0',
  B24LAB_OAUTH_SERVER: 'http://127.0.0.1:9/oauth',
};

/** A token server that hands out refresh-N / access-N and rejects a spent refresh token. */
function tokenServer() {
  let n = 0;
  const live = new Set(['refresh-0']);
  const requests: Record<string, string>[] = [];
  const request: TokenRequester = async (_server, query) => {
    requests.push(query);
    await new Promise((r) => setImmediate(r));
    if (!live.delete(query.refresh_token ?? '')) {
      throw new B24Error({
        method: 'oauth.token',
        code: 'invalid_grant',
        description: 'Invalid refresh token',
        httpStatus: 400,
        retryable: false,
      });
    }
    n++;
    live.add(`refresh-${n}`);
    return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 3600 };
  };
  return { request, requests };
}

describe('connection settings', () => {
  it('takes a webhook URL from --portal or B24LAB_PORTAL and normalises it', () => {
    expect(resolveConnection('http://127.0.0.1:3789/rest/1/secret', {})).toEqual({
      kind: 'webhook',
      url: 'http://127.0.0.1:3789/rest/1/secret/',
    });
    expect(resolveConnection(undefined, { B24LAB_PORTAL: 'https://a.bitrix24.ru//rest/7/x-y/' })).toEqual({
      kind: 'webhook',
      url: 'https://a.bitrix24.ru/rest/7/x-y/',
    });
    expect(() => resolveConnection('https://a.bitrix24.ru/crm/', {})).toThrow(UserError);
    expect(() => resolveConnection('ftp://a/rest/1/x/', {})).toThrow(/http/);
    expect(() => resolveConnection(undefined, {})).toThrow(/No portal/);
  });

  it('takes OAuth settings from the environment and names what is missing', () => {
    expect(resolveConnection(undefined, oauthEnv)).toMatchObject({
      kind: 'oauth',
      endpoint: 'http://127.0.0.1:9/rest/',
      server: 'http://127.0.0.1:9/oauth/',
      clientId: 'local.app',
    });
    expect(() => resolveConnection(undefined, { B24LAB_OAUTH_ENDPOINT: 'https://a/rest/' })).toThrow(
      /B24LAB_OAUTH_CLIENT_ID, B24LAB_OAUTH_CLIENT_SECRET, B24LAB_OAUTH_REFRESH_TOKEN/,
    );
  });

  it('hides the webhook secret', () => {
    const c = openConnection(
      { kind: 'webhook', url: 'http://h/rest/1/hook-secret/' },
      { requestToken: tokenServer().request, now: () => 0 },
    );
    expect(c.url('crm.deal.list')).toBe('http://h/rest/1/hook-secret/crm.deal.list');
    expect(c.redact('failed at http://h/rest/1/hook-secret/crm.deal.list')).toBe(
      'failed at http://h/rest/1/***/crm.deal.list',
    );
    expect(c.callerKey).toBe('http://h webhook:1');
  });
});

describe('OAuth tokens', () => {
  it('refreshes once for many concurrent callers and saves the pair with mode 0600', async () => {
    const dir = stateDir();
    const server = tokenServer();
    const conn = openConnection(resolveConnection(undefined, oauthEnv), {
      stateDir: dir,
      requestToken: server.request,
      now: () => 0,
    });
    expect(await conn.accessToken()).toBe('access-1');
    await Promise.all(Array.from({ length: 10 }, () => conn.refresh('access-1')));
    expect(server.requests).toHaveLength(2);
    expect(await conn.accessToken()).toBe('access-2');
    // A caller that still holds the old token does not trigger another refresh.
    await conn.refresh('access-1');
    expect(server.requests).toHaveLength(2);
    const file = join(dir, OAUTH_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
      seed: 'refresh-0',
    });
    expect(conn.redact('token access-2 and refresh-2 and client-secret-123')).toBe(
      'token *** and *** and ***',
    );
  });

  it('picks up a pair another process saved instead of spending a dead refresh token', async () => {
    const dir = stateDir();
    const server = tokenServer();
    const one = openConnection(resolveConnection(undefined, oauthEnv), {
      stateDir: dir,
      requestToken: server.request,
      now: () => 0,
    });
    const two = openConnection(resolveConnection(undefined, oauthEnv), {
      stateDir: dir,
      requestToken: server.request,
      now: () => 0,
    });
    expect(await one.accessToken()).toBe('access-1'); // one spends refresh-0
    expect(await two.accessToken()).toBe('access-1'); // two finds the saved pair
    await one.refresh('access-1');
    await two.refresh('access-1'); // refresh-1 is spent: two adopts one's access-2
    expect(await two.accessToken()).toBe('access-2');
    expect(server.requests.map((r) => r.refresh_token)).toEqual(['refresh-0', 'refresh-1']);
  });

  it('fails with invalid_grant and its hint when the refresh token is dead', async () => {
    const server = tokenServer();
    const conn = openConnection(
      resolveConnection(undefined, { ...oauthEnv, B24LAB_OAUTH_REFRESH_TOKEN: 'dead' }),
      { requestToken: server.request, now: () => 0 },
    );
    await expect(conn.accessToken()).rejects.toMatchObject({ code: 'invalid_grant' });
  });
});
