/**
 * `restore`: replays a snapshot (and the chain of incrementals under it) into a portal over REST.
 * Configuration first (departments, smart-process types, pipelines, stages, field definitions), then
 * records in dependency order, every reference re-pointed through the IdMap (remap-row.ts). Bitrix24
 * REST cannot keep IDs, so new IDs are written to a mapping file after every batch; a rerun with the
 * same mapping file skips what is already mapped (resumable after a failure).
 *
 * Refuses a portal that already holds CRM records unless `merge` is set (or the run resumes its own
 * mapping file). Users are never created: they are matched by e-mail, the rest fall to the user the
 * webhook belongs to, and the result lists them.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import type { B24Client } from '../rest/client.js';
import type { BatchCall } from '../rest/batch.js';
import type { ChainLink } from './effective-rows.js';
import { effectiveRows, loadChain } from './effective-rows.js';
import type { IdMapJson } from './id-map.js';
import { IdMap } from './id-map.js';
import { matchUsers } from './match-users.js';
import { listFieldInput, propertyTypes, remapListElement } from './remap-list-element.js';
import { REMAP_RULES } from './remap-rules.js';
import { enumRules, mapEnumItems, remapUfName, renameItemFields } from './remap-user-fields.js';
import type { RefSpec, Unresolved } from './remap-row.js';
import { remapEntityType, remapRow, remapStage, remapStatusEntity } from './remap-row.js';
import { verifySnapshot } from './verify-snapshot.js';
import type { Row } from './write-snapshot.js';
import { numericId } from './write-snapshot.js';

export interface RestoreOptions {
  client: B24Client;
  snapshotDir: string;
  mappingFile: string;
  dryRun?: boolean;
  merge?: boolean;
  onProgress?: (p: { entity: string; rows: number }) => void;
  signal?: AbortSignal;
}

export interface RestoreResult {
  snapshot: string;
  target: string;
  dryRun: boolean;
  resumed: boolean;
  mappingFile: string;
  /** Records created per entity (a dry run: would be created). */
  created: Record<string, number>;
  /** Records found on the target and reused (configuration matched by name or code). */
  reused: Record<string, number>;
  unmatchedUsers: { id: string; email: string; reason: string }[];
  warnings: string[];
}

interface MappingState {
  format: 'b24lab-restore-map';
  snapshot: string;
  target: string;
  map: IdMapJson;
  done: string[];
}

/** Keeps the mapping file current: written to a temporary name and renamed, so it is never half-written. */
class Mapping {
  constructor(
    readonly file: string,
    readonly state: MappingState,
    readonly map: IdMap,
  ) {}

  static async load(file: string, snapshot: string, target: string): Promise<Mapping | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const state = JSON.parse(text) as MappingState;
    if (state.format !== 'b24lab-restore-map' || state.snapshot !== snapshot || state.target !== target) {
      throw new UserError(
        `${file} is the mapping of another restore (${state.snapshot} into ${state.target}).`,
        'Pass another --mapping file, or delete this one to start over.',
      );
    }
    return new Mapping(file, state, IdMap.from(state.map));
  }

  async save(): Promise<void> {
    this.state.map = this.map.toJSON();
    await writeFile(`${this.file}.tmp`, JSON.stringify(this.state) + '\n');
    await rename(`${this.file}.tmp`, this.file);
  }
}

/** tasks.task.list answers camelCase, tasks.task.add takes UPPER_CASE: responsibleId -> RESPONSIBLE_ID. */
function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** What tasks.task.add accepts of a task row (tasks-task-add.md); the rest is computed by the portal. */
const TASK_FIELDS = new Set([
  'TITLE',
  'DESCRIPTION',
  'PRIORITY',
  'STATUS',
  'DEADLINE',
  'START_DATE_PLAN',
  'END_DATE_PLAN',
  'RESPONSIBLE_ID',
  'CREATED_BY',
  'AUDITORS',
  'ACCOMPLICES',
  'PARENT_ID',
  'UF_CRM_TASK',
  'UF_TASK_WEBDAV_FILES',
  'ALLOW_CHANGE_DEADLINE',
  'TASK_CONTROL',
  'MARK',
  'TAGS',
]);

const CRM_DATA_PROBES = ['crm.deal.list', 'crm.contact.list', 'crm.company.list'];

