import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { portalForTest } from '../helpers/local-portal.js';

let portal: LocalPortal;
beforeAll(async () => {
  portal = await portalForTest({ tls: true });
});
afterAll(async () => {
  await portal.close();
});

describe('--tls', () => {
  it('serves https with a certificate a client can trust from the printed file', async () => {
    expect(portal.webhookUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/rest\/1\//);
    const ca = readFileSync(portal.caCertFile!);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${portal.webhookUrl}profile`, { ca }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body).result.ID).toBe('1');
  });
});
