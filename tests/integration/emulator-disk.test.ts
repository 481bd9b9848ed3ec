import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

const T0 = Date.parse('2025-03-10T07:00:00Z');
const frozen: Clock = { now: () => T0, sleep: async () => {} };

let lab: LocalPortal;
let hook: string;
/** The common drive's id and root folder. */
let common: { ID: string; ROOT_OBJECT_ID: string };

const call = (
  method: string,
  params: Record<string, unknown> = {},
  encoding: Encoding = 'json',
): Promise<any> => callOk(hook, method, params, encoding);

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

async function download(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  lab = await portalForTest({ clock: frozen });
  hook = lab.webhookUrl;
  const storages = (await call('disk.storage.getlist', {
    filter: { ENTITY_TYPE: 'common' },
  })) as (typeof common)[];
  common = storages[0]!;
});
afterAll(async () => {
  await lab.close();
});

describe('disk.storage.*', () => {
  it('lists the common drive and creates the caller’s own drive on demand', async () => {
    const answer = await rawCall(hook, 'disk.storage.getlist');
    expect(answer.body.total).toBe(2);
    expect(answer.body.result).toEqual([
      {
        ID: common.ID,
        NAME: 'Общий диск',
        CODE: null,
        MODULE_ID: 'disk',
        ENTITY_TYPE: 'common',
        ENTITY_ID: 'shared_files_s1',
        ROOT_OBJECT_ID: expect.stringMatching(/^\d+$/),
      },
      {
        ID: expect.stringMatching(/^\d+$/),
        NAME: 'Администратор Портала',
        CODE: null,
        MODULE_ID: 'disk',
        ENTITY_TYPE: 'user',
        ENTITY_ID: '1',
        ROOT_OBJECT_ID: expect.stringMatching(/^\d+$/),
      },
    ]);
    // Asking again does not make a second drive.
    expect((await rawCall(hook, 'disk.storage.getlist', {}, 'form')).body.total).toBe(2);
    expect(await call('disk.storage.getlist', { filter: { '%NAME': 'общий' } }, 'form')).toHaveLength(1);
  });

  it('gets a storage; the documented errors for a missing id and an unknown one', async () => {
    expect(await call('disk.storage.get', { id: common.ID }, 'form')).toMatchObject({ NAME: 'Общий диск' });
    expect(await rawCall(hook, 'disk.storage.get', {})).toEqual({
      status: 400,
      body: { error: 'ERROR_ARGUMENT', error_description: 'Invalid value of parameter {Parameter #0}' },
    });
    expect(await rawCall(hook, 'disk.storage.get', { id: 9999 })).toEqual({
      status: 400,
      body: { error: 'ERROR_NOT_FOUND', error_description: 'Could not find entity with id `9999`' },
    });
  });
});

