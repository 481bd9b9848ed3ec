import { randomBytes } from 'node:crypto';
import type { MethodModule, Portal } from '../portal.js';
import type { FieldRef, FieldResolver } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError } from '../protocol/rest-error.js';
import type { Doc } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import type { CallContext, MethodHandler, MethodOutput, MethodTable } from './registry.js';
import { ok, scoped } from './registry.js';
import { flag, idParam, listParam, objectParam, param, str } from './params.js';
import type { UserDoc } from './users.js';

/**
 * Drive: `disk.storage.*`, `disk.folder.*`, `disk.file.*` (scope `disk`; reference/bitrix24-rest.md
 * §6.14, api-reference/disk/**). Folders and files share one id space, as `b_disk_object` does. File
 * content lives in `disk_blob` documents, which the HTTP layer serves at `/b24lab/files/<id>?token=`.
 *
 * Types follow the docs' examples: objects read back (`*.get`, `*.getchildren`) print every value as
 * a string; an object just created (`addsubfolder`, `uploadfile`) prints ID, REAL_OBJECT_ID,
 * DELETED_TYPE, GLOBAL_CONTENT_VERSION and FILE_ID as numbers and DELETED_BY as null.
 */
export const STORAGE_KIND = 'disk_storage';
export const DISK_OBJECT_KIND = 'disk_object';
export const DISK_BLOB_KIND = 'disk_blob';
const UPLOAD_KIND = 'disk_upload';

export const COMMON_STORAGE_NAME = 'Общий диск';

export interface StorageDoc extends Doc {
  NAME: string;
  CODE: string | null;
  MODULE_ID: string;
  ENTITY_TYPE: 'user' | 'common' | 'group';
  ENTITY_ID: string;
  ROOT_OBJECT_ID: number;
}

export interface DiskObjectDoc extends Doc {
  NAME: string;
  STORAGE_ID: number;
  TYPE: 'folder' | 'file';
  /** null for a storage's root folder. */
  PARENT_ID: number | null;
  CREATE_TIME: number;
  UPDATE_TIME: number;
  CREATED_BY: number;
  UPDATED_BY: number;
  /** Files only: the blob, its size in bytes, its version counter. */
  FILE_ID: number | null;
  SIZE: number | null;
  GLOBAL_CONTENT_VERSION: number | null;
}

/** Stored file content (base64) and the secret its download URL carries. */
export interface DiskBlobDoc extends Doc {
  name: string;
  content: string;
  token: string;
}

/** A pending two-step upload (`disk.folder.uploadfile` without fileContent). */
interface UploadDoc extends Doc {
  token: string;
  folderId: number;
  userId: number;
  generateUniqueName: boolean;
  name: string;
}

const diskError = {
  /** Missing required argument (disk's own binder; no `argument` key). */
  argument: (n: number) => new RestError('ERROR_ARGUMENT', `Invalid value of parameter {Parameter #${n}}`),
  notFound: (id: unknown) => new RestError('ERROR_NOT_FOUND', `Could not find entity with id \`${str(id)}\``),
  nameRequired: () =>
    new RestError('DISK_BASE_SERVICE_22001', 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)'),
  folderExists: () => new RestError('DISK_OBJ_22000', 'A folder with this name already exists'),
  fileExists: () => new RestError('DISK_OBJ_22000', 'A file with this name already exists'),
  couldNotSave: () => new RestError('ERROR_COULD_NOT_SAVE_FILE', 'Could not save file'),
};

// ---------------------------------------------------------------------------------------------------
// Storages

function createStorage(
  portal: Portal,
  fields: Omit<StorageDoc, 'id' | 'ROOT_OBJECT_ID'>,
  by: number,
): StorageDoc {
  const id = portal.store.nextId(STORAGE_KIND);
  const now = portal.now();
  const root = portal.store.insert<Omit<DiskObjectDoc, 'id'>>(DISK_OBJECT_KIND, {
    NAME: fields.NAME,
    STORAGE_ID: id,
    TYPE: 'folder',
    PARENT_ID: null,
    CREATE_TIME: now,
    UPDATE_TIME: now,
    CREATED_BY: by,
    UPDATED_BY: by,
    FILE_ID: null,
    SIZE: null,
    GLOBAL_CONTENT_VERSION: null,
  });
  return portal.store.insert<Omit<StorageDoc, 'id'>>(
    STORAGE_KIND,
    { ...fields, ROOT_OBJECT_ID: root.id },
    id,
  );
}

