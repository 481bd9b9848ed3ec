import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

let portal: LocalPortal;
beforeAll(async () => {
  portal = await portalForTest();
});
afterAll(async () => {
  await portal.close();
});

describe.each<Encoding>(['json', 'form'])('b24lab.webhook.add (%s)', (encoding) => {
  it('makes a webhook limited to its scopes: scope lists them, other methods answer insufficient_scope', async () => {
    const hook = await callOk(portal.webhookUrl, 'b24lab.webhook.add', { scopes: ['crm', 'user'] }, encoding);
    expect(hook).toMatchObject({ USER_ID: 1, SCOPES: ['crm', 'user'] });
    expect(hook.URL).toMatch(new RegExp(`^${portal.url}/rest/1/[0-9a-f]+/$`));
    expect(await callOk(hook.URL, 'scope', {}, encoding)).toEqual(['crm', 'user']);
    expect(await callOk(hook.URL, 'scope', { full: 'true' }, encoding)).toContain('department');
    expect(await callOk(hook.URL, 'profile', {}, encoding)).toMatchObject({ ID: '1' });
    expect((await callOk(hook.URL, 'user.get', {}, encoding)).length).toBeGreaterThan(0);
    const refused = await rawCall(hook.URL, 'department.get', {}, encoding);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the webhook token',
    });
    // The portal's own webhook keeps every scope.
    expect(await callOk(portal.webhookUrl, 'scope', {}, encoding)).toContain('department');
  });

  it('refuses inside a batch per command, and a wrong secret of the new webhook', async () => {
    const hook = await callOk(portal.webhookUrl, 'b24lab.webhook.add', { scopes: 'crm' }, encoding);
    const batch = await callOk(
      hook.URL,
      'batch',
      { halt: 0, cmd: { a: 'crm.deal.list?start=-1', b: 'department.get' } },
      encoding,
    );
    expect(batch.result_error.b.error).toBe('insufficient_scope');
    expect(batch.result.a).toEqual([]);
    const wrong = await rawCall(hook.URL.replace(/[0-9a-f]+\/$/, 'nope/'), 'profile', {}, encoding);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('INVALID_CREDENTIALS');
  });

  it('rejects an unknown scope and an unknown user', async () => {
    const scope = await rawCall(
      portal.webhookUrl,
      'b24lab.webhook.add',
      { scopes: ['crm', 'nope'] },
      encoding,
    );
    expect(scope.status).toBe(400);
    expect(scope.body).toMatchObject({ error: 'ERROR_ARGUMENT', argument: 'scopes' });
    expect(scope.body.error_description).toContain('nope');
    const user = await rawCall(
      portal.webhookUrl,
      'b24lab.webhook.add',
      { scopes: 'crm', userId: 999 },
      encoding,
    );
    expect(user.body.error).toBe('ERROR_NOT_FOUND');
  });
});
