import { describe, expect, it } from 'vitest';
import { B24Error, LOCAL_CODES } from '../../src/rest/errors.js';
import { isReadBatch, isReadMethod } from '../../src/rest/method-kind.js';
import { decide, provesNotRun } from '../../src/rest/retry-policy.js';

const err = (
  method: string,
  code: string,
  httpStatus: number,
  retryable = true,
  networkCode?: string,
): B24Error =>
  new B24Error({
    method,
    code,
    description: code,
    httpStatus,
    retryable,
    ...(networkCode ? { networkCode } : {}),
  });
const net = (method: string, networkCode: string): B24Error =>
  err(method, LOCAL_CODES.network, 0, true, networkCode);
const half = (): number => 0.5;

describe('method kinds', () => {
  it('classifies reads by the table and the verb, everything else as writes', () => {
    for (const m of [
      'crm.deal.list',
      'crm.item.get',
      'user.get',
      'department.get',
      'crm.deal.fields',
      'profile',
      'server.time',
      'crm.deal.contact.items.get',
      'lists.element.get.file.url',
      'tasks.task.list',
      'user.current',
      'CRM.DEAL.LIST',
      'disk.folder.getchildren',
    ]) {
      expect(isReadMethod(m), m).toBe(true);
    }
    for (const m of [
      'crm.deal.update',
      'crm.deal.add',
      'crm.deal.contact.items.set',
      'user.add',
      'b24lab.oauth.issue',
      'crm.dealcategory.default.set',
      'im.notify.system.add',
      'some.unknown.thing',
      'batch',
    ]) {
      expect(isReadMethod(m), m).toBe(false);
    }
    expect(isReadBatch(['crm.deal.list', 'user.get'])).toBe(true);
    expect(isReadBatch(['crm.deal.list', 'crm.deal.update'])).toBe(false);
  });
});

describe('retry policy decide()', () => {
  it('retries reads on 503, 5xx and network errors with growing, capped, jittered delays', () => {
    const e = err('crm.deal.list', 'INTERNAL_SERVER_ERROR', 500);
    const delays = [0, 1, 2, 3, 4]
      .map((a) => decide(e, a, half, { maxAttempts: 10 }))
      .map((d) => (d.retry ? d.delayMs : -1));
    expect(delays).toEqual([375, 750, 1500, 3000, 6000]);
    expect(decide(e, 8, () => 1, { maxAttempts: 10 })).toMatchObject({ retry: true, delayMs: 30_000 }); // capped
    expect(decide(e, 0, () => 0).retry && decide(e, 0, () => 0)).toMatchObject({ delayMs: 250 }); // jitter floor: half
    expect(decide(err('user.get', 'QUERY_LIMIT_EXCEEDED', 503), 0, half).retry).toBe(true);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED'])
      expect(decide(net('user.get', code), 0, half).retry).toBe(true);
    expect(decide(err('user.get', LOCAL_CODES.notJson, 502), 0, half).retry).toBe(true);
  });

  it('retries writes only when the error proves the call did not run', () => {
    const write = 'crm.deal.update';
    expect(decide(err(write, 'QUERY_LIMIT_EXCEEDED', 503), 0, half).retry).toBe(true);
    expect(decide(err(write, 'OPERATION_TIME_LIMIT', 429), 0, half).retry).toBe(true);
    expect(decide(net(write, 'ECONNREFUSED'), 0, half).retry).toBe(true);
    // The answer was lost after the write may have run: never repeat.
    expect(decide(net(write, 'ECONNRESET'), 0, half)).toMatchObject({
      retry: false,
      reason: expect.stringMatching(/write/),
    });
    expect(decide(net(write, 'ETIMEDOUT'), 0, half).retry).toBe(false);
    expect(decide(err(write, 'INTERNAL_SERVER_ERROR', 500), 0, half).retry).toBe(false);
    expect(decide(err(write, LOCAL_CODES.notJson, 502), 0, half).retry).toBe(false);
    expect(provesNotRun(err(write, 'query_limit_exceeded', 503))).toBe(true);
  });

  it('lets the caller say what a batch is', () => {
    const e = net('batch', 'ECONNRESET');
    expect(decide(e, 0, half, { read: true }).retry).toBe(true);
    expect(decide(e, 0, half, { read: false }).retry).toBe(false);
  });

  it('waits for the operating budget on 429, and gives up when the reset is too far', () => {
    const e = err('crm.deal.list', 'OPERATION_TIME_LIMIT', 429);
    e.retryAfterMs = 90_000;
    expect(decide(e, 0, half)).toMatchObject({ retry: true, delayMs: 90_000 });
    expect(decide(err('crm.deal.list', 'OPERATION_TIME_LIMIT', 429), 0, half)).toMatchObject({
      retry: true,
      delayMs: 60_000,
    });
    e.retryAfterMs = 20 * 60_000;
    expect(decide(e, 0, half).retry).toBe(false);
  });

  it('surfaces permanent errors at once and stops after the last attempt', () => {
    expect(decide(err('crm.deal.list', 'INVALID_CREDENTIALS', 401, false), 0, half).retry).toBe(false);
    expect(decide(err('crm.deal.list', 'ACCESS_DENIED', 403, false), 0, half).retry).toBe(false);
    expect(decide(err('crm.deal.list', 'INTERNAL_SERVER_ERROR', 500), 5, half)).toMatchObject({
      retry: false,
      reason: 'gave up after 6 attempts',
    });
  });
});