describe.each(['json', 'form'] as const)('folders over %s', (encoding) => {
  const name = `Договоры ${encoding}`;

  it('adds a folder to the storage root and a subfolder (fresh objects: mixed int/string types)', async () => {
    const folder = await call('disk.storage.addfolder', { id: common.ID, data: { NAME: name } }, encoding);
    expect(folder).toEqual({
      ID: expect.any(Number),
      NAME: name,
      CODE: null,
      STORAGE_ID: common.ID,
      TYPE: 'folder',
      REAL_OBJECT_ID: folder.ID,
      PARENT_ID: common.ROOT_OBJECT_ID,
      DELETED_TYPE: 0,
      CREATE_TIME: '2025-03-10T10:00:00+03:00',
      UPDATE_TIME: '2025-03-10T10:00:00+03:00',
      DELETE_TIME: null,
      CREATED_BY: '1',
      UPDATED_BY: '1',
      DELETED_BY: null,
      DETAIL_URL: `${lab.url}/docs/path/${name}/`,
    });
    const sub = await call('disk.folder.addsubfolder', { id: folder.ID, data: { NAME: '2025' } }, encoding);
    expect(sub).toMatchObject({
      PARENT_ID: String(folder.ID),
      DETAIL_URL: `${lab.url}/docs/path/${name}/2025/`,
    });

    // Read back, every value is a string.
    expect(await call('disk.folder.get', { id: sub.ID }, encoding)).toMatchObject({
      ID: String(sub.ID),
      REAL_OBJECT_ID: String(sub.ID),
      DELETED_TYPE: '0',
      DELETED_BY: '0',
      TYPE: 'folder',
    });
    const children = await call(
      'disk.storage.getchildren',
      { id: common.ID, filter: { NAME: name } },
      encoding,
    );
    expect(children).toEqual([expect.objectContaining({ ID: String(folder.ID), NAME: name })]);
  });

  it('refuses a duplicate name (any case), a missing NAME and an unknown parent', async () => {
    const root = common.ROOT_OBJECT_ID;
    await call('disk.folder.addsubfolder', { id: root, data: { NAME: `Счета ${encoding}` } }, encoding);
    expect(
      await rawCall(
        hook,
        'disk.folder.addsubfolder',
        { id: root, data: { NAME: `СЧЕТА ${encoding}` } },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: { error: 'DISK_OBJ_22000', error_description: 'A folder with this name already exists' },
    });
    expect(
      await rawCall(hook, 'disk.folder.addsubfolder', { id: root, data: { CODE: 'x' } }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_ARGUMENT', error_description: 'Invalid value of parameter {Parameter #1}' },
    });
    expect(
      await rawCall(hook, 'disk.folder.addsubfolder', { id: 424242, data: { NAME: 'x' } }, encoding),
    ).toEqual({
      status: 400,
      body: { error: 'ERROR_NOT_FOUND', error_description: 'Could not find entity with id `424242`' },
    });
  });
});

describe.each(['json', 'form'] as const)('files over %s', (encoding) => {
  let folderId: number;

  beforeAll(async () => {
    folderId = (await call('disk.storage.addfolder', { id: common.ID, data: { NAME: `Файлы ${encoding}` } }))
      .ID;
  });

  it('uploads base64 content, serves it at DOWNLOAD_URL, and reads it back as strings', async () => {
    const text = 'Акт сверки №7';
    const file = await call(
      'disk.folder.uploadfile',
      { id: folderId, data: { NAME: 'акт.txt' }, fileContent: ['акт.txt', b64(text)] },
      encoding,
    );
    expect(file).toMatchObject({
      ID: expect.any(Number),
      NAME: 'акт.txt',
      TYPE: 'file',
      PARENT_ID: String(folderId),
      DELETED_TYPE: 0,
      GLOBAL_CONTENT_VERSION: 1,
      FILE_ID: expect.any(Number),
      SIZE: String(Buffer.byteLength(text)),
      DELETED_BY: null,
      DOWNLOAD_URL: expect.stringMatching(new RegExp(`^${lab.url}/b24lab/files/\\d+\\?token=\\w+$`)),
      DETAIL_URL: `${lab.url}/docs/file/Файлы ${encoding}/акт.txt`,
    });
    expect(await download(file.DOWNLOAD_URL)).toEqual({ status: 200, text });
    const read = await call('disk.file.get', { id: file.ID }, encoding);
    expect(read).toMatchObject({
      ID: String(file.ID),
      GLOBAL_CONTENT_VERSION: '1',
      FILE_ID: String(file.FILE_ID),
      SIZE: file.SIZE,
      DELETED_TYPE: '0',
      DOWNLOAD_URL: file.DOWNLOAD_URL,
    });
    expect(read).not.toHaveProperty('REAL_OBJECT_ID');
    const listed = await call(
      'disk.folder.getchildren',
      { id: folderId, filter: { TYPE: 'file' } },
      encoding,
    );
    expect(listed).toEqual([read]);
  });

  it('refuses a duplicate file name unless generateUniqueName is set', async () => {
    const params = { id: folderId, data: { NAME: 'отчёт.pdf' }, fileContent: ['отчёт.pdf', b64('v1')] };
    await call('disk.folder.uploadfile', params, encoding);
    expect(await rawCall(hook, 'disk.folder.uploadfile', params, encoding)).toMatchObject({
      status: 400,
      body: { error: 'DISK_OBJ_22000' },
    });
    const renamed = await call('disk.folder.uploadfile', { ...params, generateUniqueName: true }, encoding);
    expect(renamed.NAME).toBe('отчёт (1).pdf');
  });

  it('answers the upload errors', async () => {
    expect(
      await rawCall(
        hook,
        'disk.folder.uploadfile',
        { id: folderId, fileContent: ['a.txt', b64('a')] },
        encoding,
      ),
    ).toEqual({
      status: 400,
      body: {
        error: 'DISK_BASE_SERVICE_22001',
        error_description: 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)',
      },
    });
    expect(
      await rawCall(
        hook,
        'disk.folder.uploadfile',
        { id: folderId, data: { NAME: 'b.txt' }, fileContent: ['b.txt', 'не base64!'] },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_COULD_NOT_SAVE_FILE' } });
    expect(
      await rawCall(
        hook,
        'disk.folder.uploadfile',
        { id: 777777, data: { NAME: 'c.txt' }, fileContent: ['c.txt', b64('c')] },
        encoding,
      ),
    ).toMatchObject({ status: 400, body: { error: 'ERROR_NOT_FOUND' } });
  });

  it('deletes a file and its content', async () => {
    const file = await call(
      'disk.folder.uploadfile',
      { id: folderId, data: { NAME: 'временный.txt' }, fileContent: ['временный.txt', b64('tmp')] },
      encoding,
    );
    expect(await call('disk.file.delete', { id: file.ID }, encoding)).toBe(true);
    expect(await rawCall(hook, 'disk.file.get', { id: file.ID }, encoding)).toMatchObject({
      status: 400,
      body: { error: 'ERROR_NOT_FOUND' },
    });
    expect((await download(file.DOWNLOAD_URL)).status).toBe(404);
  });
});

describe('uploads in multipart and the two-step form', () => {
  it('takes fileContent as a multipart file part', async () => {
    const form = new FormData();
    form.append('id', common.ROOT_OBJECT_ID);
    form.append('data[NAME]', 'скан.bin');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    form.append('fileContent', new Blob([bytes]), 'скан.bin');
    const response = await fetch(`${hook}disk.folder.uploadfile`, { method: 'POST', body: form });
    const body = (await response.json()) as { result: { SIZE: string; DOWNLOAD_URL: string } };
    expect(body.result.SIZE).toBe('5');
    const content = await fetch(body.result.DOWNLOAD_URL);
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(bytes);
  });

  it('answers an upload URL without fileContent, then takes the file posted there', async () => {
    const step1 = await call('disk.folder.uploadfile', { id: common.ROOT_OBJECT_ID });
    expect(step1).toEqual({
      field: 'file',
      uploadUrl: expect.stringMatching(
        new RegExp(`^${lab.url}/rest/upload\\.json\\?auth=\\w+&token=disk%7C\\w+$`),
      ),
    });
    const form = new FormData();
    form.append(step1.field, new Blob(['двухшаговый']), 'two-step.txt');
    const response = await fetch(step1.uploadUrl, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { NAME: string; DOWNLOAD_URL: string } };
    expect(result.NAME).toBe('two-step.txt');
    expect(await download(result.DOWNLOAD_URL)).toEqual({ status: 200, text: 'двухшаговый' });
    // The upload token is single-use.
    const again = await fetch(step1.uploadUrl, { method: 'POST', body: form });
    expect(again.status).toBe(400);
  });

  it('pages folder children by 50', async () => {
    const parent = await call('disk.folder.addsubfolder', {
      id: common.ROOT_OBJECT_ID,
      data: { NAME: 'Много' },
    });
    // Two batches: a batch takes at most 50 commands.
    for (const [from, to] of [
      [0, 50],
      [50, 52],
    ] as const) {
      const cmd: Record<string, string> = {};
      for (let i = from; i < to; i++)
        cmd[`f${i}`] = `disk.folder.addsubfolder?id=${parent.ID}&data[NAME]=Папка ${i}`;
      await callOk(hook, 'batch', { halt: 1, cmd });
    }
    const first = await rawCall(hook, 'disk.folder.getchildren', { id: parent.ID });
    expect(first.body).toMatchObject({ total: 52, next: 50 });
    const second = await rawCall(hook, 'disk.folder.getchildren', { id: parent.ID, start: 50 });
    expect(second.body.result).toHaveLength(2);
  });
});

describe.each(['json', 'form'] as const)('disk.file.copyto over %s', (encoding) => {
  it('copies a file with its own content into a folder; a taken name, a missing target, an unknown id', async () => {
    const source = await call('disk.storage.addfolder', {
      id: common.ID,
      data: { NAME: `Источник ${encoding}` },
    });
    const target = await call('disk.storage.addfolder', {
      id: common.ID,
      data: { NAME: `Цель ${encoding}` },
    });
    const file = await call('disk.folder.uploadfile', {
      id: source.ID,
      data: { NAME: 'акт.txt' },
      fileContent: ['акт.txt', b64('акт приёмки')],
    });
    const copy = (
      await rawCall(hook, 'disk.file.copyto', { id: file.ID, targetFolderId: target.ID }, encoding)
    ).body.result;
    expect(copy).toMatchObject({
      NAME: 'акт.txt',
      TYPE: 'file',
      PARENT_ID: String(target.ID),
      SIZE: String(Buffer.byteLength('акт приёмки')),
      DETAIL_URL: `${lab.url}/docs/file/Цель ${encoding}/акт.txt`,
    });
    expect(copy.ID).not.toBe(file.ID);
    expect(typeof copy.ID).toBe('number');
    expect(await download(copy.DOWNLOAD_URL)).toEqual({ status: 200, text: 'акт приёмки' });
    // The copy is a file of its own: deleting the original leaves it.
    await call('disk.file.delete', { id: file.ID });
    expect(await download(copy.DOWNLOAD_URL)).toEqual({ status: 200, text: 'акт приёмки' });

    const again = await rawCall(
      hook,
      'disk.file.copyto',
      { id: copy.ID, targetFolderId: target.ID },
      encoding,
    );
    expect(again).toEqual({
      status: 400,
      body: { error: 'DISK_OBJ_22000', error_description: 'A file with this name already exists' },
    });
    expect((await rawCall(hook, 'disk.file.copyto', { id: copy.ID }, encoding)).body.error).toBe(
      'ERROR_ARGUMENT',
    );
    expect(
      (await rawCall(hook, 'disk.file.copyto', { id: 999_999, targetFolderId: target.ID }, encoding)).body
        .error,
    ).toBe('ERROR_NOT_FOUND');
    expect(
      (await rawCall(hook, 'disk.file.copyto', { id: copy.ID, targetFolderId: copy.ID }, encoding)).body
        .error,
    ).toBe('ERROR_NOT_FOUND');
  });
});

describe('files of CRM records as an application downloads them', () => {
  let dealId: number;
  let field: { id: number; url: string; urlMachine: string };

  beforeAll(async () => {
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'CONTRACT_FILE', USER_TYPE_ID: 'file' } });
    dealId = Number(
      await call('crm.deal.add', {
        fields: {
          TITLE: 'С файлами',
          UF_CRM_CONTRACT_FILE: { fileData: ['договор.txt', b64('договор №1')] },
        },
      }),
    );
    const { item } = await call('crm.item.get', { entityTypeId: 2, id: dealId, useOriginalUfNames: 'Y' });
    field = item.UF_CRM_CONTRACT_FILE;
  });

  it('urlMachine is a REST download link that needs the caller’s auth (webhook or OAuth)', async () => {
    expect(field.urlMachine).toMatch(
      new RegExp(`^${lab.url}/rest/download\\.json\\?token=crm%7C\\d+%7C\\w+$`),
    );
    // Without credentials: refused like any REST call.
    expect((await download(field.urlMachine)).status).toBe(401);
    // With the webhook's endpoint (what a portal builds for a webhook caller).
    const viaHook = field.urlMachine.replace(`${lab.url}/rest/`, hook.endsWith('/') ? hook : `${hook}/`);
    expect(await download(viaHook)).toEqual({ status: 200, text: 'договор №1' });
    // With an application's access token.
    const token = await call('b24lab.oauth.issue', { userId: 1 });
    expect(await download(`${field.urlMachine}&auth=${token.access_token as string}`)).toEqual({
      status: 200,
      text: 'договор №1',
    });
    expect((await download(`${field.urlMachine}&auth=wrong`)).status).toBe(401);
    // A token that names no file.
    expect((await download(viaHook.replace(/%7C\w+$/, '%7Cnope'))).status).toBe(404);
  });

  it('a timeline comment’s attachments are Drive files of the author (disk.file.get, copyto)', async () => {
    const commentId = await call('crm.timeline.comment.add', {
      fields: { ENTITY_TYPE: 'deal', ENTITY_ID: dealId, COMMENT: 'Скан', FILES: [['скан.txt', b64('скан')]] },
    });
    const [comment] = await call('crm.timeline.comment.list', {
      filter: { ENTITY_TYPE: 'deal', ENTITY_ID: dealId, ID: commentId },
    });
    const [attached] = Object.values(
      comment.FILES as Record<string, { id: number; name: string; size: number }>,
    );
    expect(attached).toMatchObject({ name: 'скан.txt', size: 8 });
    expect(Object.keys(comment.FILES)).toEqual([String(attached!.id)]);
    const file = await call('disk.file.get', { id: attached!.id });
    expect(file).toMatchObject({ NAME: 'скан.txt', SIZE: '8', TYPE: 'file' });
    const parent = await call('disk.folder.get', { id: file.PARENT_ID });
    expect(parent.NAME).toBe('Загруженные файлы');
    expect(await download(file.DOWNLOAD_URL)).toEqual({ status: 200, text: 'скан' });
    const target = await call('disk.storage.addfolder', {
      id: common.ID,
      data: { NAME: 'Проект со сканом' },
    });
    const copy = await call('disk.file.copyto', { id: attached!.id, targetFolderId: target.ID });
    expect(await download(copy.DOWNLOAD_URL)).toEqual({ status: 200, text: 'скан' });
  });
});