function count(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function idFromResult(result: unknown): number | undefined {
  if (typeof result === 'number' || typeof result === 'string') return numericId(result);
  if (result !== null && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    for (const key of ['item', 'task', 'category', 'type']) {
      const inner = r[key];
      if (inner !== null && typeof inner === 'object')
        return numericId((inner as Row).id ?? (inner as Row).ID);
    }
    return numericId(r.ID ?? r.id);
  }
  return undefined;
}

export async function restoreSnapshot(options: RestoreOptions): Promise<RestoreResult> {
  const { client } = options;
  const dryRun = options.dryRun ?? false;
  const verdict = await verifySnapshot(options.snapshotDir);
  if (!verdict.ok) {
    throw new UserError(
      `${verdict.snapshot} does not verify: ${verdict.problems.slice(0, 3).join('; ')}`,
      'Restore only from a snapshot `b24lab backup verify` accepts.',
    );
  }
  const chain = await loadChain(options.snapshotDir);
  const snapshot = basename(options.snapshotDir);
  const target = client.portal;
  const existing = await Mapping.load(options.mappingFile, snapshot, target);
  const mapping =
    existing ??
    new Mapping(
      options.mappingFile,
      { format: 'b24lab-restore-map', snapshot, target, map: {}, done: [] },
      new IdMap(),
    );
  const result: RestoreResult = {
    snapshot,
    target,
    dryRun,
    resumed: existing !== undefined,
    mappingFile: options.mappingFile,
    created: {},
    reused: {},
    unmatchedUsers: [],
    warnings: [],
  };

  if (!existing && !options.merge) {
    for (const method of CRM_DATA_PROBES) {
      const envelope = await client.callEnvelope<unknown[]>(method, { select: ['ID'], start: 0 });
      const total = envelope.total ?? (Array.isArray(envelope.result) ? envelope.result.length : 0);
      if (total > 0) {
        throw new UserError(
          `${target} already holds CRM data (${method}: ${total} records); a restore would mix two portals.`,
          'Restore into an empty portal, or pass --merge to add the snapshot to what is there.',
        );
      }
    }
  }

  const ctx: RestoreContext = {
    client,
    chain,
    mapping,
    result,
    dryRun,
    options,
    extraRules: enumRules(
      await collectChain(chain, 'fields'),
      await collectChain(chain, 'smart-process-fields'),
    ),
  };
  const steps: [string, (c: RestoreContext) => Promise<void>][] = [
    ['users', restoreUsers],
    ['departments', restoreDepartments],
    ['smart-process-types', restoreTypes],
    ['pipelines', restorePipelines],
    ['stages', restoreStages],
    ['fields', restoreFields],
    ['smart-process-fields', restoreSmartFields],
    ['lists', restoreLists],
    [
      'companies',
      (c) =>
        restoreRecords(c, 'companies', 'company', (f) => ({
          method: 'crm.company.add',
          params: { fields: f },
        })),
    ],
    [
      'contacts',
      (c) =>
        restoreRecords(c, 'contacts', 'contact', (f) => ({
          method: 'crm.contact.add',
          params: { fields: f },
        })),
    ],
    [
      'deals',
      (c) => restoreRecords(c, 'deals', 'deal', (f) => ({ method: 'crm.deal.add', params: { fields: f } })),
    ],
    ['deal-contacts', restoreDealContacts],
    ['smart-process-items', restoreItems],
    ['files', restoreFiles],
    ['list-elements', restoreListElements],
    ['tasks', restoreTasks],
    ['timeline-comments', restoreComments],
  ];
  for (const [entity, step] of steps) {
    // Matching steps run again on a resume (cheap, and the map must hold them); creating steps skip.
    if (mapping.state.done.includes(entity) && !['users'].includes(entity)) continue;
    if (!chain[0]?.manifest.entities[entity]) continue;
    await step(ctx);
    if (!dryRun) {
      mapping.state.done.push(entity);
      await mapping.save();
    }
  }
  if (chain[0]?.manifest.entities['list-elements']?.count && !chain[0].manifest.entities.lists) {
    // Snapshots older than the `lists` entity hold elements without their lists' field definitions.
    result.warnings.push('universal list elements are kept but this snapshot has no list definitions');
  }
  return result;
}

interface RestoreContext {
  client: B24Client;
  chain: ChainLink[];
  mapping: Mapping;
  result: RestoreResult;
  dryRun: boolean;
  options: RestoreOptions;
  /** Enumeration user fields per entity (remap-user-fields.ts), added to REMAP_RULES. */
  extraRules: Record<string, Record<string, RefSpec>>;
}

async function collectChain(chain: ChainLink[], entity: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of effectiveRows(chain, entity)) rows.push(row);
  return rows;
}

async function collect(ctx: RestoreContext, entity: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of effectiveRows(ctx.chain, entity)) rows.push(row);
  return rows;
}

