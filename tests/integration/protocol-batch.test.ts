import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { buildPhpQuery } from '../../src/emulator/protocol/php-params.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let portal: LocalPortal;

beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

describe('batch', () => {
  it.each(['json', 'form'] as const)(
    '%s: runs commands in order with $result references',
    async (encoding) => {
      const result = await callOk(
        portal.webhookUrl,
        'batch',
        {
          halt: 0,
          cmd: {
            me: 'user.current',
            dep: 'department.get?ID=$result[me][UF_DEPARTMENT][0]',
            name: `department.get?${buildPhpQuery({ NAME: 'Компания' })}`,
          },
        },
        encoding,
      );
      expect(result.result.me.ID).toBe('1');
      expect(result.result.dep).toEqual([{ ID: '1', NAME: 'Компания', SORT: 500, UF_HEAD: '1' }]);
      expect(result.result.name).toHaveLength(1);
      expect(result.result_error).toEqual([]);
      expect(result.result_total).toEqual({ dep: 1, name: 1 });
      expect(result.result_next).toEqual([]);
      expect(Object.keys(result.result_time)).toEqual(['me', 'dep', 'name']);
      expect(result.result_time.me).toMatchObject({
        start: expect.any(Number),
        duration: expect.any(Number),
      });
    },
  );

  it('accepts the array form and answers with arrays', async () => {
    const result = await callOk(portal.webhookUrl, 'batch', { cmd: ['user.current', 'server.time'] });
    expect(Array.isArray(result.result)).toBe(true);
    expect(result.result[0].ID).toBe('1');
    expect(typeof result.result[1]).toBe('string');
  });

  it('keys per-command errors by command and goes on when halt=0', async () => {
    const result = await callOk(portal.webhookUrl, 'batch', {
      halt: 0,
      cmd: { bad: 'department.update?ID=999&NAME=x', missing: 'no.such.method', good: 'user.current' },
    });
    expect(result.result_error).toEqual({
      bad: { error: 'ERROR_CORE', error_description: 'Department not found' },
      missing: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    expect(result.result.good.ID).toBe('1');
  });

  it('stops at the first failing command when halt=1', async () => {
    const result = await callOk(portal.webhookUrl, 'batch', {
      halt: 1,
      cmd: { first: 'user.current', bad: 'department.update?ID=999&NAME=x', after: 'user.current' },
    });
    expect(Object.keys(result.result)).toEqual(['first']);
    expect(Object.keys(result.result_error)).toEqual(['bad']);
  });

  it('treats the form string "false" as a true halt, as PHP does', async () => {
    const result = await callOk(
      portal.webhookUrl,
      'batch',
      { halt: 'false', cmd: { bad: 'department.update?ID=999', after: 'user.current' } },
      'form',
    );
    expect(result.result).toEqual([]);
  });

  it('runs at most 50 commands and marks the rest ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 53; i++) cmd[`c${i}`] = 'server.time';
    const result = await callOk(portal.webhookUrl, 'batch', { cmd });
    expect(Object.keys(result.result)).toHaveLength(50);
    expect(result.result_error).toEqual({
      c50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c52: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
  });

  it('refuses a nested batch per command', async () => {
    const result = await callOk(portal.webhookUrl, 'batch', { cmd: { inner: 'batch?cmd[a]=server.time' } });
    expect(result.result_error.inner.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
  });

  it('resolves $next and $total, and gives an unresolvable path as what it reached', async () => {
    for (const [from, to] of [
      [0, 30],
      [30, 55],
    ] as const) {
      const adds: Record<string, string> = {};
      for (let i = from; i < to; i++) {
        adds[`u${i}`] = `user.add?${buildPhpQuery({ EMAIL: `batch${i}@lab.test`, UF_DEPARTMENT: [1] })}`;
      }
      await callOk(portal.webhookUrl, 'batch', { cmd: adds });
    }
    const result = await callOk(portal.webhookUrl, 'batch', {
      cmd: {
        page1: 'user.get?start=0',
        page2: 'user.get?start=$next[page1]',
        count: 'department.get?SORT=$total[page1]',
        chained: 'user.get?FILTER[>ID]=$result[page2][49][ID]',
      },
    });
    expect(result.result_total.page1).toBe(56);
    expect(result.result_next.page1).toBe(50);
    expect(result.result.page2).toHaveLength(6);
    expect(result.result.count).toEqual([]);
    // page2 has 6 rows: `[49][ID]` walks to page2's array and stops; the array as a filter value matches nothing.
    expect(result.result.chained).toEqual([]);
  });

  it('answers batch errors for a wrong webhook before running anything', async () => {
    const answer = await rawCall(`${portal.url}/rest/1/nope/`, 'batch', { cmd: { a: 'user.current' } });
    expect(answer.status).toBe(401);
  });
});
