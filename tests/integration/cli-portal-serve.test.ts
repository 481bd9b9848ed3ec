import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';
import { callOk } from '../helpers/local-portal.js';

describe('b24lab portal serve', () => {
  it('prints the webhook URL on a line of its own and serves until stopped', async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => (stop = r));
    let url = '';
    const gotUrl = new Promise<void>((r) => {
      void runCli(['portal', 'serve', '--port', '0', '--token', 'test-secret-1'], {
        stop: stopped,
        onOut: (line) => {
          url = line;
          r();
        },
      });
    });
    await gotUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest\/1\/test-secret-1\/$/);
    expect((await callOk(url, 'profile')).ID).toBe('1');
    stop();
  });

  it('keeps the portal in a --data file across restarts', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'b24lab-data-')), 'portal.sqlite');
    const first = spawnCli(['portal', 'serve', '--port', '0', '--data', data]);
    const url1 = await first.firstLine;
    const id = await callOk(url1, 'department.add', { NAME: 'Лаборатория', PARENT: 1 });
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
    const second = spawnCli(['portal', 'serve', '--port', '0'], { B24LAB_PORTAL_DATA: data });
    const url2 = await second.firstLine;
    expect(await callOk(url2, 'department.get', { ID: id })).toEqual([
      { ID: String(id), NAME: 'Лаборатория', SORT: 500, PARENT: '1' },
    ]);
    second.child.kill('SIGTERM');
    await second.done;
  });

  it('logs requests as JSON lines without the webhook secret when not on a terminal', async () => {
    const run = spawnCli(['portal', 'serve', '--port', '0', '--token', 'very-secret-token'], {
      B24LAB_LOG_LEVEL: 'debug',
    });
    const url = await run.firstLine;
    await callOk(url, 'server.time');
    run.child.kill('SIGTERM');
    const { stderr } = await run.done;
    expect(stderr).not.toContain('very-secret-token');
    const lines = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        method: 'server.time',
        status: 200,
        path: '/rest/1/***/server.time',
      }),
    );
  });

  it.each([
    [['--port', 'x'], '--port must be a whole number'],
    [['--rate-limit', 'cloud'], 'Allowed choices are off, standard, enterprise'],
    [['--faults', 'boom=1'], '--faults: Bad fault rule'],
    [['--token', 'a b'], '--token must be'],
  ])('refuses %j with a one-line reason and exit code 1', async (args, message) => {
    const run = await runCli(['portal', 'serve', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it('reports a port in use with a hint', async () => {
    const first = spawnCli(['portal', 'serve', '--port', '0']);
    const port = new URL(await first.firstLine).port;
    const run = await runCli(['portal', 'serve', '--port', port]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Port ${port} is already in use`);
    expect(run.stderr).toContain('hint');
    first.child.kill('SIGTERM');
    await first.done;
  });

  it('shows help with every option and its environment variable', async () => {
    const run = spawnCli(['portal', 'serve', '--help']);
    const { code, stdout } = await run.done;
    expect(code).toBe(0);
    for (const env of [
      'B24LAB_PORTAL_PORT',
      'B24LAB_PORTAL_DATA',
      'B24LAB_PORTAL_RATE_LIMIT',
      'B24LAB_PORTAL_FAULTS',
      'B24LAB_PORTAL_TLS',
    ]) {
      expect(stdout).toContain(env);
    }
  });
});
