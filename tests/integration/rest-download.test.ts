import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_CLIENT_SECRET } from '../../src/emulator/start-local-portal.js';
import type { B24Client } from '../../src/rest/client.js';
import { createClient } from '../../src/rest/client.js';
import { resolveConnection } from '../../src/rest/connection.js';
import { B24Error } from '../../src/rest/errors.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { tempDir } from './rest-helpers.js';

/** `client.download`: the REST client fetches files by the portal's links with its own auth. */
let portal: LocalPortal;
const state = tempDir();
let link: string;
let webhook: B24Client;

beforeAll(async () => {
  portal = await portalForTest();
  await callOk(portal.webhookUrl, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'SCAN', USER_TYPE_ID: 'file' },
  });
  const id = await callOk(portal.webhookUrl, 'crm.deal.add', {
    fields: {
      TITLE: 'Скан',
      UF_CRM_SCAN: ['скан договора.pdf', Buffer.from('%PDF-1.4 скан').toString('base64')],
    },
  });
  const { item } = await callOk(portal.webhookUrl, 'crm.item.get', {
    entityTypeId: 2,
    id,
    useOriginalUfNames: 'Y',
  });
  link = item.UF_CRM_SCAN.urlMachine as string;
  webhook = createClient({ connection: { kind: 'webhook', url: portal.webhookUrl }, rateLimit: 'off' });
});
afterAll(async () => {
  webhook.close();
  await portal.close();
  state.remove();
});

describe('client.download', () => {
  it('downloads with the webhook’s auth: bytes and the file’s name, counted as a request', async () => {
    const before = webhook.stats().requests;
    const file = await webhook.download(link);
    expect(file.content.toString('utf8')).toBe('%PDF-1.4 скан');
    expect(file.name).toBe('скан договора.pdf');
    expect(webhook.stats().requests).toBe(before + 1);
  });

  it('downloads with an application’s token, refreshed when it expired', async () => {
    const token = await callOk(portal.webhookUrl, 'b24lab.oauth.issue');
    const client = createClient({
      connection: resolveConnection(undefined, {
        B24LAB_OAUTH_ENDPOINT: `${portal.url}/rest/`,
        B24LAB_OAUTH_SERVER: `${portal.url}/oauth/`,
        B24LAB_OAUTH_CLIENT_ID: DEMO_OAUTH_CLIENT_ID,
        B24LAB_OAUTH_CLIENT_SECRET: DEMO_OAUTH_CLIENT_SECRET,
        B24LAB_OAUTH_REFRESH_TOKEN: token.refresh_token,
        B24LAB_OAUTH_ACCESS_TOKEN: token.access_token,
      }),
      stateDir: state.path,
      rateLimit: 'off',
    });
    try {
      expect((await client.download(link)).content.toString('utf8')).toBe('%PDF-1.4 скан');
      await callOk(portal.webhookUrl, 'b24lab.clock.advance', { hours: 2 });
      expect((await client.download(link)).content.toString('utf8')).toBe('%PDF-1.4 скан');
      expect(client.stats().refreshes).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a link that names no file: ERROR_NOT_FOUND without the link in the message; another host: refused', async () => {
    const bad = link.replace(/%7C\w+$/, '%7Cnope');
    const error = await webhook.download(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(B24Error);
    expect((error as B24Error).code).toBe('ERROR_NOT_FOUND');
    expect(JSON.stringify(error)).not.toContain(portal.webhookUrl.split('/').at(-2));
    const foreign = await webhook
      .download('http://127.0.0.2:1/rest/download.json?token=x')
      .catch((e: unknown) => e);
    expect((foreign as B24Error).code).toBe('B24LAB_USAGE');
  });
});
