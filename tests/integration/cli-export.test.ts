import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords } from '../../src/emulator/crm/records.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { runCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { seedUsers, tempDir } from './rest-helpers.js';

let portal: LocalPortal;
const state = tempDir();
const files = tempDir('b24lab-export-');
let env: Record<string, string>;
const DEALS = 3_210;

beforeAll(async () => {
  portal = await portalForTest();
  env = { B24LAB_PORTAL: portal.webhookUrl, B24LAB_STATE: state.path };
  seedRecords(
    portal.portal,
    2,
    Array.from({ length: DEALS }, (_, i) => ({
      title: i % 7 === 0 ? `Сделка "${i}", с запятой` : `Сделка ${i}`,
      opportunity: i * 10,
      stageId: i % 2 === 0 ? 'NEW' : 'PREPARATION',
    })),
  );
  seedUsers(portal, 120);
  for (const title of ['Позвонить клиенту', 'Отправить счёт', 'Проверить оплату']) {
    await callOk(portal.webhookUrl, 'tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 1 } });
  }
});
afterAll(async () => {
  await portal.close();
  state.remove();
  files.remove();
});

const ndjson = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('b24lab export', () => {
  it('streams every deal as NDJSON to stdout, 2,500 rows per request', async () => {
    const run = await runCli(['export', 'deals'], { env });
    expect(run.code).toBe(0);
    const rows = ndjson(run.stdout);
    expect(rows).toHaveLength(DEALS);
    expect(rows.map((r) => Number(r.ID))).toEqual(Array.from({ length: DEALS }, (_, i) => i + 1));
    expect(rows[0]).toMatchObject({
      ID: '1',
      TITLE: 'Сделка "0", с запятой',
      STAGE_ID: 'NEW',
      OPPORTUNITY: '0.00',
    });
    expect(run.stderr).toMatch(/^exported 3,210 deals \(ndjson\) in 2 requests/);
  });

  it('writes CSV to a file through a .partial name, with the columns of the select', async () => {
    const out = join(files.path, 'deals.csv');
    const run = await runCli(
      ['export', 'deals', '--out', out, '--select', 'ID,TITLE,OPPORTUNITY', '--json'],
      { env },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stderr)).toMatchObject({
      entity: 'deals',
      method: 'crm.deal.list',
      format: 'csv',
      rows: DEALS,
      total: DEALS,
      requests: 2,
      out,
    });
    const records = parse<Record<string, string>>(readFileSync(out, 'utf8'), { columns: true });
    expect(records).toHaveLength(DEALS);
    expect(Object.keys(records[0]!)).toEqual(['ID', 'TITLE', 'OPPORTUNITY']);
    expect(records[7]).toEqual({ ID: '8', TITLE: 'Сделка "7", с запятой', OPPORTUNITY: '70.00' });
    expect(readdirSync(files.path).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('passes a server-side filter through and stops at --limit', async () => {
    const run = await runCli(
      [
        'export',
        'deals',
        '--filter',
        'STAGE_ID=PREPARATION',
        '--filter',
        '{">=OPPORTUNITY": 20000}',
        '--select',
        'ID,STAGE_ID',
      ],
      { env },
    );
    const rows = ndjson(run.stdout);
    expect(rows.every((r) => r.STAGE_ID === 'PREPARATION' && Number(r.ID) > 2000)).toBe(true);
    expect(rows).toHaveLength((DEALS - 2_000) / 2);
    expect(ndjson((await runCli(['export', 'deals', '--limit', '75'], { env })).stdout)).toHaveLength(75);
  });

  it('exports crm.item rows (camelCase ids), tasks, users and departments', async () => {
    const items = ndjson(
      (await runCli(['export', 'items', '--type', '2', '--select', 'id,title'], { env })).stdout,
    );
    expect(items).toHaveLength(DEALS);
    expect(items[0]).toMatchObject({ id: 1, title: 'Сделка "0", с запятой' });
    const tasks = ndjson((await runCli(['export', 'tasks'], { env })).stdout);
    expect(tasks.map((t) => t.title)).toEqual(['Позвонить клиенту', 'Отправить счёт', 'Проверить оплату']);
    const users = (await runCli(['export', 'users', '--format', 'csv'], { env })).stdout.split('\n');
    expect(users).toHaveLength(1 + 121);
    expect(users[0]).toMatch(/^ID,/);
    const departments = ndjson((await runCli(['export', 'departments'], { env })).stdout);
    expect(departments[0]).toMatchObject({ ID: '1', NAME: 'Компания' });
  });

  it('says what is wrong with the request', async () => {
    const unknown = await runCli(['export', 'spaceships'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Cannot export "spaceships"/);
    expect(unknown.stderr).toMatch(/deals, contacts, companies/);
    expect((await runCli(['export', 'items'], { env })).stderr).toMatch(/--type <entityTypeId>/);
    expect((await runCli(['export', 'deals', '--format', 'xml'], { env })).stderr).toMatch(
      /--format must be ndjson or csv/,
    );
    expect((await runCli(['export', 'deals', '--limit', '0'], { env })).stderr).toMatch(
      /--limit must be a whole number/,
    );
  });

  it('leaves no file behind when the export fails', async () => {
    const out = join(files.path, 'broken.ndjson');
    const run = await runCli(['export', 'deals', '--out', out], {
      env: { ...env, B24LAB_PORTAL: `${portal.url}/rest/1/wrong-secret/` },
    });
    expect(run.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
