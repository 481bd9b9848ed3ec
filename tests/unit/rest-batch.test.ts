import { describe, expect, it } from 'vitest';
import type { BatchAnswer, BatchDeps } from '../../src/rest/batch.js';
import { encodeCommand, readBatchAnswer, runBatch, runBatchKeyed } from '../../src/rest/batch.js';
import { B24Error, LOCAL_CODES, makeRedactor } from '../../src/rest/errors.js';

type Handler = (
  method: string,
  query: string,
) => { result: unknown } | { error: string; error_description: string };

/** A fake batch endpoint: runs each command through `handler`, records requests. */
function fakeSend(handler: Handler) {
  const requests: Record<string, string>[] = [];
  const send: BatchDeps['send'] = async (cmd) => {
    requests.push(cmd);
    const answer: BatchAnswer = { result: {}, error: {}, total: {}, next: {}, time: {} };
    for (const [name, command] of Object.entries(cmd)) {
      const [method = '', query = ''] = command.split('?');
      const out = handler(method, query);
      if ('error' in out) answer.error[name] = out;
      else answer.result[name] = out.result;
    }
    return answer;
  };
  return { requests, send };
}

function deps(send: BatchDeps['send'], extra: Partial<BatchDeps> = {}): BatchDeps {
  return {
    send,
    concurrency: 3,
    redact: makeRedactor(() => []),
    auth: 'webhook',
    maxAttempts: 3,
    pause: async () => {},
    ...extra,
  };
}

describe('batch', () => {
  it('encodes commands as method?query', () => {
    expect(encodeCommand('crm.deal.update', { id: 5, fields: { TITLE: 'x' } })).toBe(
      'crm.deal.update?id=5&fields%5BTITLE%5D=x',
    );
    expect(encodeCommand('user.current')).toBe('user.current');
  });

  it('splits any number of calls into 50-command requests and keys results back in input order', async () => {
    const { requests, send } = fakeSend((_m, q) => ({
      result: Number(new URLSearchParams(q).get('id')) * 10,
    }));
    const calls = Array.from({ length: 123 }, (_, i) => ({ method: 'crm.deal.update', params: { id: i } }));
    const out = await runBatch<number>(calls, deps(send));
    expect(requests.map((r) => Object.keys(r).length)).toEqual([50, 50, 23]);
    expect(out.map((o) => (o.ok ? o.result : -1))).toEqual(calls.map((_, i) => i * 10));
  });

  it('returns per-command errors next to results (halt=0) and keeps record keys', async () => {
    const { send } = fakeSend((m) =>
      m === 'bad.method'
        ? { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }
        : { result: m },
    );
    const out = await runBatchKeyed(
      { a: { method: 'user.current' }, b: { method: 'bad.method' }, c: { method: 'profile' } },
      deps(send),
    );
    expect(out.a).toEqual({ ok: true, result: 'user.current' });
    expect(out.c).toEqual({ ok: true, result: 'profile' });
    expect(out.b).toMatchObject({
      ok: false,
      error: { code: 'ERROR_METHOD_NOT_FOUND', method: 'bad.method' },
    });
  });

  it('re-sends commands refused by the operating limit (they provably did not run), after a pause', async () => {
    let refusals = 2;
    const pauses: number[] = [];
    const { requests, send } = fakeSend((_m, q) => {
      if (q === 'id=1' && refusals-- > 0)
        return {
          error: 'OPERATION_TIME_LIMIT',
          error_description: 'Method is blocked due to operation time limit.',
        };
      return { result: q };
    });
    const out = await runBatch(
      [
        { method: 'crm.deal.update', params: { id: 0 } },
        { method: 'crm.deal.update', params: { id: 1 } },
      ],
      deps(send, { pause: async (_e, attempt) => void pauses.push(attempt) }),
    );
    expect(out.every((o) => o.ok)).toBe(true);
    expect(requests).toHaveLength(3);
    expect(pauses).toEqual([0, 1]);
  });

  it("marks a failed request's commands with its error, and throws a failure that would repeat", async () => {
    let n = 0;
    const flaky: BatchDeps['send'] = async (cmd) => {
      if (n++ === 0)
        throw new B24Error({
          method: 'batch',
          code: LOCAL_CODES.network,
          description: 'reset',
          httpStatus: 0,
          retryable: true,
          networkCode: 'ECONNRESET',
        });
      return {
        result: Object.fromEntries(Object.keys(cmd).map((k) => [k, true])),
        error: {},
        total: {},
        next: {},
        time: {},
      };
    };
    const out = await runBatch(
      Array.from({ length: 60 }, () => ({ method: 'crm.deal.add' })),
      deps(flaky, { concurrency: 1 }),
    );
    expect(out.slice(0, 50).every((o) => !o.ok && o.error.networkCode === 'ECONNRESET')).toBe(true);
    expect(out.slice(50).every((o) => o.ok)).toBe(true);

    const denied: BatchDeps['send'] = async () => {
      throw new B24Error({
        method: 'batch',
        code: 'INVALID_CREDENTIALS',
        description: 'Invalid request credentials',
        httpStatus: 401,
        retryable: false,
      });
    };
    await expect(runBatch([{ method: 'user.get' }], deps(denied))).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('reads PHP empty arrays in the answer as empty maps', () => {
    expect(
      readBatchAnswer({ result: [], result_error: [], result_total: [], result_next: [], result_time: [] }),
    ).toEqual({ result: {}, error: {}, total: {}, next: {}, time: {} });
    expect(readBatchAnswer({ result: ['a', 'b'] }).result).toEqual({ 0: 'a', 1: 'b' });
  });
});
