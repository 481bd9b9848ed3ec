/**
 * `copy_documents`: a Drive folder for the project with all the record's documents, its link written
 * to a field («Передача в производство»: the laboratory gets the deal's contract, specification...).
 *
 *   - { type: copy_documents, folder: 'Проекты/{{title}} (сделка {{id}})', saveTo: DOCS_FOLDER }
 *   -> on the common drive (or `storage: <id>`), «Проекты» (reused when it exists) > «Договор 7
 *      (сделка 12)» (made), holding every file of the deal's file fields, of its timeline comments and
 *      of its activities; the folder's DETAIL_URL written to UF_CRM_DOCS_FOLDER.
 *
 * Where the documents come from, and how they get to the folder (files/how-to-download-files.md):
 *   file fields       crm.item.get (useOriginalUfNames): values {id, url, urlMachine}; not Drive
 *                     files, so downloaded by urlMachine through the REST client (client.download,
 *                     which applies the webhook's or the application's auth) and uploaded with
 *                     disk.folder.uploadfile fileContent (disk/folder/disk-folder-upload-file.md)
 *   comment files     crm.timeline.comment.list FILES {id: {id, name, size}}: Drive files, copied with
 *                     disk.file.copyto (disk/file/disk-file-copy-to.md): one call, no bytes through us
 *   activity files    crm.activity.list STORAGE_TYPE_ID 3 (Drive), STORAGE_ELEMENT_IDS: Drive files,
 *                     disk.file.get for name and size, then disk.file.copyto; a portal without
 *                     activities over REST (the local one) has none
 *
 * Exactly once, and complete: the folder path is found before it is made (a folder of the same name
 * is reused), and a document whose name and size are already in the folder is not copied again (a
 * copy that got a unique name, `акт (1).pdf`, counts too). So the action is idempotent: a rerun after
 * a crash copies only what is missing, and a later firing of the rule copies documents added since.
 * The ledger wraps the whole action; the verify step (findCopiedDocuments) asks the same question
 * without writing: the folder exists, every document is in it and the link is saved -> found.
 *
 * Links are never logged: urlMachine and DOWNLOAD_URL carry credentials.
 */
import type { B24Client } from '../../rest/client.js';
import { B24Error } from '../../rest/errors.js';
import { timelineEntityType } from '../entity.js';
import type { IntendedAction } from '../intended-action.js';

export type CopyDocumentsAction = Extract<IntendedAction, { kind: 'copy_documents' }>;

/** What the action leaves: the folder, its link, the files copied now. */
export interface CopyDocumentsResult {
  folderId: number;
  url: string;
  copied: string[];
}

type Row = Record<string, unknown>;

/** Characters Drive refuses in a name (and `/`, which would nest). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what Drive refuses
const BAD_NAME_CHARS = /[\\/:*?"<>|\u0000-\u001f]/g;

/**
 * One path segment as a Drive name. Example: ' Проект: ООО "Ромашка" / 2 ' -> 'Проект_ ООО _Ромашка_ _ 2'.
 */
export function safeFolderName(text: string): string {
  const name = text.replace(BAD_NAME_CHARS, '_').replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
  return name.slice(0, 200) || '_';
}

/** The folder template split into rendered segments: 'Проекты/{{title}}' -> ['Проекты', 'Сделка 5']. */
export function folderPath(template: string, render: (text: string) => string): string[] {
  return template
    .split('/')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => safeFolderName(render(part)));
}

/**
 * Whether a folder already holds a document: the same name and size, or the same size under the name
 * Drive gives a copy when the name is taken. Example: 'акт.pdf' (10 bytes) is held by 'акт.pdf' or
 * 'акт (1).pdf' of 10 bytes, not by 'акт.pdf' of 12.
 */
