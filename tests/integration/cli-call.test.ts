import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { tempDir } from './rest-helpers.js';

let portal: LocalPortal;
const state = tempDir();
let env: Record<string, string>;

beforeAll(async () => {
  portal = await portalForTest();
  env = { B24LAB_PORTAL: portal.webhookUrl, B24LAB_STATE: state.path };
});
afterAll(async () => {
  await portal.close();
  state.remove();
});

describe('b24lab call', () => {
  it('prints the result as JSON', async () => {
    const run = await runCli(['call', 'user.current'], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ID: '1', NAME: 'Администратор' });
  });

  it('takes PHP-style pairs (with := for typed values) and JSON, and prints the envelope with --full', async () => {
    const added = await runCli(['call', 'department.add', 'NAME=Отдел логистики', 'PARENT=1', 'SORT:=250'], {
      env,
    });
    expect(added.code).toBe(0);
    const id = Number(added.stdout);
    expect(id).toBeGreaterThan(1);
    const got = await runCli(['call', 'department.get', JSON.stringify({ ID: id })], { env });
    expect(JSON.parse(got.stdout)).toEqual([
      { ID: String(id), NAME: 'Отдел логистики', SORT: 250, PARENT: '1' },
    ]);
    const full = await runCli(['call', 'user.get', 'FILTER[>=ID]=1', '--full'], { env });
    expect(JSON.parse(full.stdout)).toMatchObject({
      result: [{ ID: '1' }],
      total: 1,
      time: { duration: expect.any(Number) },
    });
  });

  it('takes the portal from --portal as well as B24LAB_PORTAL', async () => {
    const run = await runCli(['call', 'profile', '--portal', portal.webhookUrl, '--state', state.path]);
    expect(JSON.parse(run.stdout)).toMatchObject({ ID: '1', ADMIN: true });
  });

  it('explains portal errors with the code and a hint, exit 1', async () => {
    const run = await runCli(['call', 'crm.nothing.here'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'error crm.nothing.here: Method not found! [ERROR_METHOD_NOT_FOUND] (HTTP 404)',
    );
    expect(run.stderr).toContain('hint');
  });

  it('explains a wrong webhook without showing the secret', async () => {
    const run = await runCli(['call', 'user.current'], {
      env: { ...env, B24LAB_PORTAL: `${portal.url}/rest/1/my-wrong-secret-777/` },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/INVALID_CREDENTIALS/);
    expect(run.stderr).toMatch(/Check the webhook URL/);
    expect(run.stderr).not.toContain('my-wrong-secret-777');
  });

  it('refuses bad input before calling anything', async () => {
    expect((await runCli(['call', 'user.get', 'no-equals-sign'], { env })).stderr).toMatch(
      /is not a key=value pair/,
    );
    expect((await runCli(['call', 'user.get', '{oops'], { env })).stderr).toMatch(/not valid JSON/);
    const noPortal = await runCli(['call', 'user.get'], { env: { B24LAB_STATE: state.path } });
    expect(noPortal.code).toBe(1);
    expect(noPortal.stderr).toMatch(/No portal to talk to/);
    expect((await runCli(['call', 'user.get', '--rate-limit', 'fast'], { env })).stderr).toMatch(
      /--rate-limit/,
    );
  });

  it('many b24lab processes at once share one bucket through the state directory: no 503', async () => {
    // 8 processes start together (more than the burst of 6: without the shared bucket each would send
    // at once). A reserve of 2 (1 s at 2/s) absorbs node processes booting on a busy machine.
    const limited = await portalForTest({ rateLimit: { burst: 6, drain: 2 } });
    const shared = tempDir();
    try {
      const runs = Array.from(
        { length: 14 },
        () =>
          spawnCli(['call', 'server.time'], {
            B24LAB_PORTAL: limited.webhookUrl,
            B24LAB_STATE: shared.path,
            B24LAB_RATE_LIMIT: '6/2/2',
          }).done,
      );
      const results = await Promise.all(runs);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect((await callOk(limited.webhookUrl, 'b24lab.stats.get')).refused503).toBe(0);
    } finally {
      shared.remove();
      await limited.close();
    }
  }, 90_000);
});