async function listAll(
  ctx: RestoreContext,
  method: string,
  params: Record<string, unknown> = {},
): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of ctx.client.list<Row>(method, params)) rows.push(row);
  return rows;
}

async function restoreUsers(ctx: RestoreContext): Promise<void> {
  const source = (await collect(ctx, 'users')) as { ID: string; EMAIL?: string }[];
  const targetUsers = (await listAll(ctx, 'user.get', { ADMIN_MODE: true })) as {
    ID: string;
    EMAIL?: string;
  }[];
  const me = await ctx.client.call<Row>('user.current');
  const match = matchUsers(source, targetUsers, numericId(me.ID));
  for (const [from, to] of Object.entries(match.map)) ctx.mapping.map.set('user', from, to);
  ctx.result.unmatchedUsers = match.unmatched;
  count(ctx.result.reused, 'users', Object.keys(match.map).length - match.unmatched.length);
}

/** Departments: matched by name under the same (mapped) parent, created when missing; parents first. */
async function restoreDepartments(ctx: RestoreContext): Promise<void> {
  const source = await collect(ctx, 'departments');
  const target = await listAll(ctx, 'department.get');
  const key = (name: unknown, parent: unknown): string => `${String(parent ?? '')}|${String(name)}`;
  const byKey = new Map(target.map((d) => [key(d.NAME, d.PARENT), numericId(d.ID)]));
  const root = target.find((d) => d.PARENT === undefined || d.PARENT === null || d.PARENT === '');
  let pending = source;
  while (pending.length > 0) {
    const next: Row[] = [];
    for (const d of pending) {
      const isRoot = d.PARENT === undefined || d.PARENT === null || d.PARENT === '';
      if (isRoot) {
        if (root) ctx.mapping.map.set('department', String(d.ID), numericId(root.ID) ?? 1);
        count(ctx.result.reused, 'departments');
        continue;
      }
      const parent = ctx.mapping.map.get('department', String(d.PARENT));
      if (parent === undefined) {
        next.push(d);
        continue;
      }
      const found = byKey.get(key(d.NAME, parent));
      if (found !== undefined) {
        ctx.mapping.map.set('department', String(d.ID), found);
        count(ctx.result.reused, 'departments');
        continue;
      }
      count(ctx.result.created, 'departments');
      if (ctx.dryRun) {
        ctx.mapping.map.set('department', String(d.ID), -1);
        continue;
      }
      const head = d.UF_HEAD !== undefined ? ctx.mapping.map.get('user', String(d.UF_HEAD)) : undefined;
      const id = await ctx.client.call<number>('department.add', {
        NAME: d.NAME,
        PARENT: parent,
        SORT: d.SORT,
        ...(head !== undefined ? { UF_HEAD: head } : {}),
      });
      ctx.mapping.map.set('department', String(d.ID), Number(id));
    }
    if (next.length === pending.length) {
      ctx.result.warnings.push(
        `${next.length} departments have a parent missing from the snapshot; not restored`,
      );
      break;
    }
    pending = next;
  }
}

/** Smart-process types: matched by title, else created; the new entityTypeId goes into the map. */
async function restoreTypes(ctx: RestoreContext): Promise<void> {
  const target = await listAll(ctx, 'crm.type.list');
  for (const t of await collect(ctx, 'smart-process-types')) {
    const found = target.find((x) => x.title === t.title);
    if (found) {
      ctx.mapping.map.set('smartType', String(t.entityTypeId), Number(found.entityTypeId));
      ctx.mapping.map.set('smartTypeId', String(t.id), Number(found.id));
      count(ctx.result.reused, 'smart-process-types');
      continue;
    }
    count(ctx.result.created, 'smart-process-types');
    if (ctx.dryRun) continue;
    const { fields } = remapRow(t, REMAP_RULES['smart-process-types']!, ctx.mapping.map);
    delete fields.relations;
    delete fields.linkedUserFields;
    const answer = await ctx.client.call<{ type: Row }>('crm.type.add', { fields });
    ctx.mapping.map.set('smartType', String(t.entityTypeId), Number(answer.type.entityTypeId));
    ctx.mapping.map.set('smartTypeId', String(t.id), Number(answer.type.id));
  }
}

