import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_WEBHOOK_TOKEN } from '../../src/emulator/start-local-portal.js';
import { portalForTest, rawCall, callOk } from '../helpers/local-portal.js';

let portal: LocalPortal;

beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

describe('URL forms', () => {
  it.each([
    ['plain', (u: string) => `${u}/rest/1/${DEMO_WEBHOOK_TOKEN}/profile`],
    ['.json suffix', (u: string) => `${u}/rest/1/${DEMO_WEBHOOK_TOKEN}/profile.json`],
    ['trailing slash', (u: string) => `${u}/rest/1/${DEMO_WEBHOOK_TOKEN}/profile/`],
    ['double slash', (u: string) => `${u}/rest/1/${DEMO_WEBHOOK_TOKEN}//profile`],
    ['method case', (u: string) => `${u}/rest/1/${DEMO_WEBHOOK_TOKEN}/PROFILE`],
  ])('%s reaches the method', async (_name, build) => {
    const response = await fetch(build(portal.url));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { ID: string }; time: Record<string, unknown> };
    expect(body.result.ID).toBe('1');
    expect(body.time).toMatchObject({
      start: expect.any(Number),
      date_start: expect.stringMatching(/\+03:00$/),
    });
  });

  it('answers an unknown method with 404 ERROR_METHOD_NOT_FOUND, even with a wrong token', async () => {
    const answer = await rawCall(`${portal.url}/rest/1/wrong-token/`, 'no.such.method');
    expect(answer).toEqual({
      status: 404,
      body: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
  });

  it('answers a wrong webhook secret with 401 INVALID_CREDENTIALS and no time block', async () => {
    const answer = await rawCall(`${portal.url}/rest/1/wrong-token/`, 'profile');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: 'INVALID_CREDENTIALS',
      error_description: 'Invalid request credentials',
    });
  });

  it('answers the OAuth form without a token with 401 NO_AUTH_FOUND', async () => {
    const answer = await rawCall(`${portal.url}/rest/`, 'profile');
    expect(answer).toEqual({
      status: 401,
      body: { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' },
    });
  });

  it('does not serve REST 3.0 paths', async () => {
    const answer = await rawCall(`${portal.url}/rest/api/1/${DEMO_WEBHOOK_TOKEN}/`, 'profile');
    expect(answer.status).toBe(404);
  });
});

describe('body encodings', () => {
  it.each(['json', 'form', 'get'] as const)('%s: nested filter keys reach the method', async (encoding) => {
    const result = await callOk(portal.webhookUrl, 'department.get', { ID: '1' }, encoding);
    expect(result).toEqual([{ ID: '1', NAME: 'Компания', SORT: 500, UF_HEAD: '1' }]);
  });

  it('treats broken JSON as no parameters and keeps query parameters', async () => {
    const response = await fetch(`${portal.webhookUrl}department.get?ID=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{broken',
    });
    const body = (await response.json()) as { result: unknown[] };
    expect(body.result).toHaveLength(1);
  });

  it('reads multipart form fields', async () => {
    const form = new FormData();
    form.append('ID', '1');
    const response = await fetch(`${portal.webhookUrl}department.get`, { method: 'POST', body: form });
    const body = (await response.json()) as { result: { ID: string }[] };
    expect(body.result[0]?.ID).toBe('1');
  });

  it('ignores unknown parameters such as the SDK markers', async () => {
    const result = await callOk(
      portal.webhookUrl,
      'profile',
      { bx24_request_id: 'x', bx24_sdk_ver: '2' },
      'get',
    );
    expect(result.ID).toBe('1');
  });
});