export function holds(files: { name: string; size: number }[], name: string, size: number): boolean {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  const lower = (s: string): string => s.toLocaleLowerCase('ru');
  const copyName = new RegExp(`^${escapeRegExp(lower(stem))} \\(\\d+\\)${escapeRegExp(lower(ext))}$`);
  return files.some(
    (f) => f.size === size && (lower(f.name) === lower(name) || copyName.test(lower(f.name))),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A file value of a crm file field: {id, url, urlMachine} (crm/universal/crm-item-get.md). */
interface FieldFile {
  field: string;
  id: number;
  link: string;
}

/** Every file value in the record: any field whose value (or values) has the file shape. */
export function fieldFiles(item: Row): FieldFile[] {
  const out: FieldFile[] = [];
  for (const [field, value] of Object.entries(item)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      const f = v as Row;
      const link = typeof f.urlMachine === 'string' ? f.urlMachine : '';
      const id = Number(f.id);
      if (link !== '' && Number.isInteger(id) && id > 0) out.push({ field, id, link });
    }
  }
  return out;
}

/** A Drive file attached to the record (a comment's or an activity's), known by id. */
interface DriveFile {
  id: number;
  name?: string;
  size?: number;
}

async function storageRoot(client: B24Client, storage: 'common' | number): Promise<number> {
  if (storage !== 'common') {
    const s = await client.call<Row>('disk.storage.get', { id: storage });
    return Number(s.ROOT_OBJECT_ID);
  }
  const rows: Row[] = [];
  for await (const s of client.list<Row>('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) {
    rows.push(s);
  }
  // The company's drive is `shared_files_<site>`; a portal may have other common storages.
  const common = rows.find((s) => /^shared_files_/.test(String(s.ENTITY_ID))) ?? rows[0];
  if (!common) {
    throw new B24Error({
      method: 'disk.storage.getlist',
      code: 'ERROR_NOT_FOUND',
      description: 'the portal has no common drive',
      httpStatus: 200,
      retryable: false,
    });
  }
  return Number(common.ROOT_OBJECT_ID);
}

async function children(client: B24Client, folderId: number): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of client.list<Row>('disk.folder.getchildren', { id: folderId })) rows.push(row);
  return rows;
}

const sameName = (a: unknown, b: string): boolean =>
  String(a).toLocaleLowerCase('ru') === b.toLocaleLowerCase('ru');

/** The folder at `path` under `rootId`; made when `create` (a folder of the same name is reused). */
async function walk(
  client: B24Client,
  rootId: number,
  path: string[],
  create: boolean,
): Promise<Row | undefined> {
  let current: Row = { ID: rootId };
  for (const name of path) {
    const parentId = Number(current.ID);
    const find = async (): Promise<Row | undefined> =>
      (await children(client, parentId)).find((o) => o.TYPE === 'folder' && sameName(o.NAME, name));
    let next = await find();
    if (!next) {
      if (!create) return undefined;
      try {
        next = await client.call<Row>('disk.folder.addsubfolder', { id: parentId, data: { NAME: name } });
      } catch (e) {
        // Made meanwhile (another run, a lost answer): DISK_OBJ_22000, the name is taken; use it.
        if (!(e instanceof B24Error) || e.code !== 'DISK_OBJ_22000') throw e;
        next = await find();
        if (!next) throw e;
      }
    }
    current = next;
  }
  return current;
}

async function attachedFiles(client: B24Client, action: CopyDocumentsAction): Promise<DriveFile[]> {
  const out: DriveFile[] = [];
  for await (const c of client.list<Row>('crm.timeline.comment.list', {
    filter: { ENTITY_ID: action.entity.id, ENTITY_TYPE: timelineEntityType(action.entity.entityTypeId) },
    select: ['ID', 'FILES'],
  })) {
    const files = c.FILES;
    if (files === null || typeof files !== 'object') continue;
    for (const f of Object.values(files as Record<string, Row>)) {
      const id = Number(f.id);
      if (Number.isInteger(id) && id > 0) out.push({ id, name: String(f.name ?? ''), size: Number(f.size) });
    }
  }
  try {
    for await (const a of client.list<Row>('crm.activity.list', {
      filter: { OWNER_TYPE_ID: action.entity.entityTypeId, OWNER_ID: action.entity.id },
      select: ['ID', 'STORAGE_TYPE_ID', 'STORAGE_ELEMENT_IDS'],
    })) {
      // STORAGE_TYPE_ID 3: the elements are Drive files (crm/timeline/activities/activity-base/crm-activity-fields.md).
      if (Number(a.STORAGE_TYPE_ID) !== 3 || !Array.isArray(a.STORAGE_ELEMENT_IDS)) continue;
      for (const raw of a.STORAGE_ELEMENT_IDS) {
        const id = Number(raw);
        if (Number.isInteger(id) && id > 0) out.push({ id });
      }
    }
  } catch (e) {
    // A portal that does not serve activities over REST (the local one) has none to copy.
    if (!(e instanceof B24Error) || e.code !== 'ERROR_METHOD_NOT_FOUND') throw e;
  }
  // The same Drive file attached twice is one document.
  return out.filter((f, i) => out.findIndex((g) => g.id === f.id) === i);
}