/** Pipelines: the default one maps to the target's default; others by name, else created. */
async function restorePipelines(ctx: RestoreContext): Promise<void> {
  const cache = new Map<number, Row[]>();
  for (const c of await collect(ctx, 'pipelines')) {
    const entityTypeId = remapEntityType(Number(c.entityTypeId), ctx.mapping.map);
    if (entityTypeId === undefined) {
      ctx.result.warnings.push(`pipeline "${String(c.name)}": its smart process was not restored`);
      continue;
    }
    let target = cache.get(entityTypeId);
    if (!target) {
      target =
        ctx.dryRun && entityTypeId < 0 ? [] : await listAll(ctx, 'crm.category.list', { entityTypeId });
      cache.set(entityTypeId, target);
    }
    const found =
      c.isDefault === 'Y' ? target.find((x) => x.isDefault === 'Y') : target.find((x) => x.name === c.name);
    if (found) {
      ctx.mapping.map.set('category', String(c.id), Number(found.id));
      if (found.name !== c.name && !ctx.dryRun) {
        await ctx.client.call('crm.category.update', {
          entityTypeId,
          id: found.id,
          fields: { name: c.name, sort: c.sort },
        });
      }
      count(ctx.result.reused, 'pipelines');
      continue;
    }
    count(ctx.result.created, 'pipelines');
    if (ctx.dryRun) continue;
    const answer = await ctx.client.call<{ category: Row }>('crm.category.add', {
      entityTypeId,
      fields: { name: c.name, sort: c.sort },
    });
    ctx.mapping.map.set('category', String(c.id), Number(answer.category.id));
  }
}

/**
 * Stages and other directories: per target directory, existing statuses updated, missing ones added,
 * and (unless merging) the target's own extra non-system stages removed, so the pipeline ends up as it
 * was backed up.
 */
async function restoreStages(ctx: RestoreContext): Promise<void> {
  const byDirectory = new Map<string, Row[]>();
  for (const s of await collect(ctx, 'stages')) {
    const entityId = remapStatusEntity(String(s.ENTITY_ID), ctx.mapping.map);
    if (entityId === undefined) continue;
    byDirectory.set(entityId, [...(byDirectory.get(entityId) ?? []), s]);
  }
  for (const [entityId, rows] of byDirectory) {
    const target = await listAll(ctx, 'crm.status.list', { filter: { ENTITY_ID: entityId } });
    const wanted = new Set<string>();
    for (const s of rows.sort((a, b) => Number(a.SORT) - Number(b.SORT))) {
      const statusId = remapStage(String(s.STATUS_ID), ctx.mapping.map) ?? String(s.STATUS_ID);
      wanted.add(statusId);
      const found = target.find((t) => t.STATUS_ID === statusId);
      const fields = {
        NAME: s.NAME,
        SORT: s.SORT,
        COLOR: s.COLOR,
        ...(s.SEMANTICS ? { SEMANTICS: s.SEMANTICS } : {}),
      };
      if (found) {
        const same =
          found.NAME === s.NAME &&
          String(found.SORT) === String(s.SORT) &&
          (found.COLOR ?? '') === (s.COLOR ?? '');
        if (!same && !ctx.dryRun) await ctx.client.call('crm.status.update', { id: found.ID, fields });
        count(ctx.result.reused, 'stages');
        continue;
      }
      count(ctx.result.created, 'stages');
      if (ctx.dryRun) continue;
      await ctx.client.call('crm.status.add', {
        fields: { ENTITY_ID: entityId, STATUS_ID: statusId, ...fields },
      });
    }
    if (ctx.options.merge || ctx.dryRun) continue;
    for (const t of target) {
      if (wanted.has(String(t.STATUS_ID)) || t.SYSTEM === 'Y') continue;
      try {
        await ctx.client.call('crm.status.delete', { id: t.ID });
      } catch (e) {
        ctx.result.warnings.push(
          `could not remove stage ${String(t.STATUS_ID)} of ${entityId}: ${(e as Error).message}`,
        );
      }
    }
  }
}

/** Deal, contact and company field definitions: matched by FIELD_NAME, else added. */
async function restoreFields(ctx: RestoreContext): Promise<void> {
  const owners: Record<string, string> = { CRM_DEAL: 'deal', CRM_CONTACT: 'contact', CRM_COMPANY: 'company' };
  const targets = new Map<string, Row[]>();
  for (const f of await collect(ctx, 'fields')) {
    const owner = owners[String(f.ENTITY_ID)];
    if (!owner) continue;
    let target = targets.get(owner);
    if (!target) {
      target = await listAll(ctx, `crm.${owner}.userfield.list`);
      targets.set(owner, target);
    }
    let found = target.find((t) => t.FIELD_NAME === f.FIELD_NAME);
    count(found ? ctx.result.reused : ctx.result.created, 'fields');
    if (ctx.dryRun) continue;
    if (!found) {
      const { fields } = remapRow(f, REMAP_RULES.fields!, ctx.mapping.map);
      delete fields.ENTITY_ID;
      if (Array.isArray(fields.LIST))
        fields.LIST = (fields.LIST as Row[]).map((v) => ({
          VALUE: v.VALUE,
          SORT: v.SORT,
          DEF: v.DEF,
          XML_ID: v.XML_ID,
        }));
      const id = await ctx.client.call<number>(`crm.${owner}.userfield.add`, { fields });
      found = await ctx.client.call<Row>(`crm.${owner}.userfield.get`, { id });
    }
    // Enumeration items are new on the target (or the target's own): their IDs matched by VALUE.
    if (f.USER_TYPE_ID === 'enumeration') enumWarnings(ctx, String(f.FIELD_NAME), f, found);
  }
}

