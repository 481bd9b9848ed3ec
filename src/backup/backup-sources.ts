/**
 * Where each entity of a backup comes from: the list method, the ID and modification fields, and the
 * filter an incremental adds. Order matters: configuration first (a restore replays it in this order),
 * then records, parents before children. Lists stream through the REST client's chained fast path
 * (src/rest/list.ts), so no entity is ever held in memory.
 *
 * Sources: reference/bitrix24-rest.md §6 and api-reference pages named per source.
 */
import type { B24Client } from '../rest/client.js';
import type { Row } from './write-snapshot.js';

export interface SourceContext {
  client: B24Client;
  /** Smart-process entityTypeIds, read from the types entity earlier in the same backup. */
  smartTypes: number[];
  /** Rows of an entity already written in this backup (deal IDs for their contact links). */
  written(entity: string): AsyncIterable<Row>;
  /** Downloads a Drive file's content. */
  download(url: string): Promise<Buffer>;
  signal?: AbortSignal;
}

export interface BackupSource {
  entity: string;
  idField?: string;
  modifiedField?: string;
  /** Configuration (small, copied whole by an incremental too) or records. */
  part: 'configuration' | 'records';
  /** `since` = the previous checkpoint: the rows changed from then on (an incremental). */
  rows(ctx: SourceContext, since?: string): AsyncIterable<Row>;
  /** Incrementals: the IDs present now (cheap: ID only). Absent = taken from `rows` without `since`. */
  ids?(ctx: SourceContext): AsyncIterable<number>;
}

async function* tagged(rows: AsyncIterable<Row>, extra: Row): AsyncGenerator<Row> {
  for await (const row of rows) yield { ...row, ...extra };
}

function list(ctx: SourceContext, method: string, params: Record<string, unknown> = {}): AsyncIterable<Row> {
  return ctx.client.list<Row>(method, params, ctx.signal ? { signal: ctx.signal } : {});
}

async function* idsOf(rows: AsyncIterable<Row>, field: string): AsyncGenerator<number> {
  for await (const row of rows) {
    const n = Number(row[field]);
    if (Number.isSafeInteger(n)) yield n;
  }
}

/** A legacy CRM entity (crm.deal.list ...): UPPER_CASE, `>=DATE_MODIFY` for changes. */
function legacyCrm(entity: string, method: string, select: string[]): BackupSource {
  return {
    entity,
    idField: 'ID',
    modifiedField: 'DATE_MODIFY',
    part: 'records',
    rows: (ctx, since) =>
      list(ctx, method, { select, ...(since !== undefined ? { filter: { '>=DATE_MODIFY': since } } : {}) }),
    ids: (ctx) => idsOf(list(ctx, method, { select: ['ID'] }), 'ID'),
  };
}

/** The comments of each owner, 50 owners a request; an owner with more than 50 pages on by offset. */
async function* commentsOf(
  ctx: SourceContext,
  entityType: string | undefined,
  owners: AsyncIterable<Row>,
  idField: string,
): AsyncGenerator<Row> {
  let chunk: Record<string, unknown>[] = [];
  const flush = async function* (): AsyncGenerator<Row> {
    const outcomes = await ctx.client.batch<Row[]>(
      chunk.map((filter) => ({ method: 'crm.timeline.comment.list', params: { filter } })),
      ctx.signal ? { signal: ctx.signal } : {},
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) throw outcome.error;
      const filter = chunk[i] ?? {};
      const rows =
        outcome.next !== undefined ? list(ctx, 'crm.timeline.comment.list', { filter }) : outcome.result;
      for await (const comment of rows) yield await withFiles(ctx, comment);
    }
    chunk = [];
  };
  for await (const owner of owners) {
    const type = entityType ?? `dynamic_${String(owner.entityTypeId)}`;
    chunk.push({ ENTITY_TYPE: type, ENTITY_ID: owner[idField] });
    if (chunk.length === 50) yield* flush();
  }
  if (chunk.length > 0) yield* flush();
}

async function withFiles(ctx: SourceContext, comment: Row): Promise<Row> {
  const files = comment.FILES;
  if (files === null || typeof files !== 'object') return comment;
  const content: [string, string][] = [];
  for (const file of Object.values(files as Record<string, Row>)) {
    const url = typeof file.urlDownload === 'string' ? file.urlDownload : '';
    if (url !== '') content.push([String(file.name), (await ctx.download(url)).toString('base64')]);
  }
  return content.length > 0 ? { ...comment, FILES_CONTENT: content } : comment;
}

/** The list types a backup reads: universal lists and the processes of the feed. */
const LIST_TYPES = ['lists', 'bitrix_processes'];

