import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../src/backup/compare-snapshots.js';
import { createBackup } from '../../src/backup/create-backup.js';
import { loadChain } from '../../src/backup/effective-rows.js';
import { IdMap } from '../../src/backup/id-map.js';
import { restoreSnapshot } from '../../src/backup/restore-snapshot.js';
import { systemClock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { B24Client } from '../../src/rest/client.js';
import { createClient } from '../../src/rest/client.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

const ENTITIES = ['smart-process-types', 'fields', 'deals', 'smart-process-items', 'lists', 'list-elements'];
const EMAILS = ['ivanova@lab.test', 'petrov@lab.test', 'sidorov@lab.test'];
const REGISTRY = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts' };

let root: string;
const portals: LocalPortal[] = [];
const clients: B24Client[] = [];

async function portal(): Promise<{ local: LocalPortal; client: B24Client }> {
  const local = await portalForTest();
  const client = createClient({ connection: { kind: 'webhook', url: local.webhookUrl }, rateLimit: 'off' });
  portals.push(local);
  clients.push(client);
  return { local, client };
}

async function users(base: string, emails: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const email of emails)
    ids.push(
      Number(await callOk(base, 'user.add', { EMAIL: email, NAME: email.split('@')[0], UF_DEPARTMENT: [1] })),
    );
  return ids;
}

/** The contract registry «Реестр договоров»: typed fields, elements bound to deals and users. */
async function seedRegistry(base: string, staff: number[], deals: number[]): Promise<void> {
  await callOk(base, 'lists.add', { ...REGISTRY, FIELDS: { NAME: 'Реестр договоров', SORT: 100 } });
  const field = async (fields: Record<string, unknown>, encoding: 'json' | 'form'): Promise<string> =>
    (await callOk(base, 'lists.field.add', { ...REGISTRY, FIELDS: fields }, encoding)) as string;
  await field({ NAME: 'Номер договора', TYPE: 'S', CODE: 'NUMBER', IS_REQUIRED: 'Y', SORT: 20 }, 'json');
  await field({ NAME: 'Сумма', TYPE: 'N', CODE: 'AMOUNT', SORT: 30 }, 'form');
  await field({ NAME: 'Дата подписания', TYPE: 'S:Date', CODE: 'SIGNED', SORT: 40 }, 'json');
  const status = await field(
    {
      NAME: 'Статус',
      TYPE: 'L',
      CODE: 'STATUS',
      SORT: 50,
      LIST: { n0: { VALUE: 'Действует', SORT: 10, DEF: 'Y' }, n1: { VALUE: 'Расторгнут', SORT: 20 } },
    },
    'form',
  );
  const owner = await field({ NAME: 'Ответственный', TYPE: 'S:employee', CODE: 'OWNER', SORT: 60 }, 'json');
  const deal = await field({ NAME: 'Сделка', TYPE: 'S:ECrm', CODE: 'DEAL', SORT: 70, MULTIPLE: 'Y' }, 'json');
  const scan = await field({ NAME: 'Скан', TYPE: 'S:DiskFile', CODE: 'SCAN', SORT: 80 }, 'form');
  const folder = await callOk(base, 'disk.storage.addfolder', { id: 1, data: { NAME: 'Договоры' } });
  const file = await callOk(base, 'disk.folder.uploadfile', {
    id: folder.ID,
    data: { NAME: 'ГК-0.txt' },
    fileContent: ['ГК-0.txt', Buffer.from('Договор ГК-0').toString('base64')],
  });
  const statusField = Object.values(
    (await callOk(base, 'lists.field.get', { ...REGISTRY, FIELD_ID: status })) as Record<string, any>,
  )[0];
  const statusIds = Object.keys(statusField.DISPLAY_VALUES_FORM);
  for (let i = 0; i < 60; i++) {
    await callOk(
      base,
      'lists.element.add',
      {
        ...REGISTRY,
        ELEMENT_CODE: `contract-${i}`,
        FIELDS: {
          NAME: `Договор ГК-${i}`,
          PROPERTY_NUMBER: `ГК-${i}`,
          PROPERTY_AMOUNT: 1000 + i,
          PROPERTY_SIGNED: '15.03.2026',
          [status]: statusIds[i % 2],
          [owner]: staff[i % staff.length],
          [deal]: [`D_${deals[i]}`, `D_${deals[(i + 1) % deals.length]}`],
          ...(i === 0 ? { [scan]: `n${file.ID}` } : {}),
        },
      },
      i % 2 === 0 ? 'json' : 'form',
    );
  }
}

