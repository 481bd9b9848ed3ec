import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

const fresh = (): string => mkdtempSync(join(tmpdir(), 'b24lab-init-'));

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
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.env\n');
    expect(existsSync(join(dir, 'config'))).toBe(true);
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
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.env\n');
  });

  it('refuses a wrong token in one line and writes nothing', async () => {
    const dir = fresh();
    const bad = portal.webhookUrl.replace(/\/[^/]+\/$/, '/wrongtoken/');
    const run = await runCli(['init', '--portal', bad, '--rate-limit', 'off', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/portal check failed/);
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
    expect(run.stderr).toMatch(/portal check failed/);
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
