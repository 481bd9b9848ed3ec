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
import { encodeCommand } from '../../src/rest/batch.js';
import type { B24Client } from '../../src/rest/client.js';
import { createClient } from '../../src/rest/client.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';
import { runCli } from '../helpers/cli.js';

const ENTITIES = [
  'departments',
  'smart-process-types',
  'pipelines',
  'stages',
  'fields',
  'companies',
  'contacts',
  'deals',
  'deal-contacts',
  'smart-process-items',
  'tasks',
  'timeline-comments',
  'files',
];
const EMAILS = ['ivanova@lab.test', 'petrov@lab.test', 'sidorov@lab.test', 'kuznetsova@lab.test'];

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

/** Sends calls through `batch`, 50 a request, alternating JSON and form bodies; returns the results. */
async function batch(
  base: string,
  calls: [string, Record<string, unknown>][],
  encoding: Encoding,
): Promise<any[]> {
  const out: any[] = [];
  for (let from = 0; from < calls.length; from += 50) {
    const cmd: Record<string, string> = {};
    calls.slice(from, from + 50).forEach(([m, p], i) => (cmd[`c${i}`] = encodeCommand(m, p)));
    const answer = await callOk(base, 'batch', { halt: 1, cmd }, encoding);
    expect(answer.result_error).toEqual([]);
    out.push(...Object.values(answer.result as Record<string, unknown>));
  }
  return out;
}

async function users(base: string, emails: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const email of emails)
    ids.push(
      Number(await callOk(base, 'user.add', { EMAIL: email, NAME: email.split('@')[0], UF_DEPARTMENT: [1] })),
    );
  return ids;
}

/** The laboratory in miniature: thousands of records through batch calls, every kind of link. */
async function seedLab(base: string): Promise<void> {
  const staff = await users(base, EMAILS);
  const lab = await callOk(base, 'department.add', { NAME: 'Лаборатория', PARENT: 1, UF_HEAD: staff[0] });
  await callOk(base, 'department.add', { NAME: 'Аналитическая группа', PARENT: lab, SORT: 200 }, 'form');
  const type = (
    await callOk(base, 'crm.type.add', {
      fields: { title: 'Лаборатория', isCategoriesEnabled: 'Y', isStagesEnabled: 'Y' },
    })
  ).type;
  const gti = (
    await callOk(base, 'crm.category.add', {
      entityTypeId: type.entityTypeId,
      fields: { name: 'ГТИ', sort: 200 },
    })
  ).category;
  const tenders = (
    await callOk(
      base,
      'crm.category.add',
      { entityTypeId: 2, fields: { name: 'Госзакупки', sort: 300 } },
      'form',
    )
  ).category;
  await callOk(base, 'crm.status.add', {
    fields: { ENTITY_ID: `DEAL_STAGE_${tenders.id}`, STATUS_ID: 'EXPERT', NAME: 'Экспертиза', SORT: 25 },
  });
  await callOk(base, 'crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'CONTRACT', USER_TYPE_ID: 'string', LABEL: 'Договор' },
  });

  const user = (i: number): number => staff[i % staff.length]!;
  const companies = await batch(
    base,
    Array.from({ length: 200 }, (_, i) => [
      'crm.company.add',
      { fields: { TITLE: `ООО Эксперт ${i}`, ASSIGNED_BY_ID: user(i) } },
    ]),
    'json',
  );
  const contacts = await batch(
    base,
    Array.from({ length: 400 }, (_, i) => [
      'crm.contact.add',
      {
        fields: {
          NAME: `Анна ${i}`,
          LAST_NAME: 'Смирнова',
          COMPANY_ID: companies[i % 200],
          ASSIGNED_BY_ID: user(i + 1),
          PHONE: [{ VALUE: `+7999000${String(i).padStart(4, '0')}`, VALUE_TYPE: 'WORK' }],
        },
      },
    ]),
    'form',
  );
  const deals = await batch(
    base,
    Array.from({ length: 2000 }, (_, i) => [
      'crm.deal.add',
      {
        fields: {
          TITLE: `Экспертиза №${i}`,
          ...(i % 2 === 0 ? { CATEGORY_ID: tenders.id, STAGE_ID: `C${tenders.id}:EXPERT` } : {}),
          COMPANY_ID: companies[i % 200],
          CONTACT_ID: contacts[i % 400],
          OPPORTUNITY: 1000 + i,
          ASSIGNED_BY_ID: user(i),
          UF_CRM_CONTRACT: `ГК-${i}`,
        },
      },
    ]),
    'json',
  );
  await batch(
    base,
    Array.from({ length: 20 }, (_, i) => [
      'crm.deal.contact.items.set',
      {
        id: deals[i],
        items: [{ CONTACT_ID: contacts[i] }, { CONTACT_ID: contacts[i + 1], IS_PRIMARY: 'Y' }],
      },
    ]),
    'form',
  );
  const items = await batch(
    base,
    Array.from({ length: 300 }, (_, i) => [
      'crm.item.add',
      {
        entityTypeId: type.entityTypeId,
        fields: { title: `Заявка ${i}`, categoryId: gti.id, assignedById: user(i), parentId2: deals[i] },
      },
    ]),
    'json',
  );
  const folder = await callOk(base, 'disk.storage.addfolder', { id: 1, data: { NAME: 'Заключения' } });
  const file = await callOk(base, 'disk.folder.uploadfile', {
    id: folder.ID,
    data: { NAME: 'Заключение №1.txt' },
    fileContent: ['Заключение №1.txt', Buffer.from('Вывод эксперта').toString('base64')],
  });
  const parents = await batch(
    base,
    Array.from({ length: 50 }, (_, i) => [
      'tasks.task.add',
      { fields: { TITLE: `Этап ${i}`, RESPONSIBLE_ID: user(i) } },
    ]),
    'form',
  );
  await batch(
    base,
    Array.from({ length: 450 }, (_, i) => [
      'tasks.task.add',
      {
        fields: {
          TITLE: `Подготовить заключение ${i}`,
          RESPONSIBLE_ID: user(i),
          AUDITORS: [user(i + 1)],
          PARENT_ID: parents[i % 50].task.id,
          UF_CRM_TASK: [
            `D_${deals[i]}`,
            `T${Number(type.entityTypeId).toString(16)}_${items[i % 300].item.id}`,
          ],
          ...(i === 0 ? { UF_TASK_WEBDAV_FILES: [`n${file.ID}`] } : {}),
        },
      },
    ]),
    'json',
  );
  await batch(
    base,
    Array.from({ length: 150 }, (_, i) => [
      'crm.timeline.comment.add',
      {
        fields: {
          ENTITY_TYPE: i < 100 ? 'deal' : `dynamic_${type.entityTypeId}`,
          ENTITY_ID: i < 100 ? deals[i] : items[i].item.id,
          COMMENT: `Образцы получены ${i}`,
          AUTHOR_ID: user(i),
          ...(i === 0 ? { FILES: [['акт.txt', Buffer.from('Акт приёма').toString('base64')]] } : {}),
        },
      },
    ]),
    'form',
  );
}

