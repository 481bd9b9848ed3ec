import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeWrite } from '../../src/init/ask-init.js';
import { explainFailure, missingScopes } from '../../src/init/check-portal.js';
import { formatEnvValue, gitignoreWith, mergeEnvFile } from '../../src/init/env-file.js';
import { connectionFrom, envChange, oneOf, pickConnection } from '../../src/init/init-portal.js';
import { B24Error } from '../../src/rest/errors.js';
import type { ConnectionConfig } from '../../src/rest/connection.js';

const hook: ConnectionConfig = { kind: 'webhook', url: 'https://a.bitrix24.ru/rest/1/s3cr3t/' };
const app: ConnectionConfig = {
  kind: 'oauth',
  endpoint: 'https://a.bitrix24.ru/rest/',
  server: 'https://oauth.bitrix.info/oauth/',
  clientId: 'local.1',
  clientSecret: 'cs3cr3t',
  refreshToken: 'r3fr3sh',
};

describe('.env writing and merging', () => {
  it('writes a fresh file', () => {
    expect(mergeEnvFile(undefined, envChange(hook, 'standard'))).toBe(
      'B24LAB_PORTAL=https://a.bitrix24.ru/rest/1/s3cr3t/\nB24LAB_RATE_LIMIT=standard\n',
    );
  });

  it('replaces its variables in place, keeps comments and other variables, drops the other kind', () => {
    const current =
      '# my settings\nB24LAB_RATE_LIMIT=off\nexport MY_VAR="x y"\n\nB24LAB_PORTAL=https://old/rest/1/a/\nB24LAB_PORTAL=dup\nB24LAB_OAUTH_ACCESS_TOKEN=old\n';
    const merged = mergeEnvFile(current, envChange(app, 'enterprise'));
    expect(merged).toBe(
      '# my settings\nB24LAB_RATE_LIMIT=enterprise\nexport MY_VAR="x y"\n\n' +
        'B24LAB_OAUTH_ENDPOINT=https://a.bitrix24.ru/rest/\nB24LAB_OAUTH_SERVER=https://oauth.bitrix.info/oauth/\n' +
        'B24LAB_OAUTH_CLIENT_ID=local.1\nB24LAB_OAUTH_CLIENT_SECRET=cs3cr3t\nB24LAB_OAUTH_REFRESH_TOKEN=r3fr3sh\n',
    );
    const back = mergeEnvFile(merged, envChange(hook, 'off'));
    expect(parseEnv(back)).toEqual({
      B24LAB_RATE_LIMIT: 'off',
      MY_VAR: 'x y',
      B24LAB_PORTAL: 'https://a.bitrix24.ru/rest/1/s3cr3t/',
    });
  });

  it('keeps Windows line endings readable and adds a final newline', () => {
    expect(mergeEnvFile('A=1\r\nB=2', { set: { B: '3' }, remove: [] })).toBe('A=1\nB=3\n');
  });

  it('quotes values so that Node reads them back unchanged', () => {
    for (const value of ['plain', 'a b', 'x#y', "it's", `say "hi" it's`, '', 'https://h/rest/1/a?b=c&d'])
      expect(parseEnv(`K=${formatEnvValue(value)}`).K).toBe(value);
    expect(formatEnvValue('a b')).toBe(`'a b'`);
    expect(() => formatEnvValue('a\nb')).toThrow(/spans lines/);
    expect(() => formatEnvValue(`'"\``)).toThrow(/quotes/);
  });
});

describe('.gitignore editing', () => {
  it('creates, appends once, and leaves a file that has the entries alone', () => {
    expect(gitignoreWith(undefined, ['.env', '.b24lab/'])).toBe('.env\n.b24lab/\n');
    expect(gitignoreWith('node_modules', ['.env', '.b24lab/'])).toBe('node_modules\n.env\n.b24lab/\n');
    expect(gitignoreWith('/.env\n.b24lab\n', ['.env', '.b24lab/'])).toBeUndefined();
    expect(gitignoreWith('.env\r\n', ['.env', '.b24lab/'])).toBe('.env\r\n.b24lab/\n');
    expect(gitignoreWith('', ['.env'])).toBe('.env\n');
  });
});

