import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { portalForTest } from '../helpers/local-portal.js';

// util-linux `script` gives the binary a pseudo-terminal, so it runs exactly as at a person's keyboard.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

let portal: LocalPortal;
const dirs: string[] = [];
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const plain = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/** A terminal session with the real binary: waits for text on the screen, then types. */
function terminal(args: string[], cwd: string) {
  const command = [process.execPath, resolve('bin/b24lab'), ...args].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm', HOME: cwd },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let seen = 0;
  let waiter: (() => void) | undefined;
  child.stdout.on('data', (c: Buffer) => {
    screen += c.toString();
    waiter?.();
  });
  const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
  return {
    exited,
    screen: () => plain(screen),
    /** Resolves once `text` shows after the last thing waited for. */
    waitFor(text: string): Promise<void> {
      return new Promise((done, fail) => {
        const check = (): void => {
          const at = plain(screen).indexOf(text, seen);
          if (at >= 0) {
            seen = at + text.length;
            waiter = undefined;
            done();
          }
        };
        waiter = check;
        void exited.then(() => fail(new Error(`exited before "${text}":\n${plain(screen)}`)));
        check();
      });
    },
    type(keys: string): void {
      child.stdin.write(keys);
    },
  };
}

describe.skipIf(!hasScript)('b24lab init on a real terminal', () => {
  it('asks, says why a wrong token failed, asks again, and writes after yes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-tty-'));
    dirs.push(dir);
    const bad = portal.webhookUrl.replace(/\/[^/]+\/$/, '/wrongtoken/');
    const t = terminal(['init'], dir);
    await t.waitFor('How should b24lab connect to the portal?');
    t.type('\r');
    await t.waitFor('Webhook URL');
    t.type(`${bad}\r`);
    await t.waitFor('refused the webhook (INVALID_CREDENTIALS)');
    await t.waitFor('Webhook URL');
    t.type(`${portal.webhookUrl}\r`);
    await t.waitFor(`Connected to ${portal.url} as user 1.`);
    await t.waitFor("The portal's plan");
    t.type('\x1b[B'); // arrow down: Enterprise
    await t.waitFor('Enterprise cloud plans');
    t.type('\r');
    await t.waitFor('Starter configuration');
    t.type('\r');
    await t.waitFor('Write these files?');
    t.type('y\r');
    expect(await t.exited).toBe(0);
    expect(t.screen()).toContain('Next: b24lab plan');
    expect(t.screen()).toContain(
      `✗ ${portal.url.replace('http://', '')} refused the webhook (INVALID_CREDENTIALS)`,
    );
    // The answered question keeps the URL with its secret masked.
    expect(t.screen()).toMatch(/✔ Webhook URL \(.*?\):\s*http:\/\/127\.0\.0\.1:\d+\/rest\/1\/\*\*\*\//);
    expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))).toEqual({
      B24LAB_PORTAL: portal.webhookUrl,
      B24LAB_RATE_LIMIT: 'enterprise',
    });
  });

  it('Ctrl+C at a question stops with 130 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-tty-'));
    dirs.push(dir);
    const t = terminal(['init'], dir);
    await t.waitFor('How should b24lab connect to the portal?');
    t.type('\x03');
    expect(await t.exited).toBe(130);
    expect(t.screen()).toContain('Cancelled: nothing was written.');
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });
});