/** A user's own drive appears the first time the user reaches Drive, as on a real portal. */
export function ensureUserStorage(portal: Portal, userId: number): StorageDoc | undefined {
  const existing = portal.store
    .query<StorageDoc>(STORAGE_KIND, {
      where: [
        { field: 'ENTITY_TYPE', op: '=', value: 'user', kind: 'text' },
        { field: 'ENTITY_ID', op: '=', value: String(userId), kind: 'text' },
      ],
      limit: 1,
    })
    .at(0);
  if (existing) return existing;
  const user = portal.store.get<UserDoc>('user', userId);
  if (!user) return undefined;
  const name = [user.NAME, user.LAST_NAME].filter(Boolean).join(' ') || user.EMAIL;
  return createStorage(
    portal,
    { NAME: name, CODE: null, MODULE_ID: 'disk', ENTITY_TYPE: 'user', ENTITY_ID: String(userId) },
    userId,
  );
}

function renderStorage(s: StorageDoc): Record<string, unknown> {
  return {
    ID: String(s.id),
    NAME: s.NAME,
    CODE: s.CODE,
    MODULE_ID: s.MODULE_ID,
    ENTITY_TYPE: s.ENTITY_TYPE,
    ENTITY_ID: s.ENTITY_ID,
    ROOT_OBJECT_ID: String(s.ROOT_OBJECT_ID),
  };
}

// ---------------------------------------------------------------------------------------------------
// Objects

/** The names from the storage root down to the object (the root itself excluded). */
function pathOf(portal: Portal, o: DiskObjectDoc): string[] {
  const names: string[] = [];
  const seen = new Set<number>();
  for (let cur: DiskObjectDoc | undefined = o; cur && cur.PARENT_ID !== null && !seen.has(cur.id);) {
    seen.add(cur.id);
    names.unshift(cur.NAME);
    cur = portal.store.get<DiskObjectDoc>(DISK_OBJECT_KIND, cur.PARENT_ID);
  }
  return names;
}

/** The portal page of an object: `/docs/path/...` for the common drive, the owner's page for a user drive. */
function detailUrl(portal: Portal, o: DiskObjectDoc): string {
  const storage = portal.store.get<StorageDoc>(STORAGE_KIND, o.STORAGE_ID);
  const base =
    storage?.ENTITY_TYPE === 'user'
      ? `${portal.baseUrl}/company/personal/user/${storage.ENTITY_ID}/disk`
      : `${portal.baseUrl}/docs`;
  const path = pathOf(portal, o).join('/');
  return o.TYPE === 'file' ? `${base}/file/${path}` : `${base}/path/${path}${path ? '/' : ''}`;
}

function downloadUrl(portal: Portal, fileId: number | null): string {
  const blob = fileId === null ? undefined : portal.store.get<DiskBlobDoc>(DISK_BLOB_KIND, fileId);
  return blob ? `${portal.baseUrl}/b24lab/files/${blob.id}?token=${blob.token}` : '';
}

/**
 * One object in either flavour (see the module comment). Worked example of the two forms of a new
 * folder 8930: fresh `{ID: 8930, REAL_OBJECT_ID: 8930, DELETED_TYPE: 0, DELETED_BY: null, ...}`,
 * read back `{ID: "8930", REAL_OBJECT_ID: "8930", DELETED_TYPE: "0", DELETED_BY: "0", ...}`.
 */
