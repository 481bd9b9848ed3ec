import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import type { AskInitOptions, InitPrompts } from '../../src/init/ask-init.js';
import { askInit } from '../../src/init/ask-init.js';
import type { AuthKind, CheckProblem } from '../../src/init/check-portal.js';
import type { ConfigSource, OAuthInput, RateLimitPlan } from '../../src/init/init-portal.js';
import { createClient } from '../../src/rest/client.js';
import type { ConnectionConfig } from '../../src/rest/connection.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
const dirs: string[] = [];
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'b24lab-ask-'));
  dirs.push(dir);
  return dir;
};

interface Script {
  kind?: AuthKind;
  webhooks?: string[];
  oauth?: OAuthInput[];
  rateLimit?: RateLimitPlan;
  configFrom?: ConfigSource;
  confirm?: boolean;
}

/** Answers the questions from a script and records what was asked and said. */
class ScriptedPrompts implements InitPrompts {
  readonly asked: string[] = [];
  readonly problems: CheckProblem[] = [];
  readonly notes: string[] = [];
  offered: { webhook: (string | undefined)[]; canKeep?: boolean; plan?: string[]; overwriting?: string[] } = {
    webhook: [],
  };
  constructor(private readonly script: Script) {}

  private next<T>(list: T[] | undefined, what: string): T {
    const value = list?.shift();
    if (value === undefined) throw new Error(`the script has no more answers for ${what}`);
    return value;
  }
  connectionKind(current: AuthKind): Promise<AuthKind> {
    this.asked.push('kind');
    return Promise.resolve(this.script.kind ?? current);
  }
  webhookUrl(current: string | undefined): Promise<string> {
    this.asked.push('webhook');
    this.offered.webhook.push(current);
    return Promise.resolve(this.next(this.script.webhooks, 'the webhook'));
  }
  oauth(): Promise<OAuthInput> {
    this.asked.push('oauth');
    return Promise.resolve(this.next(this.script.oauth, 'OAuth'));
  }
  rateLimit(current: RateLimitPlan): Promise<RateLimitPlan> {
    this.asked.push('rateLimit');
    return Promise.resolve(this.script.rateLimit ?? current);
  }
  configFrom(current: ConfigSource, canKeep: boolean): Promise<ConfigSource> {
    this.asked.push('configFrom');
    this.offered.canKeep = canKeep;
    return Promise.resolve(this.script.configFrom ?? current);
  }
  confirmWrite(plan: string[], overwriting: string[]): Promise<boolean> {
    this.asked.push('confirm');
    this.offered.plan = plan;
    this.offered.overwriting = overwriting;
    return Promise.resolve(this.script.confirm ?? true);
  }
  problem(problem: CheckProblem): void {
    this.problems.push(problem);
  }
  note(text: string): void {
    this.notes.push(text);
  }
}

const connect = (stateDir?: string) => (connection: ConnectionConfig) =>
  createClient({
    connection,
    rateLimit: 'off',
    retry: { maxAttempts: 1 },
    ...(stateDir ? { stateDir } : {}),
  });