function enumWarnings(ctx: RestoreContext, name: string, source: Row, target: Row): void {
  for (const value of mapEnumItems(source, target, ctx.mapping.map))
    ctx.result.warnings.push(`field ${name}: the value "${value}" is missing on the target`);
}

/**
 * Smart-process field definitions (userfieldconfig, entity CRM_<type id>): the type's new id renames
 * the entity and the field (UF_CRM_5_KIND -> UF_CRM_9_KIND); matched by that name, else added with
 * its enumeration items, whose IDs are then matched by VALUE.
 */
async function restoreSmartFields(ctx: RestoreContext): Promise<void> {
  const targets = new Map<string, Row[]>();
  for (const f of await collect(ctx, 'smart-process-fields')) {
    const entityId = remapUfName(String(f.entityId), ctx.mapping.map);
    const fieldName = remapUfName(String(f.fieldName), ctx.mapping.map);
    if (entityId === String(f.entityId) && !ctx.mapping.map.has('smartTypeId', String(f.entityId).slice(4))) {
      ctx.result.warnings.push(`field ${String(f.fieldName)}: its smart process was not restored`);
      continue;
    }
    let target = targets.get(entityId);
    if (!target) {
      target = ctx.dryRun
        ? []
        : ((
            await ctx.client.call<{ fields: Row[] }>('userfieldconfig.list', {
              moduleId: 'crm',
              filter: { entityId },
            })
          ).fields ?? []);
      targets.set(entityId, target);
    }
    const found = target.find((t) => t.fieldName === fieldName);
    count(found ? ctx.result.reused : ctx.result.created, 'smart-process-fields');
    if (ctx.dryRun) continue;
    let id = found?.id;
    if (!found) {
      const field: Row = { entityId, fieldName };
      for (const key of [
        'userTypeId',
        'xmlId',
        'sort',
        'multiple',
        'mandatory',
        'showFilter',
        'showInList',
      ]) {
        if (f[key] !== undefined && f[key] !== null) field[key] = f[key];
      }
      for (const key of ['editInList', 'isSearchable', 'settings', 'editFormLabel', 'listColumnLabel']) {
        if (f[key] !== undefined && f[key] !== null) field[key] = f[key];
      }
      for (const key of ['listFilterLabel', 'errorMessage', 'helpMessage']) {
        if (f[key] !== undefined && f[key] !== null) field[key] = f[key];
      }
      if (Array.isArray(f.enum))
        field.enum = (f.enum as Row[]).map((i) => ({
          value: i.value,
          sort: i.sort,
          def: i.def,
          xmlId: i.xmlId,
        }));
      id = (await ctx.client.call<{ field: Row }>('userfieldconfig.add', { moduleId: 'crm', field })).field
        .id;
    }
    if (f.userTypeId !== 'enumeration') continue;
    const answer = await ctx.client.call<{ field: Row }>('userfieldconfig.get', { moduleId: 'crm', id });
    enumWarnings(ctx, fieldName, f, answer.field);
  }
}

/**
 * Records: streamed, remapped, created 50 to a request; the mapping file is saved after each request.
 * A reference to a record of the same kind not created yet (a parent later in the stream) is set by
 * an update at the end.
 */