function renderObject(portal: Portal, o: DiskObjectDoc, fresh: boolean): Record<string, unknown> {
  const num = (n: number | null): unknown => (n === null ? null : fresh ? n : String(n));
  const out: Record<string, unknown> = {
    ID: num(o.id),
    NAME: o.NAME,
    CODE: null,
    STORAGE_ID: String(o.STORAGE_ID),
    TYPE: o.TYPE,
  };
  if (o.TYPE === 'folder') out.REAL_OBJECT_ID = num(o.id);
  out.PARENT_ID = o.PARENT_ID === null ? null : String(o.PARENT_ID);
  out.DELETED_TYPE = fresh ? 0 : '0';
  if (o.TYPE === 'file') {
    out.GLOBAL_CONTENT_VERSION = num(o.GLOBAL_CONTENT_VERSION);
    out.FILE_ID = num(o.FILE_ID);
    out.SIZE = String(o.SIZE ?? 0);
  }
  out.CREATE_TIME = portal.iso(o.CREATE_TIME);
  out.UPDATE_TIME = portal.iso(o.UPDATE_TIME);
  out.DELETE_TIME = null;
  out.CREATED_BY = String(o.CREATED_BY);
  out.UPDATED_BY = String(o.UPDATED_BY);
  out.DELETED_BY = fresh ? null : '0';
  if (o.TYPE === 'file') out.DOWNLOAD_URL = downloadUrl(portal, o.FILE_ID);
  out.DETAIL_URL = detailUrl(portal, o);
  return out;
}

function requireId(params: CallContext['params']): number | string {
  const raw = param(params, 'id');
  if (raw === undefined || raw === null || raw === '' || typeof raw === 'object') throw diskError.argument(0);
  return idParam(raw) ?? str(raw);
}

function loadObject(portal: Portal, id: number | string, type: DiskObjectDoc['TYPE']): DiskObjectDoc {
  const o = typeof id === 'number' ? portal.store.get<DiskObjectDoc>(DISK_OBJECT_KIND, id) : undefined;
  if (!o || o.TYPE !== type) throw diskError.notFound(id);
  return o;
}

function loadStorage(portal: Portal, id: number | string): StorageDoc {
  const s = typeof id === 'number' ? portal.store.get<StorageDoc>(STORAGE_KIND, id) : undefined;
  if (!s) throw diskError.notFound(id);
  return s;
}

function childrenNamed(portal: Portal, folderId: number, name: string): DiskObjectDoc[] {
  const lower = name.toLocaleLowerCase('ru');
  return portal.store
    .query<DiskObjectDoc>(DISK_OBJECT_KIND, {
      where: [
        { field: 'PARENT_ID', op: '=', value: folderId, kind: 'number' },
        { field: 'NAME', op: 'like', value: name, kind: 'text' },
      ],
    })
    .filter((o) => o.NAME.toLocaleLowerCase('ru') === lower);
}

/** `report.docx` taken -> `report (1).docx`, then `report (2).docx` (disk.folder.uploadfile generateUniqueName). */
function uniqueName(portal: Portal, folderId: number, name: string): string {
  if (childrenNamed(portal, folderId, name).length === 0) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (childrenNamed(portal, folderId, candidate).length === 0) return candidate;
  }
}