async function backup(client: B24Client, kind: 'full' | 'incremental' = 'full'): Promise<string> {
  const result = await createBackup({
    client,
    root,
    portal: client.portal,
    kind,
    version: 'test',
    clock: systemClock,
    download: async (url) => (await client.download(url)).content,
  });
  expect(result.skipped).toEqual({});
  return result.path;
}

async function mapOf(file: string): Promise<IdMap> {
  return IdMap.from(JSON.parse(await readFile(file, 'utf8')).map);
}

async function expectSame(source: string, target: string, mappingFile: string): Promise<void> {
  const diffs = await compareSnapshots(
    await loadChain(source),
    await loadChain(target),
    await mapOf(mappingFile),
    ENTITIES,
  );
  for (const d of diffs) {
    expect(d.problems, d.entity).toEqual([]);
    expect(d.target, d.entity).toBe(d.source);
  }
}

let source: { local: LocalPortal; client: B24Client };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'b24lab-restore-'));
  source = await portal();
  await seedLab(source.local.webhookUrl);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of portals) await p.close();
  await rm(root, { recursive: true, force: true });
});

describe('restore', () => {
  it('round trip: back up, restore into an empty portal, back that up: equal apart from IDs and system dates', async () => {
    const full = await backup(source.client);
    const manifest = JSON.parse(await readFile(join(full, 'manifest.json'), 'utf8'));
    expect(manifest.entities.deals.count).toBe(2000);
    expect(manifest.entities.tasks.count).toBe(500);

    const target = await portal();
    // The same people on the target, created in another order: other IDs, matched by e-mail.
    await users(target.local.webhookUrl, ['someone@else.test', ...[...EMAILS].reverse()]);
    const mappingFile = join(root, 'round-trip.json');
    const result = await restoreSnapshot({ client: target.client, snapshotDir: full, mappingFile });
    expect(result.warnings).toEqual([]);
    expect(result.unmatchedUsers).toEqual([]);
    expect(result.created).toMatchObject({
      deals: 2000,
      contacts: 400,
      companies: 200,
      tasks: 500,
      'timeline-comments': 150,
    });

    const back = await backup(target.client);
    await expectSame(full, back, mappingFile);
  }, 120_000);

  it('refuses a portal with CRM data unless --merge; a dry run counts and writes nothing', async () => {
    const full = await backup(source.client);
    const refused = await runCli(['restore', full, '--to', source.local.webhookUrl], {
      env: { B24LAB_RATE_LIMIT: 'off', B24LAB_STATE: join(root, 'state') },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds CRM data \(crm\.deal\.list: 2000 records\)/);
    expect(refused.stderr).toMatch(/--merge/);

    const empty = await portal();
    await users(empty.local.webhookUrl, EMAILS);
    const dry = await runCli(
      ['restore', full, '--to', empty.local.webhookUrl, '--dry-run', '--json', '--dir', root],
      {
        env: { B24LAB_RATE_LIMIT: 'off', B24LAB_STATE: join(root, 'state') },
      },
    );
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      created: { deals: 2000, tasks: 500 },
      unmatchedUsers: [],
    });
    expect((await empty.client.callEnvelope('crm.deal.list', { start: 0 })).total).toBe(0);
    expect((await empty.client.callEnvelope('tasks.task.list', { start: 0 })).total).toBe(0);
  }, 120_000);

  it('resumes after a failure half-way from its mapping file, without duplicates', async () => {
    const full = await backup(source.client);
    const target = await portal();
    await users(target.local.webhookUrl, EMAILS);
    const mappingFile = join(root, 'resume.json');
    const crash = restoreSnapshot({
      client: target.client,
      snapshotDir: full,
      mappingFile,
      onProgress: ({ entity, rows }) => {
        if (entity === 'deals' && rows >= 1000) throw new Error('power cut');
      },
    });
    await expect(crash).rejects.toThrow('power cut');
    expect((await target.client.callEnvelope('crm.deal.list', { start: 0 })).total).toBe(1000);

    // The rerun: the target now holds CRM data, but it is this restore's own mapping, so no refusal.
    const resumed = await restoreSnapshot({ client: target.client, snapshotDir: full, mappingFile });
    expect(resumed.resumed).toBe(true);
    expect(resumed.created.deals).toBe(1000);
    expect(resumed.created.companies).toBeUndefined();
    await expectSame(full, await backup(target.client), mappingFile);
  }, 120_000);

  it('an incremental on top of the full one restores the changed state', async () => {
    const base = source.local.webhookUrl;
    const deals = (await callOk(base, 'crm.deal.list', { select: ['ID'], order: { ID: 'DESC' } })) as {
      ID: string;
    }[];
    // On a fast machine every seeded deal carries the same second; one later edit moves the base's
    // checkpoint past it, so the incremental's ">= checkpoint" does not take them all again.
    source.local.portal.clock.advance(60_000);
    await callOk(base, 'crm.deal.update', { id: deals[9]!.ID, fields: { COMMENTS: 'checkpoint' } });
    await backup(source.client);
    source.local.portal.clock.advance(60_000);
    await callOk(
      base,
      'crm.deal.update',
      { id: deals[5]!.ID, fields: { TITLE: 'Экспертиза (повторная)', OPPORTUNITY: 99 } },
      'form',
    );
    await callOk(base, 'crm.deal.delete', { id: deals[7]!.ID });
    await callOk(base, 'tasks.task.delete', { taskId: 300 });
    const fresh = await callOk(base, 'crm.deal.add', {
      fields: { TITLE: 'Новая экспертиза', ASSIGNED_BY_ID: 2 },
    });
    await callOk(
      base,
      'crm.timeline.comment.add',
      { fields: { ENTITY_TYPE: 'deal', ENTITY_ID: fresh, COMMENT: 'Принято' } },
      'form',
    );
    await callOk(base, 'tasks.task.add', {
      fields: { TITLE: 'Повторная экспертиза', RESPONSIBLE_ID: 3, UF_CRM_TASK: [`D_${fresh}`] },
    });
    const incremental = await backup(source.client, 'incremental');
    const manifest = JSON.parse(await readFile(join(incremental, 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('incremental');
    // The changed deals, plus those stamped in the very second of the base's checkpoint (">=").
    expect(manifest.entities.deals.count).toBeLessThan(2000);
    expect(manifest.entities.deals.ids.count).toBe(2000);

    const target = await portal();
    await users(target.local.webhookUrl, EMAILS);
    const mappingFile = join(root, 'incremental.json');
    const result = await restoreSnapshot({ client: target.client, snapshotDir: incremental, mappingFile });
    expect(result.created.deals).toBe(2000);
    expect(result.warnings).toEqual([]);
    // The portal's state now, as a full backup sees it, against the restored portal.
    const now = await backup(source.client);
    await expectSame(now, await backup(target.client), mappingFile);
    const restored = await target.client.call<any[]>('crm.deal.list', {
      filter: { TITLE: 'Экспертиза (повторная)' },
    });
    expect(restored).toHaveLength(1);
    expect(restored[0].OPPORTUNITY).toBe('99.00');
  }, 180_000);
});