async function restoreRecords(
  ctx: RestoreContext,
  entity: string,
  kind: string | ((row: Row) => string),
  toCall: (fields: Row, row: Row) => BatchCall,
  shape: (fields: Row) => Row = (f) => f,
  update?: (id: number, fields: Row, row: Row) => BatchCall,
): Promise<void> {
  const base = REMAP_RULES[entity]!;
  const rules = { ...base, fields: { ...base.fields, ...(ctx.extraRules[entity] ?? {}) } };
  const deferred: { kind: string; id: string; row: Row; unresolved: Unresolved[] }[] = [];
  let chunk: { row: Row; kind: string; call: BatchCall; unresolved: Unresolved[] }[] = [];
  const kindOf = typeof kind === 'string' ? () => kind : kind;
  const idField = ctx.chain[0]?.manifest.entities[entity]?.idField ?? 'ID';
  let done = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const outcomes = await ctx.client.batch(chunk.map((c) => c.call));
    for (const [i, outcome] of outcomes.entries()) {
      const c = chunk[i]!;
      const sourceId = String(c.row[idField]);
      if (!outcome.ok) {
        ctx.result.warnings.push(`${entity} ${sourceId}: ${outcome.error.description || outcome.error.code}`);
        continue;
      }
      const id = idFromResult(outcome.result);
      if (id === undefined) continue;
      ctx.mapping.map.set(c.kind, sourceId, id);
      count(ctx.result.created, entity);
      const later = c.unresolved.filter((u) => u.kind === c.kind);
      if (later.length > 0) deferred.push({ kind: c.kind, id: sourceId, row: c.row, unresolved: later });
    }
    chunk = [];
    done += outcomes.length;
    await ctx.mapping.save();
    ctx.options.onProgress?.({ entity, rows: done });
  };
  for await (const row of effectiveRows(ctx.chain, entity)) {
    const rowKind = kindOf(row);
    if (ctx.mapping.map.has(rowKind, String(row[idField]))) continue;
    const { fields, unresolved } = remapRow(row, rules, ctx.mapping.map);
    for (const u of unresolved) {
      if (u.kind !== rowKind)
        ctx.result.warnings.push(
          `${entity} ${String(row[idField])}: ${u.field} points at ${u.kind} ${u.id}, not in the snapshot`,
        );
    }
    if (ctx.dryRun) {
      count(ctx.result.created, entity);
      continue;
    }
    chunk.push({ row, kind: rowKind, call: toCall(shape(fields), row), unresolved });
    if (chunk.length === 50) await flush();
  }
  await flush();
  if (!update || deferred.length === 0) return;
  const calls: BatchCall[] = [];
  for (const d of deferred) {
    const { fields } = remapRow(
      d.row,
      { fields: rules.fields, drop: [], ...(rules.patterns ? { patterns: rules.patterns } : {}) },
      ctx.mapping.map,
    );
    const patch: Row = {};
    for (const u of d.unresolved) patch[u.field] = fields[u.field];
    const id = ctx.mapping.map.get(d.kind, d.id);
    if (id !== undefined) calls.push(update(id, shape(patch), d.row));
  }
  for (const outcome of await ctx.client.batch(calls)) {
    if (!outcome.ok) ctx.result.warnings.push(`${entity}: a late link failed: ${outcome.error.description}`);
  }
}

async function restoreDealContacts(ctx: RestoreContext): Promise<void> {
  const calls: BatchCall[] = [];
  for await (const row of effectiveRows(ctx.chain, 'deal-contacts')) {
    const deal = ctx.mapping.map.get('deal', String(row.DEAL_ID));
    if (deal === undefined) continue;
    const items = (Array.isArray(row.items) ? (row.items as Row[]) : [])
      .map((i) => ({ ...i, CONTACT_ID: ctx.mapping.map.get('contact', String(i.CONTACT_ID)) }))
      .filter((i) => i.CONTACT_ID !== undefined);
    count(ctx.result.created, 'deal-contacts');
    calls.push({ method: 'crm.deal.contact.items.set', params: { id: deal, items } });
  }
  if (ctx.dryRun) return;
  for (const outcome of await ctx.client.batch(calls)) {
    if (!outcome.ok) ctx.result.warnings.push(`deal contacts: ${outcome.error.description}`);
  }
}

async function restoreItems(ctx: RestoreContext): Promise<void> {
  await restoreRecords(
    ctx,
    'smart-process-items',
    (row) => `item:${String(row.entityTypeId)}`,
    (fields, row) => ({
      method: 'crm.item.add',
      params: { entityTypeId: remapEntityType(Number(row.entityTypeId), ctx.mapping.map), fields },
    }),
    (fields) => {
      const out = renameItemFields(fields, ctx.mapping.map);
      delete out.entityTypeId;
      return out;
    },
  );
}