/**
 * Brings the folder up to date (write) or says whether it is (read-only: undefined when anything is
 * missing). Both read the same things; only the write makes folders, copies and saves the link.
 */
async function syncDocuments(
  client: B24Client,
  action: CopyDocumentsAction,
  write: boolean,
): Promise<CopyDocumentsResult | undefined> {
  const root = await storageRoot(client, action.storage);
  const folder = await walk(client, root, action.folder, write);
  if (!folder) return undefined;
  const folderId = Number(folder.ID);
  const url = String(folder.DETAIL_URL ?? '');
  const present = (await children(client, folderId))
    .filter((o) => o.TYPE === 'file')
    .map((o) => ({ name: String(o.NAME), size: Number(o.SIZE) }));
  const copied: string[] = [];
  const missing = (name: string, size: number): boolean => !holds(present, name, size);
  const record = (name: string, size: number): void => {
    present.push({ name, size });
    copied.push(name);
  };

  const { item } = await client.call<{ item: Row }>('crm.item.get', {
    entityTypeId: action.entity.entityTypeId,
    id: action.entity.id,
    useOriginalUfNames: 'Y',
  });
  for (const f of fieldFiles(item)) {
    const file = await client.download(f.link);
    const name = file.name ?? `${f.field}-${f.id}`;
    if (!missing(name, file.content.length)) continue;
    if (!write) return undefined;
    record(await upload(client, folderId, name, file.content), file.content.length);
  }

  for (const a of await attachedFiles(client, action)) {
    let { name, size } = a;
    if (name === undefined || size === undefined || !Number.isFinite(size)) {
      const meta = await client.call<Row>('disk.file.get', { id: a.id });
      name = String(meta.NAME);
      size = Number(meta.SIZE);
    }
    if (!missing(name, size)) continue;
    if (!write) return undefined;
    // The copy is named as the Drive file is, which may differ from the name the comment shows.
    record(await copyDriveFile(client, a.id, folderId, name), size);
  }

  if (action.saveTo !== undefined && String(item[action.saveTo] ?? '') !== url) {
    if (!write) return undefined;
    await client.call('crm.item.update', {
      entityTypeId: action.entity.entityTypeId,
      id: action.entity.id,
      fields: { [action.saveTo]: url },
      useOriginalUfNames: 'Y',
    });
  }
  return { folderId, url, copied };
}

/** disk.folder.uploadfile with the content inline; a taken name (another document) gets a unique one. */
async function upload(client: B24Client, folderId: number, name: string, content: Buffer): Promise<string> {
  const file = await client.call<Row>('disk.folder.uploadfile', {
    id: folderId,
    data: { NAME: name },
    fileContent: [name, content.toString('base64')],
    generateUniqueName: true,
  });
  return String(file.NAME ?? name);
}

/**
 * disk.file.copyto; when the name is taken by another document (DISK_OBJ_22000: copyto has no unique
 * name option), the file goes through us instead: disk.file.get's DOWNLOAD_URL, then an upload.
 */
async function copyDriveFile(
  client: B24Client,
  fileId: number,
  folderId: number,
  name: string,
): Promise<string> {
  try {
    const copy = await client.call<Row>('disk.file.copyto', { id: fileId, targetFolderId: folderId });
    return String(copy.NAME ?? name);
  } catch (e) {
    if (!(e instanceof B24Error) || e.code !== 'DISK_OBJ_22000') throw e;
    const meta = await client.call<Row>('disk.file.get', { id: fileId });
    const file = await client.download(String(meta.DOWNLOAD_URL ?? ''));
    return upload(client, folderId, name, file.content);
  }
}

/** Performs the action: the folder made or found, the missing documents copied, the link saved. */
export async function copyDocuments(
  client: B24Client,
  action: CopyDocumentsAction,
): Promise<CopyDocumentsResult> {
  const result = await syncDocuments(client, action, true);
  // A write run always ends with a folder (walk makes it).
  return result!;
}

/** The verify step: found when the folder holds every document and the link is saved. */
export async function findCopiedDocuments(
  client: B24Client,
  action: CopyDocumentsAction,
): Promise<CopyDocumentsResult | undefined> {
  return syncDocuments(client, action, false);
}
