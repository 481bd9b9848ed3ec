import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { CliRun } from '../helpers/cli.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import { OAUTH_TOKEN_FILE } from '../../src/rest/connection.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'b24lab-init-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The real binary run in `cwd` with nothing but PATH: whatever it needs must come from that .env. */
function binaryIn(cwd: string, args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [resolve('bin/b24lab'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code: code ?? -1, stdout, stderr })));
}

const oauthFlags = (refreshToken: string, secret = DEMO_OAUTH_CLIENT_SECRET): string[] => [
  '--oauth-endpoint',
  `${portal.url}/rest/`,
  '--oauth-server',
  `${portal.url}/oauth/`,
  '--client-id',
  DEMO_OAUTH_CLIENT_ID,
  '--client-secret',
  secret,
  '--refresh-token',
  refreshToken,
];

describe('b24lab init (flags)', () => {
  it('writes .env 0600, the .gitignore entry and the shipped config', async () => {
    const dir = fresh();
    writeFileSync(join(dir, '.gitignore'), 'node_modules');
    const run = await runCli(['init', '--portal', portal.webhookUrl, '--rate-limit', 'off', '--dir', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(env).toContain(`B24LAB_PORTAL=${portal.webhookUrl}`);
    expect(env).toContain('B24LAB_RATE_LIMIT=off');
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.env\n.b24lab/\n');
    expect(existsSync(join(dir, 'config'))).toBe(true);
    const secret = portal.webhookUrl.split('/').filter(Boolean).pop() ?? '';
    expect(run.stdout).not.toContain(secret);
  });

  it('--json prints what was written, the portal by its host, no token', async () => {
    const dir = fresh();
    const run = await runCli([
      'init',
      '--portal',
      portal.webhookUrl,
      '--rate-limit',
      'off',
      '--dir',
      dir,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { kind: string; portal: string; written: string[] };
    expect(result.kind).toBe('webhook');
    expect(result.written.some((f) => f.endsWith('.env'))).toBe(true);
    const secret = portal.webhookUrl.split('/').filter(Boolean).pop() ?? '';
    expect(run.stdout).not.toContain(secret);
  });

  it('pulls the config from the portal', async () => {
    const dir = fresh();
    const run = await runCli([
      'init',
      '--portal',
      portal.webhookUrl,
      '--rate-limit',
      'off',
      '--config-from',
      'portal',
      '--dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'config'))).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.env\n.b24lab/\n');
  });

  it('refuses a wrong token in one line and writes nothing', async () => {
    const dir = fresh();
    const bad = portal.webhookUrl.replace(/\/[^/]+\/$/, '/wrongtoken/');
    const run = await runCli(['init', '--portal', bad, '--rate-limit', 'off', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      `error ${portal.url.replace('http://', '')} refused the webhook (INVALID_CREDENTIALS): wrong user id or secret, or the webhook was deleted.`,
    );
    expect(run.stderr).not.toContain('wrongtoken');
    expect(existsSync(join(dir, '.env'))).toBe(false);
    expect(existsSync(join(dir, 'config'))).toBe(false);
  });

  it('reports an unreachable host', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((r) => server.close(() => r()));
    const dir = fresh();
    const run = await runCli([
      'init',
      '--portal',
      `http://127.0.0.1:${port}/rest/1/abc/`,
      '--rate-limit',
      'off',
      '--dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error Cannot reach 127.0.0.1:${port}: connection refused (nothing listens there).`,
    );
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });

  it('refuses to overwrite without --yes, naming the flag', async () => {
    const dir = fresh();
    writeFileSync(join(dir, '.env'), 'OLD=1\n');
    const run = await runCli(['init', '--portal', portal.webhookUrl, '--rate-limit', 'off', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--yes');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('OLD=1\n');
    const again = await runCli([
      'init',
      '--portal',
      portal.webhookUrl,
      '--rate-limit',
      'off',
      '--dir',
      dir,
      '--yes',
    ]);
    expect(again.code).toBe(0);
  });
});

describe('b24lab init (flags): scopes, OAuth, the written .env', () => {
  it('names the missing scopes of a limited webhook and writes nothing', async () => {
    const hook = await callOk(portal.webhookUrl, 'b24lab.webhook.add', { scopes: 'crm,user,task' });
    const dir = fresh();
    const run = await runCli(['init', '--portal', hook.URL, '--rate-limit', 'off', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe('error The webhook lacks the scopes b24lab needs: department.');
    expect(run.stderr).toContain('Inbound webhook');
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });

  it('reports the optional scopes a webhook lacks and still connects', async () => {
    const hook = await callOk(portal.webhookUrl, 'b24lab.webhook.add', { scopes: 'crm,user,department' });
    const dir = fresh();
    const run = await runCli(['init', '--portal', hook.URL, '--rate-limit', 'off', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Optional scopes missing (some features off): task, im, disk, lists, bizproc',
    );
  });

  it('OAuth flags: checks through the token server, writes the B24LAB_OAUTH_* set and keeps the new pair', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    const dir = fresh();
    const run = await runCli([
      'init',
      ...oauthFlags(token.refresh_token),
      '--rate-limit',
      'off',
      '--dir',
      dir,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Connected to ${portal.url} (OAuth application).`);
    expect(run.stdout).not.toContain(DEMO_OAUTH_CLIENT_SECRET);
    expect(run.stdout).not.toContain(token.refresh_token);
    // The check spent the refresh token given; the new pair is saved, and .env gets its refresh token.
    const saved = join(dir, '.b24lab', OAUTH_TOKEN_FILE);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    const pair = JSON.parse(readFileSync(saved, 'utf8'));
    expect(pair.refreshToken).not.toBe(token.refresh_token);
    const env = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    expect(env).toEqual({
      B24LAB_OAUTH_ENDPOINT: `${portal.url}/rest/`,
      B24LAB_OAUTH_SERVER: `${portal.url}/oauth/`,
      B24LAB_OAUTH_CLIENT_ID: DEMO_OAUTH_CLIENT_ID,
      B24LAB_OAUTH_CLIENT_SECRET: DEMO_OAUTH_CLIENT_SECRET,
      B24LAB_OAUTH_REFRESH_TOKEN: pair.refreshToken,
      B24LAB_RATE_LIMIT: 'off',
    });
    // b24lab plan in that directory with nothing but the written .env, even from another state directory.
    const plan = await binaryIn(dir, ['plan', '--json', '--state', fresh()]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toHaveProperty('operations');
  });

  it('OAuth from B24LAB_OAUTH_* variables alone; a webhook in .env is removed, other lines kept', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    const dir = fresh();
    writeFileSync(join(dir, '.env'), `# mine\nB24LAB_PORTAL=${portal.webhookUrl}\nMY_VAR=1\n`);
    const run = await runCli(
      ['init', '--rate-limit', 'off', '--config-from', 'keep', '--dir', dir, '--yes'],
      {
        env: {
          B24LAB_OAUTH_ENDPOINT: `${portal.url}/rest/`,
          B24LAB_OAUTH_SERVER: `${portal.url}/oauth/`,
          B24LAB_OAUTH_CLIENT_ID: DEMO_OAUTH_CLIENT_ID,
          B24LAB_OAUTH_CLIENT_SECRET: DEMO_OAUTH_CLIENT_SECRET,
          B24LAB_OAUTH_REFRESH_TOKEN: token.refresh_token,
        },
      },
    );
    expect(run.code).toBe(0);
    const text = readFileSync(join(dir, '.env'), 'utf8');
    expect(text.startsWith('# mine\nMY_VAR=1\nB24LAB_OAUTH_ENDPOINT=')).toBe(true);
    expect(text).not.toContain('B24LAB_PORTAL');
    expect(existsSync(join(dir, 'config'))).toBe(false);
  });

  it('OAuth: a wrong client secret, a spent refresh token and a missing flag are each one line', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    const dir = fresh();
    const wrong = await runCli(['init', ...oauthFlags(token.refresh_token, 'nope'), '--dir', dir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.split('\n')[0]).toBe(
      'error The token server refused the application (invalid_client): wrong client id or client secret.',
    );
    const spent = await runCli(['init', ...oauthFlags('not-a-refresh-token'), '--dir', dir]);
    expect(spent.code).toBe(1);
    expect(spent.stderr.split('\n')[0]).toBe(
      'error The token server refused the refresh token (invalid_grant): it was already used or is older than 180 days.',
    );
    const missing = await runCli(['init', '--oauth-endpoint', `${portal.url}/rest/`, '--dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')[0]).toBe(
      'error OAuth needs --client-id (B24LAB_OAUTH_CLIENT_ID), --client-secret (B24LAB_OAUTH_CLIENT_SECRET), --refresh-token (B24LAB_OAUTH_REFRESH_TOKEN).',
    );
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });

  it('after a webhook init, b24lab plan in that directory works from the .env alone', async () => {
    const dir = fresh();
    const init = await runCli(['init', '--portal', portal.webhookUrl, '--rate-limit', 'off', '--dir', dir]);
    expect(init.code).toBe(0);
    const plan = await binaryIn(dir, ['plan', '--exit-code']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2); // the shipped laboratory config is not on a fresh portal yet
    const none = await binaryIn(fresh(), ['plan']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No portal to talk to.');
  });
});
