import { randomBytes } from 'node:crypto';
import type { MethodModule, Portal } from '../portal.js';
import { ENTITY_TYPE, TIMELINE_COMMENT_KIND, itemKind } from '../crm/model.js';
import { isSupportedEntity } from '../crm/directory.js';
import type { StoredFile } from '../crm/records.js';
import { FILE_BLOB_KIND, entityTypeByName, fileUrl } from '../crm/records.js';
import type { FieldRef } from '../protocol/filter.js';
import { parseFilter, parseOrder } from '../protocol/filter.js';
import { listPage } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Doc } from '../store/store.js';
import { parseDateInput } from '../portal-clock.js';
import type { CallContext, MethodHandler } from './registry.js';
import { ok, scoped } from './registry.js';
import type { UserDoc } from './users.js';
import { idParam, listParam, param, str } from './params.js';
import { missingParam } from './crm-item.js';
import { saveAttachment } from './disk.js';

/**
 * `crm.timeline.comment.*` (api-reference/crm/timeline/comments/*.md): comments on a deal, contact,
 * company or smart-process item. Since crm 23.100.0 the `fields` key must be lowercase (other
 * spellings are not accepted). Records print legacy style: ids as strings, FILES keyed by file id.
 */

interface CommentFile extends StoredFile {
  created: number;
  authorId: number;
  /** The Drive file the attachment is (its id in FILES); absent in comments stored before. */
  diskId?: number;
}

interface CommentDoc extends Doc {
  entityTypeId: number;
  /** The record the comment is on (named as the record core's cleanup expects). */
  ownerId: number;
  comment: string;
  authorId: number;
  created: number;
  files: CommentFile[];
}

const IMAGE = /\.(png|jpe?g|gif|bmp|webp|svg)$/i;

const ownerNotFound = (): RestError =>
  new RestError('OWNER_NOT_FOUND', 'Owner of the element not found', 400);
const notFound = (): RestError => new RestError('NOT_FOUND', 'Not found.', 400);

function entityName(entityTypeId: number): string {
  const fixed: Record<number, string> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company' };
  return fixed[entityTypeId] ?? `dynamic_${entityTypeId}`;
}

/** The lowercase `fields` object only (crm-timeline-comment-add.md); anything else is "missing". */
function lowerFields(params: CallContext['params']): Record<string, unknown> {
  const fields = params.fields;
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw missingParam('fields');
  return fields as Record<string, unknown>;
}

function owner(portal: Portal, typeRaw: unknown, idRaw: unknown): { entityTypeId: number; ownerId: number } {
  const entityTypeId = typeof typeRaw === 'number' ? typeRaw : entityTypeByName(str(typeRaw));
  const ownerId = idParam(idRaw);
  if (
    entityTypeId === undefined ||
    entityTypeId === ENTITY_TYPE.lead ||
    ownerId === undefined ||
    !isSupportedEntity(portal, entityTypeId) ||
    !portal.store.get(itemKind(entityTypeId), ownerId)
  )
    throw ownerNotFound();
  return { entityTypeId, ownerId };
}

/** `FILES: [["1.gif", "<base64>"], ...]` (files/how-to-upload-files.md). */
function uploadFiles(portal: Portal, raw: unknown, authorId: number): CommentFile[] {
  const out: CommentFile[] = [];
  for (const entry of listParam(raw)) {
    const [name, content] = listParam(entry);
    if (typeof name !== 'string' || typeof content !== 'string' || name === '') continue;
    const size = Buffer.from(content, 'base64').length;
    // Attachments live on Drive: FILES ids are Drive file ids (disk.file.get, disk.file.copyto).
    const saved = saveAttachment(portal, authorId, name, content);
    if (saved) {
      out.push({
        id: saved.blobId,
        name,
        size,
        token: saved.token,
        created: portal.now(),
        authorId,
        diskId: saved.objectId,
      });
      continue;
    }
    const token = randomBytes(16).toString('hex');
    const blob = portal.store.insert(FILE_BLOB_KIND, { name, content, token });
    out.push({ id: blob.id, name, size, token, created: portal.now(), authorId });
  }
  return out;
}

function authorName(portal: Portal, userId: number): string {
  const user = portal.store.get<UserDoc>('user', userId);
  return user ? [user.NAME, user.LAST_NAME].filter(Boolean).join(' ') : '';
}

function renderAll(portal: Portal, c: CommentDoc): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const f of c.files) {
    const url = fileUrl(portal, f);
    files[String(f.diskId ?? f.id)] = {
      id: f.diskId ?? f.id,
      date: portal.iso(f.created),
      type: IMAGE.test(f.name) ? 'image' : 'file',
      name: f.name,
      size: f.size,
      authorId: f.authorId,
      authorName: authorName(portal, f.authorId),
      urlShow: url,
      urlDownload: url,
    };
  }
  return {
    ID: String(c.id),
    ENTITY_ID: String(c.ownerId),
    ENTITY_TYPE: entityName(c.entityTypeId),
    CREATED: portal.iso(c.created),
    COMMENT: c.comment,
    AUTHOR_ID: String(c.authorId),
    FILES: files,
  };
}

const COLUMNS = ['ID', 'ENTITY_ID', 'ENTITY_TYPE', 'CREATED', 'COMMENT', 'AUTHOR_ID', 'FILES'];

function render(portal: Portal, c: CommentDoc, columns: string[] = COLUMNS): Record<string, unknown> {
  const all = renderAll(portal, c);
  return Object.fromEntries(columns.map((k) => [k, all[k]]));
}