/**
 * A smart process whose fields carry its type id (UF_CRM_<id>_...), one of them an enumeration, and
 * a deal enumeration field. A type created and deleted first gives the source another type id than
 * the target will have; the smart-process field is created first so enumeration IDs differ too.
 */
async function seedSmartProcess(base: string): Promise<{ entityTypeId: number; id: number; kind: string[] }> {
  const draft = (await callOk(base, 'crm.type.add', { fields: { title: 'Черновик' } })).type;
  await callOk(base, 'crm.type.delete', { id: draft.id }, 'form');
  const type = (await callOk(base, 'crm.type.add', { fields: { title: 'Образцы' } })).type;
  const field = (
    await callOk(base, 'userfieldconfig.add', {
      moduleId: 'crm',
      field: {
        entityId: `CRM_${type.id}`,
        fieldName: `UF_CRM_${type.id}_KIND`,
        userTypeId: 'enumeration',
        editFormLabel: { ru: 'Вид образца' },
        enum: [
          { value: 'Керн', sort: 10 },
          { value: 'Шлам', sort: 20, def: 'Y' },
          { value: 'Флюид', sort: 30 },
        ],
      },
    })
  ).field;
  await callOk(
    base,
    'userfieldconfig.add',
    {
      moduleId: 'crm',
      field: {
        entityId: `CRM_${type.id}`,
        fieldName: `UF_CRM_${type.id}_DEPTH`,
        userTypeId: 'string',
        editFormLabel: { ru: 'Глубина отбора' },
      },
    },
    'form',
  );
  await callOk(base, 'crm.deal.userfield.add', {
    fields: {
      FIELD_NAME: 'WORK_TYPE',
      USER_TYPE_ID: 'enumeration',
      LABEL: 'Вид работ',
      LIST: [{ VALUE: 'ГТИ' }, { VALUE: 'Петрофизика' }],
    },
  });
  const full = await callOk(base, 'userfieldconfig.get', { moduleId: 'crm', id: field.id });
  const kind = (full.field.enum as any[]).map((i) => String(i.id));
  return { entityTypeId: Number(type.entityTypeId), id: Number(type.id), kind };
}

async function seed(base: string): Promise<void> {
  const staff = await users(base, EMAILS);
  const smart = await seedSmartProcess(base);
  const dealFields = (await callOk(base, 'crm.deal.userfield.list', {
    filter: { FIELD_NAME: 'UF_CRM_WORK_TYPE' },
  })) as any[];
  const workTypes = (dealFields[0].LIST as any[]).map((i) => String(i.ID));
  const deals: number[] = [];
  for (let i = 0; i < 61; i++)
    deals.push(
      Number(
        await callOk(base, 'crm.deal.add', {
          fields: {
            TITLE: `Экспертиза №${i}`,
            ASSIGNED_BY_ID: staff[i % 3],
            UF_CRM_WORK_TYPE: workTypes[i % 2],
          },
        }),
      ),
    );
  for (let i = 0; i < 12; i++)
    await callOk(
      base,
      'crm.item.add',
      {
        entityTypeId: smart.entityTypeId,
        fields: {
          title: `Образец ${i}`,
          [`ufCrm${smart.id}Kind`]: smart.kind[i % 3],
          [`ufCrm${smart.id}Depth`]: `${1500 + i} м`,
          parentId2: deals[i],
        },
      },
      i % 2 === 0 ? 'json' : 'form',
    );
  await seedRegistry(base, staff, deals);
}

async function backup(client: B24Client): Promise<string> {
  const result = await createBackup({
    client,
    root,
    portal: client.portal,
    kind: 'full',
    version: 'test',
    clock: systemClock,
    download: async (url) => (await client.download(url)).content,
  });
  expect(result.skipped).toEqual({});
  return result.path;
}