function run(prompts: InitPrompts, dir: string, extra: Partial<AskInitOptions> = {}) {
  return askInit({
    prompts,
    connect: connect(),
    dir,
    defaults: { kind: 'webhook', oauth: {}, rateLimit: 'standard', configFrom: 'shipped' },
    ...extra,
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address ? address.port : 0;
}

const secretOf = (url: string): string => url.split('/').filter(Boolean).pop() ?? '';

describe('interactive init (scripted answers, the local portal live)', () => {
  it('webhook happy path: asks in order, shows the plan without the secret, writes after yes', async () => {
    const dir = fresh();
    const prompts = new ScriptedPrompts({ webhooks: [portal.webhookUrl], rateLimit: 'enterprise' });
    const outcome = await run(prompts, dir);
    expect(prompts.asked).toEqual(['kind', 'webhook', 'rateLimit', 'configFrom', 'confirm']);
    expect(prompts.problems).toEqual([]);
    expect(prompts.notes).toContain(`Connected to ${portal.url} as user 1.`);
    expect(prompts.offered.canKeep).toBe(false);
    expect(prompts.offered.overwriting).toEqual([]);
    expect(prompts.offered.plan?.join('\n')).not.toContain(secretOf(portal.webhookUrl));
    expect(prompts.offered.plan?.[0]).toContain('B24LAB_PORTAL=http://127.0.0.1:');
    expect(outcome.written).toBe(true);
    const env = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    expect(env).toEqual({ B24LAB_PORTAL: portal.webhookUrl, B24LAB_RATE_LIMIT: 'enterprise' });
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'config'))).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.env\n.b24lab/\n');
  });

  it('wrong token, then corrected: one-line reason, the last answer offered again', async () => {
    const dir = fresh();
    const bad = portal.webhookUrl.replace(/\/[^/]+\/$/, '/wrongtoken/');
    const prompts = new ScriptedPrompts({ webhooks: [bad, portal.webhookUrl] });
    const outcome = await run(prompts, dir);
    expect(prompts.problems).toHaveLength(1);
    expect(prompts.problems[0]).toMatchObject({
      kind: 'credentials',
      reason: `${portal.url.replace('http://', '')} refused the webhook (INVALID_CREDENTIALS): wrong user id or secret, or the webhook was deleted.`,
    });
    expect(prompts.problems[0]?.reason).not.toContain('\n');
    expect(prompts.offered.webhook).toEqual([undefined, bad]);
    expect(outcome.written).toBe(true);
    expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8')).B24LAB_PORTAL).toBe(portal.webhookUrl);
  });

  it('unreachable host and a malformed URL, then corrected', async () => {
    const dir = fresh();
    const port = await freePort();
    const prompts = new ScriptedPrompts({
      webhooks: [
        `http://127.0.0.1:${port}/rest/1/abc/`,
        'https://example.bitrix24.ru/crm/',
        portal.webhookUrl,
      ],
    });
    const outcome = await run(prompts, dir);
    expect(prompts.problems.map((p) => [p.kind, p.reason])).toEqual([
      ['unreachable', `Cannot reach 127.0.0.1:${port}: connection refused (nothing listens there).`],
      ['input', 'The portal address is not a webhook URL.'],
    ]);
    expect(outcome.written).toBe(true);
  });

  it('missing scopes are named, then a webhook with them is accepted', async () => {
    const dir = fresh();
    const limited = await callOk(portal.webhookUrl, 'b24lab.webhook.add', { scopes: 'crm' });
    const prompts = new ScriptedPrompts({ webhooks: [limited.URL, portal.webhookUrl] });
    await run(prompts, dir);
    expect(prompts.problems).toHaveLength(1);
    expect(prompts.problems[0]?.kind).toBe('scopes');
    expect(prompts.problems[0]?.reason).toBe('The webhook lacks the scopes b24lab needs: user, department.');
    expect(prompts.problems[0]?.hint).toContain('crm, user, department, task, im, disk, lists, bizproc');
  });

  it('OAuth: a wrong client secret, then the right one; the pair is saved in the state directory', async () => {
    const dir = fresh();
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    const answer: OAuthInput = {
      endpoint: `${portal.url}/rest/`,
      server: `${portal.url}/oauth/`,
      clientId: DEMO_OAUTH_CLIENT_ID,
      clientSecret: 'wrong',
      refreshToken: token.refresh_token,
    };
    const prompts = new ScriptedPrompts({
      kind: 'oauth',
      oauth: [answer, { ...answer, clientSecret: DEMO_OAUTH_CLIENT_SECRET }],
      configFrom: 'portal',
    });
    const stateDir = join(dir, '.b24lab');
    const outcome = await run(prompts, dir, { connect: connect(stateDir), stateDir });
    expect(prompts.problems.map((p) => p.kind)).toEqual(['credentials']);
    expect(prompts.problems[0]?.reason).toContain('invalid_client');
    expect(prompts.offered.plan?.join('\n')).not.toContain(DEMO_OAUTH_CLIENT_SECRET);
    expect(prompts.offered.plan?.join('\n')).not.toContain(token.refresh_token);
    expect(outcome).toMatchObject({ written: true, result: { kind: 'oauth', stateDir } });
    const env = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    expect(env.B24LAB_OAUTH_CLIENT_SECRET).toBe(DEMO_OAUTH_CLIENT_SECRET);
    expect(env.B24LAB_PORTAL).toBeUndefined();
    const pair = JSON.parse(readFileSync(join(stateDir, 'oauth-token.json'), 'utf8'));
    expect(env.B24LAB_OAUTH_REFRESH_TOKEN).toBe(pair.refreshToken);
    expect(pair.refreshToken).not.toBe(token.refresh_token);
    expect(readdirSync(join(dir, 'config')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
  });

  it('a no at the confirmation writes nothing; an existing config/ may be kept', async () => {
    const dir = fresh();
    writeFileSync(join(dir, '.env'), 'OLD=1\n');
    mkdirSync(join(dir, 'config'));
    const no = new ScriptedPrompts({ webhooks: [portal.webhookUrl], confirm: false });
    expect(await run(no, dir)).toEqual({ written: false });
    expect(no.offered.canKeep).toBe(true);
    expect(no.offered.overwriting).toEqual([join(dir, '.env'), join(dir, 'config')]);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('OLD=1\n');
    expect(existsSync(join(dir, '.gitignore'))).toBe(false);
    const keep = new ScriptedPrompts({ webhooks: [portal.webhookUrl], configFrom: 'keep' });
    await run(keep, dir);
    expect(keep.offered.overwriting).toEqual([join(dir, '.env')]);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(
      `OLD=1\nB24LAB_PORTAL=${portal.webhookUrl}\nB24LAB_RATE_LIMIT=standard\n`,
    );
  });
});
