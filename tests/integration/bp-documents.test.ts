import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDocuments } from '../../src/automation/actions/copy-documents.js';
import { ruleSchema } from '../../src/automation/rule-schema.js';
import type { LabConfig } from '../../src/config/config-sections.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { B24Client } from '../../src/rest/client.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * «Передача в производство», the documents part: when a deal enters production, the copy_documents
 * action makes the project's Drive folder with every document of the deal (its file fields and the
 * files attached to its timeline comments) and saves the folder's link to «Папка документов». Run by
 * the sync job against the local portal, exactly once through reruns and a crash.
 */
const RULE = ruleSchema.parse({
  id: 'sales-production-documents',
  entity: { pipeline: 'sales' },
  trigger: { type: 'stage_entered', stage: 'PROD_GTI' },
  actions: [{ type: 'copy_documents', folder: 'Проекты/{{title}} (сделка {{id}})', saveTo: 'DOCS_FOLDER' }],
});

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

interface DriveObject {
  ID: string;
  NAME: string;
  TYPE: string;
  SIZE?: string;
  DOWNLOAD_URL?: string;
  DETAIL_URL: string;
}

describe('copy_documents: the deal’s documents in a Drive folder', () => {
  let lab: LabPortal;
  let config: LabConfig;
  const envs: TestEnvironment[] = [];
  let commonRoot: string;

  const environment = (options: Parameters<typeof jobEnvironment>[1] = {}): TestEnvironment => {
    const env = { ...jobEnvironment(lab, options), config };
    envs.push(env);
    return env;
  };
  const children = async (folderId: string): Promise<DriveObject[]> =>
    (await lab.call('disk.folder.getchildren', { id: folderId })) as DriveObject[];
  /** Name -> content of the files in a folder (downloaded here, as a person would). */
  const contents = async (folderId: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const f of (await children(folderId)).filter((o) => o.TYPE === 'file')) {
      out[f.NAME] = await (await fetch(f.DOWNLOAD_URL!)).text();
    }
    return out;
  };
  const projectFolder = async (name: string): Promise<DriveObject | undefined> => {
    const [projects] = (await children(commonRoot)).filter((o) => o.NAME === 'Проекты');
    return projects ? (await children(projects.ID)).find((o) => o.NAME === name) : undefined;
  };
  /** A sales deal with a contract and a specification in its file fields and a scan in a comment. */
  const dealWithDocuments = async (env: TestEnvironment, title: string): Promise<number> => {
    const sales = lab.ids.pipelines.sales!;
    const id = Number(
      await lab.call('crm.deal.add', {
        fields: {
          TITLE: title,
          CATEGORY_ID: sales.id,
          ASSIGNED_BY_ID: lab.ids.users.manager,
          UF_CRM_CONTRACT: ['Договор.pdf', b64(`договор: ${title}`)],
          UF_CRM_SPECS: [['ТЗ.docx', b64(`техническое задание: ${title}`)]],
        },
      }),
    );
    await lab.call('crm.timeline.comment.add', {
      fields: {
        ENTITY_TYPE: 'deal',
        ENTITY_ID: id,
        COMMENT: 'Скан подписанного договора',
        FILES: [[`Скан ${id}.jpg`, b64(`скан: ${title}`)]],
      },
    });
    await runJob('sync', env);
    await lab.advance(0.01);
    return id;
  };
  const toProduction = async (id: number): Promise<void> => {
    await lab.call('crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('PROD_GTI') },
    });
  };
  const docsFolderOf = async (id: number): Promise<string> =>
    String(((await lab.call('crm.deal.get', { id })) as Record<string, unknown>).UF_CRM_DOCS_FOLDER ?? '');

  beforeAll(async () => {
    lab = await labPortal();
    await lab.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'CONTRACT', USER_TYPE_ID: 'file' } });
    await lab.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SPECS', USER_TYPE_ID: 'file', MULTIPLE: 'Y' },
    });
    await lab.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'DOCS_FOLDER', USER_TYPE_ID: 'string' },
    });
    config = { ...lab.config, automation: { ...lab.config.automation!, rules: [RULE] } };
    const [common] = (await lab.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as {
      ROOT_OBJECT_ID: string;
    }[];
    commonRoot = common!.ROOT_OBJECT_ID;
    // «Проекты» exists already: it is reused, not doubled.
    await lab.call('disk.folder.addsubfolder', { id: commonRoot, data: { NAME: 'Проекты' } });
    await runJob('sync', environment()); // the baseline
    await lab.advance(0.01);
  });
  afterAll(async () => {
    for (const env of envs) {
      env.close();
      removeDir(env.dir);
    }
    await lab?.close();
  });

  it('makes the folder with the three documents and saves its link; a dry run first; a rerun does nothing', async () => {
    const env = environment();
    const id = await dealWithDocuments(env, 'Договор поставки');
    await toProduction(id);

    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toEqual([
      expect.objectContaining({
        ruleId: 'sales-production-documents',
        entity: `2:${id}`,
        kind: 'copy_documents',
        outcome: 'would-do',
        summary: `copy the documents to «Проекты/Договор поставки (сделка ${id})» on the common drive, its link to UF_CRM_DOCS_FOLDER`,
      }),
    ]);
    expect(await projectFolder(`Договор поставки (сделка ${id})`)).toBeUndefined();

    const run = await runJob('sync', env);
    const folder = await projectFolder(`Договор поставки (сделка ${id})`);
    expect(folder).toBeDefined();
    expect(run.actions).toEqual([
      expect.objectContaining({
        kind: 'copy_documents',
        outcome: 'done',
        result: {
          folderId: Number(folder!.ID),
          url: folder!.DETAIL_URL,
          copied: ['Договор.pdf', 'ТЗ.docx', `Скан ${id}.jpg`],
        },
      }),
    ]);
    expect(await contents(folder!.ID)).toEqual({
      'Договор.pdf': 'договор: Договор поставки',
      'ТЗ.docx': 'техническое задание: Договор поставки',
      [`Скан ${id}.jpg`]: 'скан: Договор поставки',
    });
    expect(folder!.DETAIL_URL).toBe(`${lab.local.url}/docs/path/Проекты/Договор поставки (сделка ${id})/`);
    expect(await docsFolderOf(id)).toBe(folder!.DETAIL_URL);
    expect((await children(commonRoot)).filter((o) => o.NAME === 'Проекты')).toHaveLength(1);

    expect((await runJob('sync', env)).actions).toEqual([]);
    expect(Object.keys(await contents(folder!.ID))).toHaveLength(3);
  });

  it('fired again later: only the document added since is copied, the folder is reused', async () => {
    const env = environment();
    const id = await dealWithDocuments(env, 'Повторный запуск');
    await toProduction(id);
    await runJob('sync', env);
    const folder = (await projectFolder(`Повторный запуск (сделка ${id})`))!;

    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('NEW') } });
    await runJob('sync', env);
    await lab.advance(0.01);
    await lab.call('crm.timeline.comment.add', {
      fields: { ENTITY_TYPE: 'deal', ENTITY_ID: id, COMMENT: 'Акт', FILES: [['Акт.pdf', b64('акт')]] },
    });
    await toProduction(id);
    const again = await runJob('sync', env);
    expect(again.actions).toEqual([
      expect.objectContaining({
        kind: 'copy_documents',
        outcome: 'done',
        result: { folderId: Number(folder.ID), url: folder.DETAIL_URL, copied: ['Акт.pdf'] },
      }),
    ]);
    expect(Object.keys(await contents(folder.ID)).sort()).toEqual([
      'Акт.pdf',
      'Договор.pdf',
      `Скан ${id}.jpg`,
      'ТЗ.docx',
    ]);
  });

  it('a run killed after the first upload: the rerun copies the rest, each document once', async () => {
    const base = environment();
    const id = await dealWithDocuments(base, 'Прерванное копирование');
    await toProduction(id);
    // The process dies right after the portal stored the first uploaded file.
    let uploads = 0;
    const dying = environment({ dir: base.dir });
    const real = dying.client;
    const killing: B24Client = {
      ...real,
      call: async <T>(method: string, params?: Record<string, unknown>): Promise<T> => {
        const answer = await real.call<T>(method, params);
        if (method === 'disk.folder.uploadfile' && ++uploads === 1) throw new Error('killed');
        return answer;
      },
    };
    dying.client = killing;
    await expect(runJob('sync', dying)).rejects.toThrow('killed');
    const [entry] = dying.state.ledger.all().filter((e) => e.entity === `2:${id}`);
    expect(entry).toMatchObject({ state: 'planned', action: 'copy_documents' });
    const folder = (await projectFolder(`Прерванное копирование (сделка ${id})`))!;
    expect(Object.keys(await contents(folder.ID))).toEqual(['Договор.pdf']);

    const rerun = await runJob('sync', environment({ dir: base.dir }));
    expect(rerun.actions).toEqual([
      expect.objectContaining({
        kind: 'copy_documents',
        outcome: 'done',
        result: expect.objectContaining({ copied: ['ТЗ.docx', `Скан ${id}.jpg`] }) as unknown,
      }),
    ]);
    const files = (await children(folder.ID)).map((o) => o.NAME).sort();
    expect(files).toEqual(['Договор.pdf', `Скан ${id}.jpg`, 'ТЗ.docx']);
    expect(await docsFolderOf(id)).toBe(folder.DETAIL_URL);
  });

  it('after a crash past the last call the portal is asked and has it all: found, nothing copied', async () => {
    const base = environment();
    const id = await dealWithDocuments(base, 'Сбой после копирования');
    await toProduction(id);
    const crashing = environment({
      dir: base.dir,
      afterCall: (action) => {
        if (action.kind === 'copy_documents') throw new Error('killed');
      },
    });
    await expect(runJob('sync', crashing)).rejects.toThrow('killed');
    const folder = (await projectFolder(`Сбой после копирования (сделка ${id})`))!;
    const rerun = await runJob('sync', environment({ dir: base.dir }));
    expect(rerun.actions).toEqual([
      expect.objectContaining({
        kind: 'copy_documents',
        outcome: 'found',
        result: { folderId: Number(folder.ID), url: folder.DETAIL_URL, copied: [] },
      }),
    ]);
    expect(await children(folder.ID)).toHaveLength(3);
  });

  it('two documents of one name: the second kept as «name (1)», on a given storage; a rerun adds nothing', async () => {
    const env = environment();
    const id = await dealWithDocuments(env, 'Одноимённые');
    // A comment file named as the contract but another document: copyto refuses the taken name, so
    // it goes through b24lab (disk.file.get, download, upload with a unique name).
    await lab.call('crm.timeline.comment.add', {
      fields: {
        ENTITY_TYPE: 'deal',
        ENTITY_ID: id,
        COMMENT: 'Другая редакция',
        FILES: [['Договор.pdf', b64('договор: другая редакция')]],
      },
    });
    const [own] = (await lab.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'user' } })) as {
      ID: string;
      ROOT_OBJECT_ID: string;
    }[];
    const action = {
      key: 'same-names',
      marker: 'b24lab#1',
      ruleId: 'same-names',
      entity: { entityTypeId: 2, id },
      occurrence: 'same-names',
      summary: '',
      kind: 'copy_documents' as const,
      folder: ['Одноимённые', String(id)],
      storage: Number(own!.ID),
    };
    const first = await copyDocuments(env.client, action);
    expect(first.copied).toEqual(['Договор.pdf', 'ТЗ.docx', `Скан ${id}.jpg`, 'Договор (1).pdf']);
    expect(first.url).toContain('/company/personal/user/');
    expect(await contents(String(first.folderId))).toMatchObject({
      'Договор.pdf': 'договор: Одноимённые',
      'Договор (1).pdf': 'договор: другая редакция',
    });
    expect((await copyDocuments(env.client, action)).copied).toEqual([]);
    expect(await children(String(first.folderId))).toHaveLength(4);
  });

  it('costs a bounded number of requests per deal (measured)', async () => {
    const env = environment();
    const id = await dealWithDocuments(env, 'Замер');
    const action = {
      key: 'measure',
      marker: 'b24lab#0',
      ruleId: 'measure',
      entity: { entityTypeId: 2, id },
      occurrence: 'measure',
      summary: '',
      kind: 'copy_documents' as const,
      folder: ['Проекты', `Замер ${id}`],
      storage: 'common' as const,
      saveTo: 'UF_CRM_DOCS_FOLDER',
    };
    const before = env.client.stats().requests;
    expect((await copyDocuments(env.client, action)).copied).toHaveLength(3);
    const first = env.client.stats().requests - before;
    expect((await copyDocuments(env.client, action)).copied).toEqual([]);
    const second = env.client.stats().requests - before - first;
    // First: the common drive 1, «Проекты» found 1, the folder looked for and made 2, its files 1,
    // crm.item.get 1, 2 downloads, comments 1, activities 1, 2 uploads, 1 copyto, the link 1 = 14.
    // Again: the same reads, nothing written = 9.
    expect({ first, second }).toEqual({ first: 14, second: 9 });
  });
});