/** Drive: folders then files in the order they were walked (parents first), content uploaded again. */
async function restoreFiles(ctx: RestoreContext): Promise<void> {
  const storages = await ctx.client.call<Row[]>('disk.storage.getlist', {
    filter: { ENTITY_TYPE: 'common' },
  });
  const common = storages.find((s) => s.ENTITY_TYPE === 'common');
  if (!common) {
    ctx.result.warnings.push('the target has no shared Drive: files not restored');
    return;
  }
  for await (const row of effectiveRows(ctx.chain, 'files')) {
    const kind = row.TYPE === 'folder' ? 'folder' : 'file';
    if (ctx.mapping.map.has(kind, String(row.ID))) continue;
    ctx.mapping.map.set('folder', String(row.STORAGE_ROOT_ID), Number(common.ROOT_OBJECT_ID));
    const parent = ctx.mapping.map.get('folder', String(row.PARENT_ID));
    count(ctx.result.created, 'files');
    if (ctx.dryRun || parent === undefined) continue;
    const answer =
      kind === 'folder'
        ? await ctx.client.call<Row>('disk.folder.addsubfolder', { id: parent, data: { NAME: row.NAME } })
        : await ctx.client.call<Row>('disk.folder.uploadfile', {
            id: parent,
            data: { NAME: row.NAME },
            fileContent: [row.NAME, row.CONTENT_BASE64 ?? ''],
          });
    ctx.mapping.map.set(kind, String(row.ID), Number(answer.ID));
    await ctx.mapping.save();
  }
}

async function restoreTasks(ctx: RestoreContext): Promise<void> {
  const shape = (fields: Row): Row => {
    const out: Row = {};
    for (const [k, v] of Object.entries(fields)) {
      const key = upperSnake(k);
      // An empty user field reads back as `false` (tasks-task-list.md); writing it would store [].
      if (TASK_FIELDS.has(key) && !(key.startsWith('UF_') && v === false)) out[key] = v;
    }
    return out;
  };
  await restoreRecords(
    ctx,
    'tasks',
    'task',
    (fields) => ({ method: 'tasks.task.add', params: { fields } }),
    shape,
    (id, fields) => ({ method: 'tasks.task.update', params: { taskId: id, fields } }),
  );
}

async function restoreComments(ctx: RestoreContext): Promise<void> {
  await restoreRecords(ctx, 'timeline-comments', 'comment', (fields, row) => {
    const type = String(row.ENTITY_TYPE);
    const dynamic = /^dynamic_(\d+)$/.exec(type);
    const entityType = dynamic
      ? `dynamic_${remapEntityType(Number(dynamic[1]), ctx.mapping.map) ?? ''}`
      : type;
    return {
      method: 'crm.timeline.comment.add',
      params: {
        fields: {
          ENTITY_ID: fields.ENTITY_ID,
          ENTITY_TYPE: entityType,
          COMMENT: fields.COMMENT,
          AUTHOR_ID: fields.AUTHOR_ID,
          ...(Array.isArray(row.FILES_CONTENT) ? { FILES: row.FILES_CONTENT } : {}),
        },
      },
    };
  });
}

/**
 * Universal lists: matched by IBLOCK_TYPE_ID + IBLOCK_CODE, else created (lists.add); fields matched by
 * CODE (properties) or FIELD_ID (system fields), else added (lists.field.add). The map gets the list
 * (`list`), each property (`listField`: 951 -> 1204) and each enumeration value (`listEnum`, by VALUE).
 */
async function restoreLists(ctx: RestoreContext): Promise<void> {
  for (const l of await collect(ctx, 'lists')) {
    const type = String(l.IBLOCK_TYPE_ID);
    const code = String(l.CODE ?? '');
    if (code === '') {
      ctx.result.warnings.push(`list "${String(l.NAME)}" has no code: not restored`);
      continue;
    }
    const found = (await ctx.client.call<Row[]>('lists.get', { IBLOCK_TYPE_ID: type, IBLOCK_CODE: code }))[0];
    let iblockId = found ? numericId(found.ID) : undefined;
    count(found ? ctx.result.reused : ctx.result.created, 'lists');
    if (ctx.dryRun) continue;
    if (iblockId === undefined) {
      const answer = await ctx.client.call<number>('lists.add', {
        IBLOCK_TYPE_ID: type,
        IBLOCK_CODE: code,
        FIELDS: { NAME: l.NAME, DESCRIPTION: l.DESCRIPTION ?? '', SORT: l.SORT, BIZPROC: l.BIZPROC ?? 'N' },
      });
      iblockId = Number(answer);
    }
    ctx.mapping.map.set('list', String(l.ID), iblockId);
    const address = { IBLOCK_TYPE_ID: type, IBLOCK_ID: iblockId };
    const readTarget = async (): Promise<Row[]> => {
      const answer = await ctx.client.call<Row>('lists.field.get', address);
      return Array.isArray(answer) ? [] : (Object.values(answer) as Row[]);
    };
    const keyOf = (f: Row): string =>
      String(f.FIELD_ID).startsWith('PROPERTY_')
        ? `CODE:${String(f.CODE).toUpperCase()}`
        : String(f.FIELD_ID);
    let target = await readTarget();
    const sourceFields = Object.values((l.FIELDS ?? {}) as Record<string, Row>);
    let added = false;
    for (const f of sourceFields) {
      if (target.some((t) => keyOf(t) === keyOf(f))) continue;
      await ctx.client.call('lists.field.add', { ...address, FIELDS: listFieldInput(f, ctx.mapping.map) });
      added = true;
    }
    if (added) target = await readTarget();
    for (const f of sourceFields) {
      const t = target.find((x) => keyOf(x) === keyOf(f));
      const m = /^PROPERTY_(\d+)$/.exec(String(f.FIELD_ID));
      if (!t || !m) continue;
      ctx.mapping.map.set('listField', m[1] ?? '', Number(String(t.FIELD_ID).replace('PROPERTY_', '')));
      const values = Object.entries((t.DISPLAY_VALUES_FORM ?? {}) as Row);
      for (const [id, value] of Object.entries((f.DISPLAY_VALUES_FORM ?? {}) as Row)) {
        const match = values.find(([, v]) => v === value);
        if (match) ctx.mapping.map.set('listEnum', id, Number(match[0]));
        else ctx.result.warnings.push(`list ${code}: value "${String(value)}" of ${String(f.NAME)} missing`);
      }
    }
    await ctx.mapping.save();
  }
}