describe('choosing and checking the connection', () => {
  const oauth = { endpoint: 'https://a/rest/', clientId: 'c', clientSecret: 's', refreshToken: 'r' };
  it('a flag typed on the command line beats a variable; a webhook beats OAuth otherwise', () => {
    const base = { portalFromCli: false, oauthFromCli: false };
    expect(pickConnection({ ...base, portal: 'u', oauth })).toMatchObject({ kind: 'webhook' });
    expect(pickConnection({ ...base, oauthFromCli: true, portal: 'u', oauth })).toMatchObject({
      kind: 'oauth',
      clientId: 'c',
      server: '',
    });
    expect(
      pickConnection({ ...base, portalFromCli: true, oauthFromCli: true, portal: 'u', oauth }),
    ).toMatchObject({ kind: 'webhook' });
    expect(pickConnection({ ...base, oauth: {} })).toBeUndefined();
  });

  it('normalises a webhook, defaults the token server, names missing OAuth flags', () => {
    expect(connectionFrom({ kind: 'webhook', url: 'http://h:1/rest/1/s' })).toEqual({
      kind: 'webhook',
      url: 'http://h:1/rest/1/s/',
    });
    expect(connectionFrom({ kind: 'oauth', server: '', ...oauth })).toMatchObject({
      server: 'https://oauth.bitrix.info/oauth/',
    });
    expect(() =>
      connectionFrom({
        kind: 'oauth',
        endpoint: 'https://a/rest/',
        server: '',
        clientId: '',
        clientSecret: 's',
        refreshToken: '',
      }),
    ).toThrow(
      'OAuth needs --client-id (B24LAB_OAUTH_CLIENT_ID), --refresh-token (B24LAB_OAUTH_REFRESH_TOKEN).',
    );
    expect(() => connectionFrom({ kind: 'webhook', url: 'https://a/crm/' })).toThrow('not a webhook URL');
    expect(() => oneOf('gold', ['standard', 'enterprise'], '--rate-limit')).toThrow(
      'Unknown --rate-limit "gold".',
    );
  });

  it('finds the missing required and optional scopes', () => {
    expect(missingScopes(['CRM', 'user', 'task'])).toEqual({
      required: ['department'],
      optional: ['im', 'disk', 'lists', 'bizproc'],
    });
  });
});

describe('explaining a failed check', () => {
  const fail = (code: string, extra: Partial<ConstructorParameters<typeof B24Error>[0]> = {}) =>
    new B24Error({ method: 'profile', code, description: 'x', httpStatus: 401, retryable: false, ...extra });
  it('gives one line per cause', () => {
    const cases: [B24Error, string, string][] = [
      [
        fail('NETWORK_ERROR', { networkCode: 'ENOTFOUND' }),
        'unreachable',
        'Cannot reach h.ru: the host name does not resolve.',
      ],
      [
        fail('NETWORK_ERROR', {
          method: 'oauth.token',
          networkCode: 'ECONNREFUSED',
          description: 'connect ECONNREFUSED while calling t.io',
        }),
        'unreachable',
        'Cannot reach the token server (t.io): connection refused (nothing listens there).',
      ],
      [
        fail('NO_AUTH_FOUND'),
        'credentials',
        'h.ru refused the webhook (NO_AUTH_FOUND): wrong user id or secret, or the webhook was deleted.',
      ],
      [
        fail('insufficient_scope', { method: 'scope' }),
        'scopes',
        'The webhook may not call scope (insufficient_scope).',
      ],
      [
        fail('ERROR_NOT_JSON', { httpStatus: 200 }),
        'not-rest',
        'h.ru answered, but not as the Bitrix24 REST API (ERROR_NOT_JSON).',
      ],
      [fail('INVALID_REQUEST'), 'refused', 'h.ru requires https (INVALID_REQUEST).'],
      [
        fail('OVERLOAD_LIMIT', { description: 'blocked' }),
        'refused',
        'The portal check failed: profile: blocked [OVERLOAD_LIMIT] (HTTP 401)',
      ],
    ];
    for (const [error, kind, reason] of cases) {
      const problem = explainFailure(error, 'webhook', 'h.ru');
      expect(problem).toMatchObject({ kind, reason });
      expect(problem?.reason).not.toContain('\n');
    }
    expect(explainFailure(fail('invalid_token'), 'oauth', 'h.ru')?.reason).toBe(
      "h.ru refused the application's access token (invalid_token).",
    );
    expect(explainFailure(new Error('bug'), 'webhook', 'h.ru')).toBeUndefined();
  });
});

describe('the confirmation text', () => {
  it('never shows the webhook secret, the client secret or the refresh token', () => {
    const settings = {
      rateLimit: 'standard' as const,
      configFrom: 'shipped' as const,
      dir: 'p',
      overwrite: true,
    };
    const lines = [
      ...describeWrite({ ...settings, connection: hook }, ['p/config']),
      ...describeWrite({ ...settings, connection: app }, []),
    ].join('\n');
    for (const secret of ['s3cr3t', 'cs3cr3t', 'r3fr3sh']) expect(lines).not.toContain(secret);
    expect(lines).toContain('B24LAB_PORTAL=https://a.bitrix24.ru/rest/1/***/');
    expect(lines).toContain('p/config/: the shipped laboratory configuration (replaced)');
  });
});