function commentById(
  portal: Portal,
  raw: unknown,
  missing: () => RestError,
  absent: () => RestError,
): CommentDoc {
  const id = idParam(raw);
  if (id === undefined) throw missing();
  const doc = portal.store.get<CommentDoc>(TIMELINE_COMMENT_KIND, id);
  if (!doc) throw absent();
  return doc;
}

const handlers: Record<string, MethodHandler> = {
  'crm.timeline.comment.fields': () => {
    const f = (type: string, title: string, extra: Record<string, unknown> = {}) => ({
      type,
      isRequired: false,
      isReadOnly: false,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title,
      ...extra,
    });
    return ok({
      ID: f('integer', 'ID', { isReadOnly: true }),
      CREATED: f('datetime', 'Created on', { isReadOnly: true }),
      ENTITY_ID: f('integer', 'Entity ID', { isRequired: true, isImmutable: true }),
      ENTITY_TYPE: f('string', 'Entity type', { isRequired: true, isImmutable: true }),
      AUTHOR_ID: f('user', 'Author'),
      COMMENT: f('string', 'Comment', { isRequired: true }),
      FILES: f('attached_diskfile', 'Files', { isMultiple: true }),
    });
  },
  'crm.timeline.comment.add': ({ portal, params, userId }) => {
    const fields = lowerFields(params);
    const { entityTypeId, ownerId } = owner(portal, param(fields, 'ENTITY_TYPE'), param(fields, 'ENTITY_ID'));
    const comment = str(param(fields, 'COMMENT')).trim();
    if (comment === '') throw errors.invalidArgValue('Empty comment');
    const authorId = idParam(param(fields, 'AUTHOR_ID')) ?? userId;
    const doc = portal.store.insert<Omit<CommentDoc, 'id'>>(TIMELINE_COMMENT_KIND, {
      entityTypeId,
      ownerId,
      comment,
      authorId,
      created: portal.now(),
      files: uploadFiles(portal, param(fields, 'FILES'), authorId),
    });
    return ok(doc.id);
  },
  'crm.timeline.comment.get': ({ portal, params }) => {
    const doc = commentById(
      portal,
      param(params, 'id', 'ID'),
      () => errors.legacy('ID is not defined or invalid.'),
      () => errors.legacy('Not found.'),
    );
    return ok(render(portal, doc));
  },
  'crm.timeline.comment.update': ({ portal, params, userId }) => {
    const raw = param(params, 'id', 'ID');
    if (raw === undefined || raw === '') throw missingParam('id');
    const fields = lowerFields(params);
    const doc = commentById(portal, raw, notFound, notFound);
    const comment = param(fields, 'COMMENT');
    if (comment !== undefined) {
      if (str(comment).trim() === '') throw errors.invalidArgValue('Empty comment');
      doc.comment = str(comment).trim();
    }
    const files = param(fields, 'FILES');
    if (files !== undefined) doc.files = uploadFiles(portal, files, userId);
    portal.store.put(TIMELINE_COMMENT_KIND, doc);
    return ok(doc.id);
  },
  'crm.timeline.comment.delete': ({ portal, params }) => {
    const raw = param(params, 'id', 'ID');
    if (raw === undefined || raw === '') throw missingParam('id');
    const doc = commentById(portal, raw, notFound, notFound);
    portal.store.delete(TIMELINE_COMMENT_KIND, doc.id);
    return ok(null);
  },
  'crm.timeline.comment.list': ({ portal, params, start }) => {
    const filter = param(params, 'filter');
    const f = filter && typeof filter === 'object' ? (filter as Record<string, unknown>) : {};
    const typeRaw = param(f, 'ENTITY_TYPE');
    const idRaw = param(f, 'ENTITY_ID');
    if (typeRaw === undefined || idRaw === undefined)
      throw errors.legacy('The filter must contain ENTITY_ID and ENTITY_TYPE.');
    const { entityTypeId, ownerId } = owner(portal, typeRaw, idRaw);
    const offset = portal.settings.timezoneOffsetMinutes;
    // crm-timeline-comment-list.md: order only by ID, CREATED, AUTHOR_ID.
    const refs: Record<string, FieldRef> = {
      ID: { field: 'id', kind: 'number' },
      CREATED: { field: 'created', kind: 'number', toStored: (v) => parseDateInput(v, offset) ?? null },
      AUTHOR_ID: { field: 'authorId', kind: 'number' },
    };
    const resolve = (name: string): FieldRef | undefined => refs[name.toUpperCase()];
    const rest = Object.fromEntries(
      Object.entries(f).filter(([k]) => !['ENTITY_TYPE', 'ENTITY_ID'].includes(k.toUpperCase())),
    );
    const where = [
      { field: 'entityTypeId', op: '=' as const, value: entityTypeId, kind: 'number' as const },
      { field: 'ownerId', op: '=' as const, value: ownerId, kind: 'number' as const },
      ...parseFilter(rest, resolve, { unknown: 'ignore' }),
    ];
    const order = parseOrder(param(params, 'order'), resolve);
    const select = listParam(param(params, 'select'))
      .map((s) => str(s).toUpperCase())
      .filter((s) => COLUMNS.includes(s));
    const columns = select.length > 0 ? select : COLUMNS;
    return listPage<CommentDoc>(portal.store, TIMELINE_COMMENT_KIND, start, { where, order }, (rows) =>
      rows.map((r) => render(portal, r, columns)),
    );
  },
};

export const crmTimelineModule: MethodModule = { methods: scoped('crm', handlers) };