async function expectSame(source: string, target: string, mappingFile: string): Promise<void> {
  const map = IdMap.from(JSON.parse(await readFile(mappingFile, 'utf8')).map);
  const diffs = await compareSnapshots(await loadChain(source), await loadChain(target), map, ENTITIES);
  for (const d of diffs) {
    expect(d.problems, d.entity).toEqual([]);
    expect(d.target, d.entity).toBe(d.source);
  }
}

let source: { local: LocalPortal; client: B24Client };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'b24lab-restore-lists-'));
  source = await portal();
  await seed(source.local.webhookUrl);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of portals) await p.close();
  await rm(root, { recursive: true, force: true });
});

describe('restore: universal lists', () => {
  it('restores the registry, its fields and elements: the second backup equals the first', async () => {
    const full = await backup(source.client);
    const manifest = JSON.parse(await readFile(join(full, 'manifest.json'), 'utf8'));
    expect(manifest.entities.lists.count).toBe(1);
    expect(manifest.entities['list-elements'].count).toBe(60);

    const target = await portal();
    await users(target.local.webhookUrl, ['someone@else.test', ...[...EMAILS].reverse()]);
    const mappingFile = join(root, 'lists.json');
    const result = await restoreSnapshot({ client: target.client, snapshotDir: full, mappingFile });
    expect(result.warnings).toEqual([]);
    expect(result.created).toMatchObject({
      lists: 1,
      'list-elements': 60,
      deals: 61,
      'smart-process-fields': 2,
      'smart-process-items': 12,
    });

    const back = await backup(target.client);
    await expectSame(full, back, mappingFile);
    const map = JSON.parse(await readFile(mappingFile, 'utf8')).map;
    expect(Object.keys(map.listElement)).toHaveLength(60);

    // One element read back: its deal bindings point at the restored deals, its owner at the same person.
    const [element] = await target.client.call<any[]>('lists.element.get', {
      ...REGISTRY,
      ELEMENT_CODE: 'contract-7',
    });
    const fields = await target.client.call<Record<string, any>>('lists.field.get', REGISTRY);
    const byCode = (code: string): string =>
      String(Object.values(fields).find((f: any) => f.CODE === code).FIELD_ID);
    const bindings = Object.values<string>(element[byCode('DEAL')]);
    const titles = [];
    for (const b of bindings) {
      titles.push((await target.client.call<any>('crm.deal.get', { id: b.replace('D_', '') })).TITLE);
    }
    expect(titles).toEqual(['Экспертиза №7', 'Экспертиза №8']);
    const owner = Object.values(element[byCode('OWNER')])[0];
    const person = (await target.client.call<any[]>('user.get', { ID: owner }))[0];
    expect(person.EMAIL).toBe(EMAILS[7 % 3]);
    const status = fields[byCode('STATUS')];
    expect(status.DISPLAY_VALUES_FORM[Object.values(element[byCode('STATUS')])[0] as string]).toBe(
      'Расторгнут',
    );
    expect(Object.values(element[byCode('SIGNED')])).toEqual(['15.03.2026']);
    const [first] = await target.client.call<any[]>('lists.element.get', {
      ...REGISTRY,
      ELEMENT_CODE: 'contract-0',
    });
    const scanned = Object.values<string>(first[byCode('SCAN')])[0];
    expect((await target.client.call<any>('disk.file.get', { id: scanned })).NAME).toBe('ГК-0.txt');

    // The smart process has another id on the target: fields renamed, enumeration values re-pointed.
    const [type] = (await target.client.call<{ types: any[] }>('crm.type.list')).types;
    const [sourceType] = (await source.client.call<{ types: any[] }>('crm.type.list')).types;
    expect(type.id).not.toBe(sourceType.id);
    const kinds = (
      await target.client.call<{ fields: any[] }>('userfieldconfig.list', {
        moduleId: 'crm',
        filter: { entityId: `CRM_${type.id}` },
      })
    ).fields.map((f) => String(f.fieldName));
    expect(kinds.sort()).toEqual([`UF_CRM_${type.id}_DEPTH`, `UF_CRM_${type.id}_KIND`]);
    const kindField = (
      await target.client.call<{ fields: any[] }>('userfieldconfig.list', {
        moduleId: 'crm',
        filter: { fieldName: `UF_CRM_${type.id}_KIND` },
      })
    ).fields[0];
    const labels = new Map(
      (
        await target.client.call<{ field: any }>('userfieldconfig.get', { moduleId: 'crm', id: kindField.id })
      ).field.enum.map((i: any): [number, string] => [Number(i.id), String(i.value)]),
    );
    const items = (
      await target.client.call<{ items: any[] }>('crm.item.list', {
        entityTypeId: type.entityTypeId,
        filter: { title: 'Образец 4' },
      })
    ).items;
    expect(labels.get(Number(items[0][`ufCrm${type.id}Kind`]))).toBe('Шлам');
    expect(items[0][`ufCrm${type.id}Depth`]).toBe('1504 м');
  }, 120_000);

  it('a rerun with the same mapping file creates nothing twice', async () => {
    const full = await backup(source.client);
    const target = await portal();
    await users(target.local.webhookUrl, EMAILS);
    const mappingFile = join(root, 'rerun.json');
    const crash = restoreSnapshot({
      client: target.client,
      snapshotDir: full,
      mappingFile,
      onProgress: ({ entity, rows }) => {
        if (entity === 'list-elements' && rows >= 50) throw new Error('power cut');
      },
    });
    await expect(crash).rejects.toThrow('power cut');
    const resumed = await restoreSnapshot({ client: target.client, snapshotDir: full, mappingFile });
    expect(resumed.warnings).toEqual([]);
    expect(resumed.created['list-elements']).toBe(10);
    expect(resumed.created.lists).toBeUndefined();
    expect((await target.client.callEnvelope('lists.element.get', { ...REGISTRY, start: 0 })).total).toBe(60);
    await expectSame(full, await backup(target.client), mappingFile);
  }, 120_000);

  it('reuses a registry the target already has (by code), adds its missing fields, and warns on file values', async () => {
    const base = source.local.webhookUrl;
    await callOk(base, 'lists.field.add', {
      ...REGISTRY,
      FIELDS: { NAME: 'Оригинал', TYPE: 'F', CODE: 'ORIGINAL', SORT: 90 },
    });
    const original = Object.values(
      (await callOk(base, 'lists.field.get', REGISTRY)) as Record<string, any>,
    ).find((f) => f.CODE === 'ORIGINAL').FIELD_ID;
    await callOk(
      base,
      'lists.element.update',
      {
        ...REGISTRY,
        ELEMENT_CODE: 'contract-59',
        FIELDS: { NAME: 'Договор ГК-59', PROPERTY_NUMBER: 'ГК-59', [original]: ['скан.txt', 'c2Nhbg=='] },
      },
      'form',
    );
    const full = await backup(source.client);
    const target = await portal();
    await users(target.local.webhookUrl, EMAILS);
    await callOk(
      target.local.webhookUrl,
      'lists.add',
      { ...REGISTRY, FIELDS: { NAME: 'Реестр договоров', SORT: 100 } },
      'form',
    );
    await callOk(target.local.webhookUrl, 'lists.field.add', {
      ...REGISTRY,
      FIELDS: { NAME: 'Номер договора', TYPE: 'S', CODE: 'NUMBER', IS_REQUIRED: 'Y', SORT: 20 },
    });
    const result = await restoreSnapshot({
      client: target.client,
      snapshotDir: full,
      mappingFile: join(root, 'reuse.json'),
    });
    expect(result.reused.lists).toBe(1);
    expect(result.created.lists).toBeUndefined();
    expect(result.warnings).toEqual([
      `list-elements ${String(
        ((await callOk(base, 'lists.element.get', { ...REGISTRY, ELEMENT_CODE: 'contract-59' })) as any[])[0]
          .ID,
      )}: the file of ${original} is not restored`,
    ]);
    const fields = await target.client.call<Record<string, any>>('lists.field.get', REGISTRY);
    expect(
      Object.values(fields)
        .map((f) => String(f.CODE ?? f.FIELD_ID))
        .sort(),
    ).toEqual(['AMOUNT', 'DEAL', 'NAME', 'NUMBER', 'ORIGINAL', 'OWNER', 'SCAN', 'SIGNED', 'STATUS']);
    expect((await target.client.callEnvelope('lists.element.get', { ...REGISTRY, start: 0 })).total).toBe(60);
  }, 120_000);
});