function addFolder(ctx: CallContext, parent: DiskObjectDoc): MethodOutput {
  const { portal, params, userId } = ctx;
  const name = str(objectParam(params, 'data')?.NAME ?? objectParam(params, 'data')?.name).trim();
  if (!name) throw diskError.argument(1);
  if (childrenNamed(portal, parent.id, name).length > 0) throw diskError.folderExists();
  const now = portal.now();
  const folder = portal.store.insert<Omit<DiskObjectDoc, 'id'>>(DISK_OBJECT_KIND, {
    NAME: name,
    STORAGE_ID: parent.STORAGE_ID,
    TYPE: 'folder',
    PARENT_ID: parent.id,
    CREATE_TIME: now,
    UPDATE_TIME: now,
    CREATED_BY: userId,
    UPDATED_BY: userId,
    FILE_ID: null,
    SIZE: null,
    GLOBAL_CONTENT_VERSION: null,
  });
  return ok(renderObject(portal, folder, true));
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * `fileContent` as clients send it: `["name.ext", "<base64>"]` in JSON, `fileContent[0]=..&
 * fileContent[1]=..` in a form, or a multipart file part (read-params turns it into the same pair).
 */
function readFileContent(value: unknown): { name: string; content: string } {
  const parts = listParam(value).map(str);
  const [name, content] = parts.length >= 2 ? parts : ['', parts[0] ?? ''];
  if (!BASE64.test(content ?? '')) throw diskError.couldNotSave();
  return { name: name ?? '', content: (content ?? '').replace(/\s+/g, '') };
}

function storeFile(
  ctx: CallContext,
  folder: DiskObjectDoc,
  name: string,
  content: string,
  generateUniqueName: boolean,
): DiskObjectDoc {
  const { portal, userId } = ctx;
  let finalName = name;
  if (childrenNamed(portal, folder.id, name).length > 0) {
    if (!generateUniqueName) throw diskError.fileExists();
    finalName = uniqueName(portal, folder.id, name);
  }
  const blob = portal.store.insert<Omit<DiskBlobDoc, 'id'>>(DISK_BLOB_KIND, {
    name: finalName,
    content,
    token: randomBytes(16).toString('hex'),
  });
  const now = portal.now();
  return portal.store.insert<Omit<DiskObjectDoc, 'id'>>(DISK_OBJECT_KIND, {
    NAME: finalName,
    STORAGE_ID: folder.STORAGE_ID,
    TYPE: 'file',
    PARENT_ID: folder.id,
    CREATE_TIME: now,
    UPDATE_TIME: now,
    CREATED_BY: userId,
    UPDATED_BY: userId,
    FILE_ID: blob.id,
    SIZE: Buffer.from(content, 'base64').length,
    GLOBAL_CONTENT_VERSION: 1,
  });
}

/** The folder of a user's drive that files attached elsewhere (a timeline comment) are saved to. */
export const UPLOADED_FOLDER_NAME = 'Загруженные файлы';

/**
 * A file attached to something else (a timeline comment's FILES): saved to the author's drive, in
 * «Загруженные файлы», as the portal does, so its id is a Drive file id that `disk.file.get` and
 * `disk.file.copyto` accept (files/how-to-download-files.md#timeline-comment); a name taken there gets
 * a unique one on Drive (`скан (1).jpg`) while FILES keeps the name given. Undefined when the
 * author has no drive (no such user).
 */
export function saveAttachment(
  portal: Portal,
  userId: number,
  name: string,
  content: string,
): { objectId: number; blobId: number; token: string } | undefined {
  const storage = ensureUserStorage(portal, userId);
  if (!storage) return undefined;
  const root = rootOf(portal, storage);
  const now = portal.now();
  const folder =
    childrenNamed(portal, root.id, UPLOADED_FOLDER_NAME).find((o) => o.TYPE === 'folder') ??
    portal.store.insert<Omit<DiskObjectDoc, 'id'>>(DISK_OBJECT_KIND, {
      NAME: UPLOADED_FOLDER_NAME,
      STORAGE_ID: storage.id,
      TYPE: 'folder',
      PARENT_ID: root.id,
      CREATE_TIME: now,
      UPDATE_TIME: now,
      CREATED_BY: userId,
      UPDATED_BY: userId,
      FILE_ID: null,
      SIZE: null,
      GLOBAL_CONTENT_VERSION: null,
    });
  const file = storeFile(
    { portal, userId, method: 'crm.timeline.comment.add', params: {}, start: undefined },
    folder,
    name,
    content,
    true,
  );
  const blob = portal.store.get<DiskBlobDoc>(DISK_BLOB_KIND, file.FILE_ID ?? 0);
  return { objectId: file.id, blobId: file.FILE_ID ?? 0, token: blob?.token ?? '' };
}

/**
 * `disk.file.copyto {id, targetFolderId}` (disk/file/disk-file-copy-to.md): a copy with its own
 * content under the same name; a name taken in the target -> DISK_OBJ_22000.
 */
function copyFile(ctx: CallContext): MethodOutput {
  const { portal, params } = ctx;
  const file = loadObject(portal, requireId(params), 'file');
  const rawTarget = param(params, 'targetFolderId');
  if (rawTarget === undefined || rawTarget === null || rawTarget === '') throw diskError.argument(1);
  const target = loadObject(portal, idParam(rawTarget) ?? str(rawTarget), 'folder');
  const blob =
    file.FILE_ID === null ? undefined : portal.store.get<DiskBlobDoc>(DISK_BLOB_KIND, file.FILE_ID);
  return ok(renderObject(portal, storeFile(ctx, target, file.NAME, blob?.content ?? '', false), true));
}

/**
 * Direct upload with `fileContent`, or, without it, the first step of the two-step form: an upload
 * URL (with a fresh access token, as the portal embeds one) that takes the file as a multipart part
 * named `file` (disk-folder-upload-file.md#uploadurl).
 */
function uploadTo(ctx: CallContext, folder: DiskObjectDoc): MethodOutput {
  const { portal, params, userId } = ctx;
  const generateUniqueName = flag(param(params, 'generateUniqueName')) === true;
  const data = objectParam(params, 'data');
  const fileContent = param(params, 'fileContent');
  if (fileContent === undefined || fileContent === null || fileContent === '') {
    const token = randomBytes(16).toString('hex');
    portal.store.insert<Omit<UploadDoc, 'id'>>(UPLOAD_KIND, {
      token,
      folderId: folder.id,
      userId,
      generateUniqueName,
      name: str(data?.NAME).trim(),
    });
    const auth = portal.issueToken(userId);
    return ok({
      field: 'file',
      uploadUrl: `${portal.baseUrl}/rest/upload.json?auth=${auth.accessToken}&token=${encodeURIComponent(`disk|${token}`)}`,
    });
  }
  const name = str(data?.NAME).trim();
  if (!name) throw diskError.nameRequired();
  const file = readFileContent(fileContent);
  return ok(renderObject(portal, storeFile(ctx, folder, name, file.content, generateUniqueName), true));
}

// ---------------------------------------------------------------------------------------------------
// Lists

const timeRef = (portal: Portal, field: string): FieldRef => ({
  field,
  kind: 'number',
  toStored: (v) => parseDateInput(v, portal.settings.timezoneOffsetMinutes) ?? null,
});

const objectResolver =
  (portal: Portal): FieldResolver =>
  (name) => {
    const key = name.toUpperCase();
    switch (key) {
      case 'ID':
        return { field: 'id', kind: 'number' };
      case 'NAME':
      case 'TYPE':
        return { field: key, kind: 'text' };
      case 'STORAGE_ID':
      case 'PARENT_ID':
      case 'CREATED_BY':
      case 'UPDATED_BY':
      case 'FILE_ID':
      case 'SIZE':
      case 'GLOBAL_CONTENT_VERSION':
        return { field: key, kind: 'number' };
      case 'CREATE_TIME':
      case 'UPDATE_TIME':
        return timeRef(portal, key);
      default:
        return undefined;
    }
  };

const storageResolver: FieldResolver = (name) => {
  const key = name.toUpperCase();
  if (key === 'ID') return { field: 'id', kind: 'number' };
  if (key === 'ROOT_OBJECT_ID') return { field: key, kind: 'number' };
  if (['NAME', 'CODE', 'MODULE_ID', 'ENTITY_TYPE', 'ENTITY_ID'].includes(key))
    return { field: key, kind: 'text' };
  return undefined;
};

function children(ctx: CallContext, folder: DiskObjectDoc): MethodOutput {
  const { portal, params, start } = ctx;
  const resolve = objectResolver(portal);
  const where = [
    { field: 'PARENT_ID', op: '=' as const, value: folder.id, kind: 'number' as const },
    ...parseFilter(objectParam(params, 'filter'), resolve, { unknown: 'ignore' }),
  ];
  const order = parseOrder(objectParam(params, 'order'), resolve);
  return listPage<DiskObjectDoc>(portal.store, DISK_OBJECT_KIND, start, { where, order }, (rows) =>
    rows.map((o) => renderObject(portal, o, false)),
  );
}

// ---------------------------------------------------------------------------------------------------

const rootOf = (portal: Portal, storage: StorageDoc): DiskObjectDoc =>
  loadObject(portal, storage.ROOT_OBJECT_ID, 'folder');

const onFolder =
  (action: (ctx: CallContext, folder: DiskObjectDoc) => MethodOutput): MethodHandler =>
  (ctx) =>
    action(ctx, loadObject(ctx.portal, requireId(ctx.params), 'folder'));

const onStorageRoot =
  (action: (ctx: CallContext, folder: DiskObjectDoc) => MethodOutput): MethodHandler =>
  (ctx) =>
    action(ctx, rootOf(ctx.portal, loadStorage(ctx.portal, requireId(ctx.params))));

const methods: MethodTable = scoped('disk', {
  'disk.storage.getlist': ({ portal, params, start, userId }) => {
    ensureUserStorage(portal, userId);
    const where = parseFilter(objectParam(params, 'filter'), storageResolver, { unknown: 'ignore' });
    const order = parseOrder(objectParam(params, 'order'), storageResolver);
    return listPage<StorageDoc>(portal.store, STORAGE_KIND, start, { where, order }, (rows) =>
      rows.map(renderStorage),
    );
  },
  'disk.storage.get': ({ portal, params }) => ok(renderStorage(loadStorage(portal, requireId(params)))),
  'disk.storage.getchildren': onStorageRoot(children),
  'disk.storage.addfolder': onStorageRoot(addFolder),
  'disk.storage.uploadfile': onStorageRoot(uploadTo),
  'disk.folder.get': ({ portal, params }) =>
    ok(renderObject(portal, loadObject(portal, requireId(params), 'folder'), false)),
  'disk.folder.getchildren': onFolder(children),
  'disk.folder.addsubfolder': onFolder(addFolder),
  'disk.folder.uploadfile': onFolder(uploadTo),
  'disk.file.get': ({ portal, params }) =>
    ok(renderObject(portal, loadObject(portal, requireId(params), 'file'), false)),
  'disk.file.copyto': copyFile,
  'disk.file.delete': ({ portal, params }) => {
    const file = loadObject(portal, requireId(params), 'file');
    portal.store.delete(DISK_OBJECT_KIND, file.id);
    if (file.FILE_ID !== null) portal.store.delete(DISK_BLOB_KIND, file.FILE_ID);
    return ok(true);
  },
});

/**
 * The second step of a two-step upload: `POST /rest/upload.json?auth=..&token=disk|..` with the file
 * as a multipart part. Not allowed inside batch (an upload pseudo-method, reference §2.1).
 */
methods.upload = {
  scope: 'disk',
  batchable: false,
  handler: (ctx) => {
    const { portal, params } = ctx;
    const token = str(param(params, 'token')).replace(/^disk\|/, '');
    const pending = portal.store
      .query<UploadDoc>(UPLOAD_KIND, {
        where: [{ field: 'token', op: '=', value: token, kind: 'text' }],
        limit: 1,
      })
      .at(0);
    if (!pending) throw diskError.notFound(token);
    const part = param(params, 'file');
    if (part === undefined) throw diskError.couldNotSave();
    const file = readFileContent(part);
    const name = pending.name || file.name;
    if (!name) throw diskError.nameRequired();
    const folder = loadObject(portal, pending.folderId, 'folder');
    portal.store.delete(UPLOAD_KIND, pending.id);
    const saved = storeFile(
      { ...ctx, userId: pending.userId },
      folder,
      name,
      file.content,
      pending.generateUniqueName,
    );
    return ok(renderObject(portal, saved, true));
  },
};

export const diskModule: MethodModule = {
  seed: (portal) => {
    createStorage(
      portal,
      {
        NAME: COMMON_STORAGE_NAME,
        CODE: null,
        MODULE_ID: 'disk',
        ENTITY_TYPE: 'common',
        ENTITY_ID: 'shared_files_s1',
      },
      portal.settings.user,
    );
  },
  methods,
};
