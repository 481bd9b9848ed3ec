import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bitrix } from '@2bad/bitrix';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { seedRecords } from '../../src/emulator/crm/records.js';
import { portalForTest } from '../helpers/local-portal.js';

/**
 * A real Bitrix24 client from npm, unchanged, against the local portal: @2bad/bitrix sends GET
 * requests with PHP-style query strings, lists with one call plus an offset batch, and checks
 * `result_error` of batches (reference/peer-clients.md §1.4, §4.2).
 */
let portal: LocalPortal;
let client: ReturnType<typeof Bitrix>;
const DEALS = 1_234;

beforeAll(async () => {
  portal = await portalForTest();
  seedRecords(
    portal.portal,
    2,
    Array.from({ length: DEALS }, (_, i) => ({ title: `Экспертиза №${i + 1}`, opportunity: 1000 + i })),
  );
  client = Bitrix(portal.webhookUrl.replace(/\/$/, ''));
});
afterAll(async () => {
  await portal.close();
});

describe('@2bad/bitrix against the local portal', () => {
  it('lists every deal (more than 1,000) through its offset batch', async () => {
    const payload = await client.deals.list({ select: ['ID', 'TITLE', 'OPPORTUNITY'] });
    expect(payload.total).toBe(DEALS);
    expect(payload.result).toHaveLength(DEALS);
    const ids = new Set(payload.result.map((d) => d.ID));
    expect(ids.size).toBe(DEALS);
    expect(payload.result.find((d) => d.TITLE === 'Экспертиза №1000')?.OPPORTUNITY).toBe('1999.00');
  });

  it('adds and updates a deal, and reads it back', async () => {
    const created = await client.deals.create({ TITLE: 'Судебная экспертиза', OPPORTUNITY: '15000' });
    expect(typeof created.result).toBe('number');
    const id = String(created.result);
    const updated = await client.deals.update(id, { TITLE: 'Судебная экспертиза (срочно)' });
    expect(updated.result).toBe(true);
    const read = await client.deals.get(id);
    expect(read.result).toMatchObject({
      ID: id,
      TITLE: 'Судебная экспертиза (срочно)',
      OPPORTUNITY: '15000.00',
    });
  });

  it('runs a batch of named commands', async () => {
    const payload = await client.batch({
      one: { method: 'crm.deal.get', params: { id: '1' } },
      page: { method: 'crm.deal.list', params: { filter: { '>ID': 1200 }, select: ['ID'] } },
    } as never);
    const result = (payload as { result: { result: Record<string, any> } }).result.result;
    expect(result.one.ID).toBe('1');
    expect(result.page.map((d: { ID: string }) => d.ID)).toHaveLength(DEALS + 1 - 1200);
  });

  it('gets the not-found error it expects', async () => {
    await expect(client.deals.get('999999')).rejects.toMatchObject({
      response: { statusCode: 400, body: { error: '', error_description: 'Not found' } },
    });
  });
});