const multifieldSelect = ['*', 'UF_*', 'PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'];

export const BACKUP_SOURCES: BackupSource[] = [
  { entity: 'departments', idField: 'ID', part: 'configuration', rows: (ctx) => list(ctx, 'department.get') },
  // Users are matched by e-mail on restore, never created; kept for that match and for reference.
  {
    entity: 'users',
    idField: 'ID',
    part: 'configuration',
    rows: (ctx) => list(ctx, 'user.get', { ADMIN_MODE: true }),
  },
  {
    entity: 'smart-process-types',
    idField: 'id',
    part: 'configuration',
    rows: (ctx) => list(ctx, 'crm.type.list'),
  },
  {
    entity: 'pipelines',
    idField: 'id',
    part: 'configuration',
    rows: async function* (ctx) {
      for (const entityTypeId of [2, ...ctx.smartTypes])
        yield* list(ctx, 'crm.category.list', { entityTypeId });
    },
  },
  { entity: 'stages', idField: 'ID', part: 'configuration', rows: (ctx) => list(ctx, 'crm.status.list') },
  {
    entity: 'fields',
    idField: 'ID',
    part: 'configuration',
    rows: async function* (ctx) {
      for (const owner of ['deal', 'contact', 'company']) yield* list(ctx, `crm.${owner}.userfield.list`);
    },
  },
  {
    entity: 'smart-process-fields',
    idField: 'id',
    part: 'configuration',
    // userfieldconfig.list also shows the deal/contact/company fields kept above: smart processes only.
    rows: async function* (ctx) {
      for await (const row of list(ctx, 'userfieldconfig.list', { moduleId: 'crm' })) {
        if (!/^CRM_\d+$/.test(String(row.entityId))) continue;
        // The list leaves enumeration items out; userfieldconfig.get has them (userfieldconfig-get.md).
        if (row.userTypeId !== 'enumeration') yield row;
        else
          yield (
            await ctx.client.call<{ field: Row }>('userfieldconfig.get', { moduleId: 'crm', id: row.id })
          ).field;
      }
    },
  },
  {
    // Universal lists with their field definitions (lists.get, lists.field.get), so a restore can
    // create a missing list and re-name its PROPERTY_<id> fields; elements are `list-elements` below.
    entity: 'lists',
    idField: 'ID',
    part: 'configuration',
    rows: async function* (ctx) {
      for (const type of LIST_TYPES) {
        const lists = (await ctx.client.call<Row[]>('lists.get', { IBLOCK_TYPE_ID: type })) ?? [];
        for (const l of lists) {
          const fields = await ctx.client.call<Row>('lists.field.get', {
            IBLOCK_TYPE_ID: type,
            IBLOCK_ID: l.ID,
          });
          yield { ...l, IBLOCK_TYPE_ID: type, FIELDS: Array.isArray(fields) ? {} : fields };
        }
      }
    },
  },
  legacyCrm('companies', 'crm.company.list', multifieldSelect),
  legacyCrm('contacts', 'crm.contact.list', multifieldSelect),
  legacyCrm('deals', 'crm.deal.list', ['*', 'UF_*']),
  {
    // crm.deal.list cannot select CONTACT_IDS (crm-deal-list.md): one items.get per deal, 50 per
    // request, for the deals of this snapshot. One row per deal keeps incrementals simple.
    entity: 'deal-contacts',
    idField: 'DEAL_ID',
    part: 'records',
    rows: async function* (ctx) {
      let chunk: number[] = [];
      const flush = async function* (): AsyncGenerator<Row> {
        const outcomes = await ctx.client.batch<unknown[]>(
          chunk.map((id) => ({ method: 'crm.deal.contact.items.get', params: { id } })),
          ctx.signal ? { signal: ctx.signal } : {},
        );
        for (const [i, outcome] of outcomes.entries()) {
          if (!outcome.ok) throw outcome.error;
          if (Array.isArray(outcome.result) && outcome.result.length > 0) {
            yield { DEAL_ID: chunk[i], items: outcome.result };
          }
        }
        chunk = [];
      };
      for await (const deal of ctx.written('deals')) {
        // CONTACT_ID is the deal's first contact (crm-deal-list.md): empty means no links to ask for.
        if (deal.CONTACT_ID === null || deal.CONTACT_ID === undefined || deal.CONTACT_ID === '') continue;
        chunk.push(Number(deal.ID));
        if (chunk.length === 500) yield* flush();
      }
      if (chunk.length > 0) yield* flush();
    },
    ids: (ctx) => idsOf(list(ctx, 'crm.deal.list', { select: ['ID'] }), 'ID'),
  },
  {
    entity: 'smart-process-items',
    idField: 'id',
    modifiedField: 'updatedTime',
    part: 'records',
    rows: async function* (ctx, since) {
      for (const entityTypeId of ctx.smartTypes) {
        const filter = since !== undefined ? { '>=updatedTime': since } : {};
        yield* list(ctx, 'crm.item.list', { entityTypeId, select: ['*'], filter });
      }
    },
    ids: async function* (ctx) {
      for (const entityTypeId of ctx.smartTypes) {
        yield* idsOf(list(ctx, 'crm.item.list', { entityTypeId, select: ['id'] }), 'id');
      }
    },
  },
  {
    entity: 'tasks',
    idField: 'id',
    modifiedField: 'changedDate',
    part: 'records',
    rows: (ctx, since) =>
      list(ctx, 'tasks.task.list', {
        select: ['*', 'UF_CRM_TASK', 'UF_TASK_WEBDAV_FILES'],
        ...(since !== undefined ? { filter: { '>=CHANGED_DATE': since } } : {}),
      }),
    ids: (ctx) => idsOf(list(ctx, 'tasks.task.list', { select: ['ID'] }), 'id'),
  },
  {
    // crm.timeline.comment.list needs ENTITY_TYPE + ENTITY_ID (crm-timeline-comment-list.md): one list
    // per owner, 50 owners a request, for every deal, contact, company and smart-process item.
    // Attached files come back as URLs; their content is kept as FILES_CONTENT [[name, base64]], the
    // shape crm.timeline.comment.add takes. An incremental re-reads all of them: the portal has no
    // list of comments changed across owners.
    entity: 'timeline-comments',
    idField: 'ID',
    part: 'records',
    rows: async function* (ctx) {
      // Owners by ID only (cheap), from the portal rather than this snapshot: an incremental holds
      // only the changed records, and comments of unchanged ones must be listed too.
      const owners: [string, string][] = [
        ['deal', 'crm.deal.list'],
        ['contact', 'crm.contact.list'],
        ['company', 'crm.company.list'],
      ];
      for (const [entity, method] of owners)
        yield* commentsOf(ctx, entity, list(ctx, method, { select: ['ID'] }), 'ID');
      for (const entityTypeId of ctx.smartTypes) {
        const items = list(ctx, 'crm.item.list', { entityTypeId, select: ['id'] });
        yield* commentsOf(ctx, `dynamic_${entityTypeId}`, items, 'id');
      }
    },
  },
  {
    // Universal lists and processes in the feed (lists.get per IBLOCK_TYPE_ID, lists.element.get).
    entity: 'list-elements',
    idField: 'ID',
    part: 'records',
    rows: async function* (ctx) {
      for (const type of LIST_TYPES) {
        const lists = (await ctx.client.call<Row[]>('lists.get', { IBLOCK_TYPE_ID: type })) ?? [];
        for (const l of lists) {
          const extra = { IBLOCK_TYPE_ID: type, IBLOCK_CODE: l.CODE ?? null, IBLOCK_NAME: l.NAME ?? null };
          yield* tagged(list(ctx, 'lists.element.get', { IBLOCK_TYPE_ID: type, IBLOCK_ID: l.ID }), extra);
        }
      }
    },
  },
  {
    // The shared Drive (ENTITY_TYPE common), where the CRM's documents live: folders and files with
    // their content (base64), walked depth first (disk.storage.getchildren, disk.folder.getchildren).
    entity: 'files',
    idField: 'ID',
    part: 'records',
    rows: async function* (ctx) {
      const storages = await ctx.client.call<Row[]>('disk.storage.getlist', {
        filter: { ENTITY_TYPE: 'common' },
      });
      for (const storage of storages.filter((s) => s.ENTITY_TYPE === 'common')) {
        const stack: string[] = [String(storage.ROOT_OBJECT_ID)];
        while (stack.length > 0) {
          const folder = stack.pop() ?? '';
          for await (const child of list(ctx, 'disk.folder.getchildren', { id: folder })) {
            if (child.TYPE === 'folder') {
              stack.push(String(child.ID));
              yield { ...child, STORAGE_NAME: storage.NAME, STORAGE_ROOT_ID: storage.ROOT_OBJECT_ID };
            } else {
              const url = typeof child.DOWNLOAD_URL === 'string' ? child.DOWNLOAD_URL : '';
              const content = url === '' ? null : (await ctx.download(url)).toString('base64');
              yield {
                ...child,
                STORAGE_NAME: storage.NAME,
                STORAGE_ROOT_ID: storage.ROOT_OBJECT_ID,
                CONTENT_BASE64: content,
              };
            }
          }
        }
      }
    },
  },
];