/**
 * List elements: lists.element.add by the list's code with the element's own ELEMENT_CODE, 50 to a
 * request, properties re-named and their values remapped (remap-list-element.ts). A link to an
 * element later in the stream is set by lists.element.update at the end.
 */
async function restoreListElements(ctx: RestoreContext): Promise<void> {
  const types = propertyTypes(await collect(ctx, 'lists'));
  const listOf = (row: Row): Row => ({
    IBLOCK_TYPE_ID: row.IBLOCK_TYPE_ID,
    IBLOCK_ID: ctx.mapping.map.get('list', String(row.IBLOCK_ID)),
  });
  const deferred: { id: number; row: Row }[] = [];
  let chunk: { row: Row; call: BatchCall; later: boolean }[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const outcomes = await ctx.client.batch(chunk.map((c) => c.call));
    for (const [i, outcome] of outcomes.entries()) {
      const c = chunk[i]!;
      if (!outcome.ok) {
        ctx.result.warnings.push(
          `list-elements ${String(c.row.ID)}: ${outcome.error.description || outcome.error.code}`,
        );
        continue;
      }
      const id = idFromResult(outcome.result);
      if (id === undefined) continue;
      ctx.mapping.map.set('listElement', String(c.row.ID), id);
      count(ctx.result.created, 'list-elements');
      if (c.later) deferred.push({ id, row: c.row });
    }
    done += chunk.length;
    chunk = [];
    await ctx.mapping.save();
    ctx.options.onProgress?.({ entity: 'list-elements', rows: done });
  };
  for await (const row of effectiveRows(ctx.chain, 'list-elements')) {
    if (ctx.mapping.map.has('listElement', String(row.ID))) continue;
    const address = listOf(row);
    if (address.IBLOCK_ID === undefined && !ctx.dryRun) {
      ctx.result.warnings.push(`list-elements ${String(row.ID)}: its list was not restored`);
      continue;
    }
    const { fields, unresolved } = remapListElement(row, types, ctx.mapping.map);
    for (const u of unresolved) {
      if (u.kind === 'listFile')
        ctx.result.warnings.push(`list-elements ${String(row.ID)}: the file of ${u.field} is not restored`);
      else if (u.kind !== 'listElement')
        ctx.result.warnings.push(
          `list-elements ${String(row.ID)}: ${u.field} points at ${u.kind} ${u.id}, not in the snapshot`,
        );
    }
    count(ctx.dryRun ? ctx.result.created : {}, 'list-elements');
    if (ctx.dryRun) continue;
    chunk.push({
      row,
      later: unresolved.some((u) => u.kind === 'listElement'),
      call: { method: 'lists.element.add', params: { ...address, ELEMENT_CODE: row.CODE, FIELDS: fields } },
    });
    if (chunk.length === 50) await flush();
  }
  await flush();
  if (deferred.length === 0) return;
  // lists.element.update overwrites the whole element, so the full remapped fields go again.
  const calls = deferred.map(({ id, row }) => ({
    method: 'lists.element.update',
    params: { ...listOf(row), ELEMENT_ID: id, FIELDS: remapListElement(row, types, ctx.mapping.map).fields },
  }));
  for (const outcome of await ctx.client.batch(calls)) {
    if (!outcome.ok)
      ctx.result.warnings.push(`list-elements: a late link failed: ${outcome.error.description}`);
  }
}
