import { describe, expect, it } from 'vitest';
import {
  B24Error,
  errorFromEnvelope,
  makeRedactor,
  networkError,
  notJsonError,
} from '../../src/rest/errors.js';

const SECRET = 'k3yw0rd-s3cr3t-value';
const redact = makeRedactor(() => [SECRET, undefined, 'abc']);

describe('B24Error', () => {
  it('turns envelopes into typed errors: code, description without HTML, status, retryable, hint', () => {
    const e = errorFromEnvelope(
      { error: 'ERROR_CORE', error_description: 'Department name not provided.<br>' },
      { method: 'department.add', httpStatus: 400, auth: 'webhook', redact },
    );
    expect(e).toBeInstanceOf(B24Error);
    expect(e).toMatchObject({
      name: 'B24Error',
      method: 'department.add',
      code: 'ERROR_CORE',
      description: 'Department name not provided.',
      httpStatus: 400,
      retryable: false,
    });
    expect(e.message).toBe('department.add: Department name not provided. [ERROR_CORE] (HTTP 400)');

    const numeric = errorFromEnvelope(
      { error: 0, error_description: 'SPA not found' },
      { method: 'crm.type.get', httpStatus: 400, auth: 'webhook', redact },
    );
    expect(numeric.code).toBe('0');
    expect(numeric.isNotFound).toBe(true);
    expect(
      errorFromEnvelope(
        { error: '', error_description: 'Not found' },
        { method: 'crm.deal.get', httpStatus: 400, auth: 'webhook', redact },
      ).isNotFound,
    ).toBe(true);

    const limit = errorFromEnvelope(
      { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
      { method: 'x.list', httpStatus: 503, auth: 'webhook', redact },
    );
    expect(limit.retryable).toBe(true);
  });

  it('gives hints for a wrong webhook, a missing scope, an expired refresh token and an unreachable portal', () => {
    const ctx = { method: 'crm.deal.list', httpStatus: 401, auth: 'webhook' as const, redact };
    expect(
      errorFromEnvelope(
        { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' },
        ctx,
      ).hint,
    ).toMatch(/webhook URL/);
    expect(
      errorFromEnvelope({ error: 'insufficient_scope', error_description: '' }, { ...ctx, httpStatus: 403 })
        .hint,
    ).toMatch(/"crm" scope/);
    expect(
      errorFromEnvelope(
        { error: 'insufficient_scope', error_description: '' },
        { ...ctx, method: 'tasks.task.list' },
      ).hint,
    ).toMatch(/"task" scope/);
    expect(
      errorFromEnvelope(
        { error: 'invalid_grant', error_description: 'Invalid refresh token' },
        { ...ctx, auth: 'oauth' },
      ).hint,
    ).toMatch(/refresh token expired/);
    const refused = networkError(
      'user.get',
      'ECONNREFUSED',
      'connect ECONNREFUSED 127.0.0.1:9',
      '127.0.0.1:9',
      redact,
    );
    expect(refused).toMatchObject({
      code: 'NETWORK_ERROR',
      networkCode: 'ECONNREFUSED',
      httpStatus: 0,
      retryable: true,
    });
    expect(refused.hint).toMatch(/Nothing listens at 127.0.0.1:9/);
    expect(networkError('user.get', 'ENOTFOUND', '', 'nope.invalid', redact)).toMatchObject({
      retryable: false,
      hint: expect.stringMatching(/does not resolve/),
    });
  });

  it('turns an HTML proxy page into ERROR_NOT_JSON with its title', () => {
    const e = notJsonError(
      'user.get',
      502,
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>',
      'text/html',
      redact,
    );
    expect(e).toMatchObject({ code: 'ERROR_NOT_JSON', httpStatus: 502, retryable: true });
    expect(e.message).toContain('an HTML page ("502 Bad Gateway")');
    expect(notJsonError('user.get', 200, '', '', redact)).toMatchObject({
      retryable: false,
      description: 'the portal answered with an empty body instead of JSON',
    });
  });

  it('never shows the webhook secret or a token', () => {
    expect(redact(`GET https://p.example/rest/1/${SECRET}/user.get failed, token ${SECRET}`)).toBe(
      'GET https://p.example/rest/1/***/user.get failed, token ***',
    );
    expect(redact('/rest/7/anything-here/x')).toBe('/rest/7/***/x');
    const e = errorFromEnvelope(
      { error: 'X', error_description: `bad auth ${SECRET}` },
      { method: 'm', httpStatus: 400, auth: 'webhook', redact },
    );
    expect(e.message).not.toContain(SECRET);
  });
});
