/**
 * The record core of the local portal's CRM: one create/update/delete path for deals, contacts,
 * companies and smart-process items, shared by the legacy methods (`crm.deal.*`, `crm.contact.*`,
 * `crm.company.*`), the universal `crm.item.*` and the bulk seeding of benchmarks and the demo.
 *
 * The core works on field descriptions (fields.ts), never on the names either view uses: a view turns
 * its input into a `Patch` (field -> raw value) and prints the stored record its own way. System fields
 * follow the PORTAL clock (`portal.now()`), so `b24lab.clock.advance` ages records as a test needs.
 */
import { randomBytes } from 'node:crypto';
import type { Portal } from '../portal.js';
import { parseDateInput, portalDate } from '../portal-clock.js';
import { flag, idParam, listParam, param, str } from '../methods/params.js';
import type { FieldDef, FieldTable, MultifieldType } from './fields.js';
import { MULTIFIELD_TYPES, fieldTable } from './fields.js';
import type { ItemDoc, StageHistoryDoc, StatusDoc } from './model.js';
import { ENTITY_TYPE, STAGE_HISTORY_KIND, TIMELINE_COMMENT_KIND, itemKind } from './model.js';
import { categoryOfStage, defaultCategory, getCategory, listStages, statusesOf } from './directory.js';

/** Store kind of uploaded file content; the HTTP layer serves it at `/b24lab/files/<id>?token=`. */
export const FILE_BLOB_KIND = 'disk_blob';
const MULTIFIELD_SEQ = 'crm_multifield';

/** The currencies of the local portal (crm.currency.list of a fresh Russian portal). */
export const CURRENCIES = ['RUB', 'USD', 'EUR', 'UAH', 'BYN', 'KZT'];
export const BASE_CURRENCY = 'RUB';

/**
 * A stage-history row. crm-stage-history-list.md: TYPE_ID 1 creation, 2 move to an in-progress stage,
 * 3 move to a final stage, 5 pipeline change (model.ts names only 1-3; the documented 5 is kept here).
 */
export interface StageHistoryRow extends Omit<StageHistoryDoc, 'typeId'> {
  typeId: 1 | 2 | 3 | 5;
}

/** A file of a `file` user field: its content is a blob; the record keeps what printing needs. */
export interface StoredFile {
  id: number;
  name: string;
  size: number;
  token: string;
}

/** A phone, e-mail, site or messenger of a contact or company (crm/data-types.md#crm_multifield). */
export interface Multifield {
  id: number;
  typeId: MultifieldType;
  valueType: string;
  value: string;
}

/**
 * What the core needs for a call: the field table, cached directories and the renderers the views
 * build from it. A core is reused by later calls while the store has seen no write (SQLite's
 * `total_changes()` is unchanged), so a chained export pays for it once, not once per page.
 */
export interface RecordCore {
  portal: Portal;
  table: FieldTable;
  entityTypeId: number;
  kind: string;
  offsetMinutes: number;
  stages: (categoryId: number) => StatusDoc[];
  firstStatus: (entityId: string) => string | null;
  /** The pipeline a STATUS_ID belongs to (`C3:WON` -> 3), or undefined. */
  categoryOf: (stageId: string) => number | undefined;
  /** ISO 8601 with the portal offset, fast (exports print several datetimes per row). */
  iso: (ms: number) => string;
  /** A `YYYY-MM-DD` date as the REST API prints it (see `dateIso`). */
  dateIso: (date: string) => string;
  /** Per-view caches (renderers by select list), valid as long as the core. */
  memo: Map<string, unknown>;
}

const cores = new WeakMap<Portal, { version: number; byType: Map<number, RecordCore | undefined> }>();
const versionStatements = new WeakMap<object, { get(): unknown }>();

/** A number that changes with every write to the store (SQLite `total_changes()` of its connection). */
function storeVersion(portal: Portal): number {
  const db = portal.store.db;
  let stmt = versionStatements.get(db);
  if (!stmt) versionStatements.set(db, (stmt = db.prepare('SELECT total_changes()').pluck()));
  return Number(stmt.get());
}

export function recordCore(portal: Portal, entityTypeId: number): RecordCore | undefined {
  const version = storeVersion(portal);
  let cache = cores.get(portal);
  if (!cache || cache.version !== version) cores.set(portal, (cache = { version, byType: new Map() }));
  if (cache.byType.has(entityTypeId)) return cache.byType.get(entityTypeId);
  const core = buildCore(portal, entityTypeId);
  cache.byType.set(entityTypeId, core);
  return core;
}

function buildCore(portal: Portal, entityTypeId: number): RecordCore | undefined {
  const table = fieldTable(portal, entityTypeId);
  if (!table) return undefined;
  const stageCache = new Map<number, StatusDoc[]>();
  const statusCache = new Map<string, string | null>();
  const categoryCache = new Map<string, number | undefined>();
  const offsetMinutes = portal.settings.timezoneOffsetMinutes;
  const iso = isoFormatter(offsetMinutes);
  const dates = new Map<string, string>();
  return {
    portal,
    table,
    entityTypeId,
    kind: itemKind(entityTypeId),
    offsetMinutes,
    stages: (categoryId) => {
      let stages = stageCache.get(categoryId);
      if (!stages) stageCache.set(categoryId, (stages = listStages(portal, entityTypeId, categoryId)));
      return stages;
    },
    firstStatus: (entityId) => {
      let first = statusCache.get(entityId);
      if (first === undefined)
        statusCache.set(entityId, (first = statusesOf(portal, entityId).at(0)?.STATUS_ID ?? null));
      return first;
    },
    categoryOf: (stageId) => {
      if (!categoryCache.has(stageId))
        categoryCache.set(stageId, categoryOfStage(portal, entityTypeId, stageId));
      return categoryCache.get(stageId);
    },
    iso,
    dateIso: (date) => {
      let text = dates.get(date);
      if (text === undefined) dates.set(date, (text = dateIso(portal, date)));
      return text;
    },
    memo: new Map(),
  };
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `isoWithOffset` (portal-clock.ts) without a Date per call: the date part is cached per day, the
 * time part is arithmetic, and a small direct-mapped cache keeps recent seconds (records created in
 * one go share their times). 1795737627000 at +03:00 -> "2026-11-27T03:00:27+03:00".
 */
export function isoFormatter(offsetMinutes: number): (ms: number) => string {
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const days = new Map<number, string>();
  const seconds = new Float64Array(256).fill(Number.NaN);
  const texts: string[] = new Array<string>(256).fill('');
  return (ms) => {
    const second = Math.floor(ms / 1000);
    const slot = second & 255;
    if (seconds[slot] === second) return texts[slot]!;
    const shifted = second * 1000 + offsetMinutes * 60_000;
    const day = Math.floor(shifted / 86_400_000);
    let date = days.get(day);
    if (date === undefined) {
      date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (days.size > 10_000) days.clear();
      days.set(day, date);
    }
    const sec = (shifted - day * 86_400_000) / 1000;
    const h = Math.floor(sec / 3600);
    const m = Math.floor((sec % 3600) / 60);
    const text = `${date}T${TWO[h]}:${TWO[m]}:${TWO[sec % 60]}${tz}`;
    seconds[slot] = second;
    texts[slot] = text;
    return text;
  };
}

/** A field value the core refuses; each view prints it in its own error style. */
export class RecordError extends Error {
  constructor(
    readonly reason: 'invalid' | 'iterable',
    readonly field: FieldDef,
    /** For `iterable`: the PHP type name of what came instead (`string`, `integer`). */
    readonly got = '',
  ) {
    super(`${reason}: ${field.key}`);
  }
}

/** Input of one write: field -> raw value as a client sent it. */
export type Patch = Map<FieldDef, unknown>;

export interface WriteOptions {
  /** Engine-controller strictness (crm.item): a multiple field needs an iterable value. */
  strict: boolean;
  /** crm.item.update may move a deal to another pipeline; crm.deal.update may not (isImmutable). */
  allowCategoryChange: boolean;
  /** Bulk seeding may set system fields (createdTime, createdBy...) to build a history. */
  seed?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Value conversion

const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '';

/** PHP's gettype() of a JSON/form value, for "Expected iterable value ... but got X instead". */
function phpType(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'double';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

function toInt(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) return Number(raw);
  return undefined;
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().replace(',', '.');
  if (!/^-?\d*\.?\d+(?:e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}

const money = (n: number): number => Math.round(n * 100) / 100;

/**
 * A money user field: `"300|RUB"` (api-reference/data-types.md). A bare number gets the base currency.
 *   300 -> "300|RUB"   "1500.5|usd" -> "1500.5|USD"   "abc" -> undefined
 */
export function parseMoney(raw: unknown): string | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? `${raw}|${BASE_CURRENCY}` : undefined;
  const m = /^\s*(-?\d+(?:[.,]\d+)?)\s*(?:\|\s*([A-Za-z]{3}))?\s*$/.exec(str(raw));
  if (!m) return undefined;
  return `${Number(m[1]!.replace(',', '.'))}|${(m[2] ?? BASE_CURRENCY).toUpperCase()}`;
}

function dateValue(core: RecordCore, def: FieldDef, raw: unknown): string {
  const ms = parseDateInput(raw, core.offsetMinutes);
  if (ms === undefined) throw new RecordError('invalid', def);
  return portalDate(ms, core.offsetMinutes);
}

function datetimeValue(core: RecordCore, def: FieldDef, raw: unknown): number {
  const ms = parseDateInput(raw, core.offsetMinutes);
  if (ms === undefined) throw new RecordError('invalid', def);
  return ms;
}

function intList(def: FieldDef, raw: unknown): number[] {
  const out: number[] = [];
  for (const v of listParam(raw)) {
    if (isEmpty(v)) continue;
    const n = toInt(v);
    if (n === undefined || n < 0) throw new RecordError('invalid', def);
    if (n > 0 && !out.includes(n)) out.push(n);
  }
  return out;
}

function systemValue(core: RecordCore, def: FieldDef, raw: unknown, strict: boolean): unknown {
  if (def.multiple) {
    if (isEmpty(raw)) return [];
    if (strict && (typeof raw !== 'object' || raw === null))
      throw new RecordError('iterable', def, phpType(raw));
    return intList(def, raw);
  }
  if (def.kind === 'flag') return flag(raw) ?? false;
  if (isEmpty(raw)) return null;
  switch (def.kind) {
    case 'id':
    case 'int':
    case 'user':
    case 'ref':
    case 'parent': {
      const n = toInt(raw);
      if (n === undefined || n < 0) throw new RecordError('invalid', def);
      if (def.kind === 'int') return n;
      if (n === 0) return null;
      const parent = def.settings?.parentEntityTypeId;
      if (def.kind === 'parent' && typeof parent === 'number' && !core.portal.store.get(itemKind(parent), n))
        throw new RecordError('invalid', def);
      return n;
    }
    case 'double':
    case 'money': {
      const n = toNumber(raw);
      if (n === undefined) throw new RecordError('invalid', def);
      return def.kind === 'money' ? money(n) : n;
    }
    case 'date':
      return dateValue(core, def, raw);
    case 'datetime':
      return datetimeValue(core, def, raw);
    case 'currency': {
      const code = str(raw).trim().toUpperCase();
      if (!CURRENCIES.includes(code)) throw new RecordError('invalid', def);
      return code;
    }
    default:
      return str(raw);
  }
}

function storeFile(core: RecordCore, name: string, base64: string): StoredFile {
  const content = base64.replace(/^data:[^,]*,/, '');
  const token = randomBytes(16).toString('hex');
  const blob = core.portal.store.insert(FILE_BLOB_KIND, { name, content, token });
  return { id: blob.id, name, size: Buffer.from(content, 'base64').length, token };
}

/**
 * One file of a `file` user field (files/how-to-upload-files.md):
 *   ["a.png", "<base64>"]                  -> a new file
 *   {"fileData": ["a.png", "<base64>"]}    -> a new file (legacy form)
 *   {"id": 12} or 12                       -> keeps the stored file 12 (multiple fields on update)
 */
function fileValue(core: RecordCore, def: FieldDef, raw: unknown, previous: StoredFile[]): StoredFile | null {
  if (isEmpty(raw)) return null;
  const keepId =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? toInt(param(raw as Record<string, unknown>, 'id'))
      : toInt(raw);
  if (keepId !== undefined) {
    const kept = previous.find((f) => f.id === keepId);
    if (kept) return kept;
    throw new RecordError('invalid', def);
  }
  let pair: unknown = raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    pair = param(raw as Record<string, unknown>, 'fileData') ?? Object.values(raw);
  }
  const parts = listParam(pair);
  if (parts.length < 2 || typeof parts[0] !== 'string' || typeof parts[1] !== 'string')
    throw new RecordError('invalid', def);
  return storeFile(core, parts[0], parts[1]);
}

const isFilePair = (raw: unknown): boolean =>
  Array.isArray(raw) && raw.length === 2 && raw.every((p) => typeof p === 'string');

function ufScalar(core: RecordCore, def: FieldDef, raw: unknown): unknown {
  const uf = def.uf!;
  if (isEmpty(raw)) return null;
  switch (uf.USER_TYPE_ID) {
    case 'integer': {
      const n = toNumber(raw);
      if (n === undefined) throw new RecordError('invalid', def);
      return Math.trunc(n);
    }
    case 'double': {
      const n = toNumber(raw);
      if (n === undefined) throw new RecordError('invalid', def);
      return n;
    }
    case 'boolean':
      return flag(raw) ?? false;
    case 'date':
      return dateValue(core, def, raw);
    case 'datetime':
      return datetimeValue(core, def, raw);
    case 'money': {
      const m = parseMoney(raw);
      if (m === undefined) throw new RecordError('invalid', def);
      return m;
    }
    case 'enumeration': {
      // Enumeration values are item ids that must exist in the field's list (crm/universal/index.md).
      const id = idParam(raw);
      if (id === undefined || !uf.LIST.some((i) => i.ID === id)) throw new RecordError('invalid', def);
      return id;
    }
    case 'employee': {
      const n = toInt(raw);
      if (n === undefined || n <= 0) throw new RecordError('invalid', def);
      return n;
    }
    default:
      return typeof raw === 'object' ? JSON.stringify(raw) : str(raw);
  }
}

function ufValue(core: RecordCore, def: FieldDef, raw: unknown, strict: boolean, prev: unknown): unknown {
  const uf = def.uf!;
  const isFile = uf.USER_TYPE_ID === 'file';
  const previous = (Array.isArray(prev) ? prev : prev ? [prev] : []) as StoredFile[];
  if (!uf.MULTIPLE) return isFile ? fileValue(core, def, raw, previous) : ufScalar(core, def, raw);
  if (isEmpty(raw)) return [];
  if (strict && (typeof raw !== 'object' || raw === null))
    throw new RecordError('iterable', def, phpType(raw));
  const items = isFile && isFilePair(raw) ? [raw] : listParam(raw);
  const out: unknown[] = [];
  for (const item of items) {
    const v = isFile ? fileValue(core, def, item, previous) : ufScalar(core, def, item);
    if (v !== null) out.push(v);
  }
  return out;
}

/** The default value of a user field on a new record: DEF list items, DEFAULT_VALUE of simple types. */
function ufDefault(def: FieldDef): unknown {
  const uf = def.uf!;
  if (uf.USER_TYPE_ID === 'enumeration') {
    const defs = uf.LIST.filter((i) => i.DEF).map((i) => i.ID);
    if (defs.length === 0) return undefined;
    return uf.MULTIPLE ? defs : defs[0];
  }
  const value = uf.SETTINGS.DEFAULT_VALUE;
  if (uf.USER_TYPE_ID === 'boolean') return !uf.MULTIPLE ? Number(value ?? 0) === 1 : undefined;
  if (!['string', 'integer', 'double'].includes(uf.USER_TYPE_ID) || isEmpty(value) || uf.MULTIPLE)
    return undefined;
  if (uf.USER_TYPE_ID === 'string') return str(value);
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Multifields

const MF_PREFIX = 'fm';

function multifields(doc: ItemDoc): Multifield[] {
  return Array.isArray(doc.fm) ? (doc.fm as Multifield[]) : [];
}

/** Legacy `PHONE: [{VALUE, VALUE_TYPE}, {ID, VALUE}, {ID, DELETE: "Y"}]` merged into the stored list. */
function mergeLegacyMultifield(
  core: RecordCore,
  current: Multifield[],
  type: MultifieldType,
  raw: unknown,
): Multifield[] {
  let list = current.map((m) => ({ ...m }));
  for (const entry of listParam(raw)) {
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    const id = idParam(param(e, 'ID'));
    const value = str(param(e, 'VALUE')).trim();
    const valueType = str(param(e, 'VALUE_TYPE')).trim().toUpperCase();
    const existing = id === undefined ? undefined : list.find((m) => m.id === id && m.typeId === type);
    if (existing) {
      if (flag(param(e, 'DELETE')) || value === '') list = list.filter((m) => m !== existing);
      else {
        existing.value = value;
        if (valueType) existing.valueType = valueType;
      }
      continue;
    }
    if (value === '') continue;
    list.push({
      id: core.portal.store.nextId(MULTIFIELD_SEQ),
      typeId: type,
      valueType: valueType || 'WORK',
      value,
    });
  }
  return list;
}

/** crm.item `fm: [{typeId, valueType, value, id?}]` replaces the whole set (entries with id keep it). */
function replaceMultifields(
  core: RecordCore,
  def: FieldDef,
  current: Multifield[],
  raw: unknown,
): Multifield[] {
  const out: Multifield[] = [];
  for (const entry of listParam(raw)) {
    if (!entry || typeof entry !== 'object') throw new RecordError('invalid', def);
    const e = entry as Record<string, unknown>;
    const typeId = str(param(e, 'typeId')).toUpperCase() as MultifieldType;
    if (!MULTIFIELD_TYPES.includes(typeId)) throw new RecordError('invalid', def);
    const value = str(param(e, 'value')).trim();
    if (value === '') continue;
    const valueType = str(param(e, 'valueType')).trim().toUpperCase() || 'WORK';
    const id = idParam(param(e, 'id'));
    const keep = id !== undefined && current.some((m) => m.id === id && m.typeId === typeId);
    out.push({ id: keep ? id : core.portal.store.nextId(MULTIFIELD_SEQ), typeId, valueType, value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Writing

const SEMANTIC = (stage: StatusDoc | undefined): 'P' | 'S' | 'F' => stage?.SEMANTICS ?? 'P';

/** Fields a seed may set although clients may not (a demo needs 16-day-old deals). */
const SEEDABLE = new Set(['createdTime', 'updatedTime', 'movedTime', 'createdBy', 'updatedBy', 'movedBy']);

/** The [single, multiple] client bindings of an entity: a deal's contacts, a contact's companies. */
function bindingPair(t: FieldTable): [FieldDef | undefined, FieldDef] | undefined {
  const multi = t.byKey.get('contactIds') ?? t.byKey.get('companyIds');
  if (!multi) return undefined;
  return [t.byKey.get(multi.key === 'contactIds' ? 'contactId' : 'companyId'), multi];
}

function today(core: RecordCore, now: number, days = 0): string {
  const key = `today:${now}:${days}`;
  let date = core.memo.get(key) as string | undefined;
  if (date === undefined)
    core.memo.set(key, (date = portalDate(now + days * 86_400_000, core.offsetMinutes)));
  return date;
}

function setValue(doc: ItemDoc, key: string, value: unknown): void {
  if (value === null || value === undefined) delete doc[key];
  else doc[key] = value;
}

/** Defaults of a new record (crm-deal-add.md, crm-item-add.md). */
function applyDefaults(core: RecordCore, doc: ItemDoc, userId: number, now: number): void {
  const t = core.table;
  const set = (key: string, value: unknown): void => {
    if (t.byKey.has(key) && value !== null && value !== undefined) doc[key] = value;
  };
  const statusDefault = (key: string): void => {
    const def = t.byKey.get(key);
    if (def?.statusType) set(key, core.firstStatus(def.statusType));
  };
  statusDefault('typeId');
  statusDefault('sourceId');
  statusDefault('industry');
  statusDefault('employees');
  set('currencyId', BASE_CURRENCY);
  set('opportunity', 0);
  set('taxValue', 0);
  set('revenue', 0);
  set('begindate', today(core, now));
  set('closedate', today(core, now, 7));
  for (const key of ['opened', 'export']) set(key, true);
  for (const def of t.fields) {
    if (def.kind === 'flag' && doc[def.key] === undefined) doc[def.key] = false;
    if (def.uf) set(def.key, ufDefault(def));
  }
  set('assignedById', userId);
  set('createdBy', userId);
  set('updatedBy', userId);
  set('createdTime', now);
  set('updatedTime', now);
  set('lastActivityBy', userId);
  set('lastActivityTime', now);
  if (t.hasStages) {
    doc.movedBy = userId;
    doc.movedTime = now;
  }
}

interface WriteResult {
  history: Omit<StageHistoryRow, 'id'>[];
}

/**
 * Applies a patch to a record (new when `prev` is undefined): values, client bindings, multifields,
 * pipeline and stage, then the fields the portal derives. Returns the stage-history rows to write.
 */
function applyPatch(
  core: RecordCore,
  doc: ItemDoc,
  prev: ItemDoc | undefined,
  patch: Patch,
  userId: number,
  now: number,
  opts: WriteOptions,
): WriteResult {
  const t = core.table;
  let stageRaw: unknown;
  let categoryRaw: unknown;
  const bindings = bindingPair(t);
  let singleRaw: unknown;
  let multiRaw: unknown;
  for (const [def, raw] of patch) {
    if (def.kind === 'stage') stageRaw = raw;
    else if (def.kind === 'category') categoryRaw = raw;
    else if (def.derived) continue;
    else if (def.readOnly && !(opts.seed && SEEDABLE.has(def.key))) continue;
    else if (bindings && def === bindings[1]) multiRaw = raw;
    else if (bindings && def === bindings[0]) singleRaw = raw;
    else if (def.kind === 'fm') doc.fm = replaceMultifields(core, def, multifields(doc), raw);
    else if (def.kind === 'multifield')
      doc.fm = mergeLegacyMultifield(core, multifields(doc), def.fmType!, raw);
    else if (def.kind === 'uf') setValue(doc, def.key, ufValue(core, def, raw, opts.strict, doc[def.key]));
    else setValue(doc, def.key, systemValue(core, def, raw, opts.strict));
  }
  if (bindings) applyBindings(core, doc, bindings, singleRaw, multiRaw, opts);
  const history = t.hasStages ? applyStage(core, doc, prev, stageRaw, categoryRaw, userId, now, opts) : [];
  derive(core, doc);
  return { history };
}

/**
 * Client bindings: `contactIds` replaces the whole set (first = primary); the deprecated single
 * `contactId` replaces it with one contact (crm-deal-update.md); an empty value unbinds all.
 */
function applyBindings(
  core: RecordCore,
  doc: ItemDoc,
  [single, multi]: [FieldDef | undefined, FieldDef],
  singleRaw: unknown,
  multiRaw: unknown,
  opts: WriteOptions,
): void {
  let ids: number[] | undefined;
  if (multiRaw !== undefined) ids = systemValue(core, multi, multiRaw, opts.strict) as number[];
  else if (single && singleRaw !== undefined) {
    const id = systemValue(core, single, singleRaw, opts.strict) as number | null;
    ids = id === null ? [] : [id];
  }
  if (ids === undefined) return;
  setBindings(doc, multi.key, ids);
}

/** Writes a binding set: `contactIds` in order, `contactId` = primary, custom SORT values dropped. */
export function setBindings(
  doc: ItemDoc,
  multiKey: string,
  ids: number[],
  primary?: number,
  sorts?: number[],
): void {
  const singleKey = multiKey === 'contactIds' ? 'contactId' : 'companyId';
  doc[multiKey] = ids;
  setValue(doc, singleKey, ids.length === 0 ? null : (primary ?? ids[0]));
  setValue(doc, `${multiKey}Sort`, sorts);
}

function applyStage(
  core: RecordCore,
  doc: ItemDoc,
  prev: ItemDoc | undefined,
  stageRaw: unknown,
  categoryRaw: unknown,
  userId: number,
  now: number,
  opts: WriteOptions,
): Omit<StageHistoryRow, 'id'>[] {
  const t = core.table;
  const stageDef = t.byKey.get('stageId')!;
  const categoryDef = t.byKey.get('categoryId')!;
  const stageText = isEmpty(stageRaw) ? undefined : str(stageRaw).trim();
  let categoryId: number;
  let categoryChanged = false;
  if (!prev) {
    if (!isEmpty(categoryRaw)) categoryId = requireCategory(core, categoryDef, categoryRaw);
    else if (stageText !== undefined) categoryId = core.categoryOf(stageText) ?? defaultCategoryId(core);
    else categoryId = defaultCategoryId(core);
  } else {
    categoryId = Number(prev.categoryId ?? 0);
    if (opts.allowCategoryChange && !isEmpty(categoryRaw)) {
      const next = requireCategory(core, categoryDef, categoryRaw);
      categoryChanged = next !== categoryId;
      categoryId = next;
    }
  }
  const stages = core.stages(categoryId);
  let stage: StatusDoc | undefined;
  if (stageText !== undefined) {
    // The stage must belong to the record's pipeline (STAGE_ID directory DEAL_STAGE[_N]).
    stage = stages.find((s) => s.STATUS_ID === stageText);
    if (!stage) throw new RecordError('invalid', stageDef);
  } else if (!prev || categoryChanged) stage = stages[0];
  else stage = stages.find((s) => s.STATUS_ID === prev.stageId);
  doc.categoryId = categoryId;
  const stageId =
    stage?.STATUS_ID ?? (prev && !categoryChanged ? (prev.stageId as string | undefined) : undefined);
  setValue(doc, 'stageId', stageId ?? null);
  doc.stageSemanticId = SEMANTIC(stage);
  const row = (typeId: StageHistoryRow['typeId']): Omit<StageHistoryRow, 'id'> => ({
    entityTypeId: core.entityTypeId,
    ownerId: doc.id,
    categoryId,
    typeId,
    stageId: stageId ?? '',
    stageSemanticId: SEMANTIC(stage),
    createdTime: now,
  });
  if (!prev) return stageId === undefined ? [] : [row(1)];
  if (stageId === prev.stageId && !categoryChanged) return [];
  doc.movedBy = userId;
  doc.movedTime = now;
  if (t.byKey.has('previousStageId')) setValue(doc, 'previousStageId', prev.stageId ?? null);
  return [row(categoryChanged ? 5 : SEMANTIC(stage) === 'P' ? 2 : 3)];
}

function defaultCategoryId(core: RecordCore): number {
  if (core.entityTypeId === ENTITY_TYPE.deal) return 0;
  return defaultCategory(core.portal, core.entityTypeId)?.id ?? 0;
}

function requireCategory(core: RecordCore, def: FieldDef, raw: unknown): number {
  const n = toInt(raw);
  if (n === undefined || n < 0) throw new RecordError('invalid', def);
  const key = `category:${n}`;
  if (!core.memo.has(key)) core.memo.set(key, getCategory(core.portal, core.entityTypeId, n) !== undefined);
  if (core.memo.get(key) !== true) throw new RecordError('invalid', def);
  return n;
}

/** Fields the portal maintains: stage group and closed flag, the "new deal" flag, HAS_PHONE... */
function derive(core: RecordCore, doc: ItemDoc): void {
  const t = core.table;
  if (t.hasStages) {
    doc.closed = doc.stageSemanticId !== 'P';
    if (t.byKey.has('isNew')) doc.isNew = doc.stageId === core.stages(Number(doc.categoryId))[0]?.STATUS_ID;
  }
  if (t.byKey.has('hasPhone')) {
    const fm = multifields(doc);
    doc.hasPhone = fm.some((m) => m.typeId === 'PHONE');
    doc.hasEmail = fm.some((m) => m.typeId === 'EMAIL');
    doc.hasImol = fm.some((m) => m.typeId === 'IM' && m.valueType === 'IMOL');
    // Flat value lists per type: legacy filters on PHONE / EMAIL match one of them exactly.
    for (const type of MULTIFIELD_TYPES) {
      const values = fm.filter((m) => m.typeId === type).map((m) => m.value);
      setValue(doc, `${MF_PREFIX}${type}`, values.length > 0 ? values : null);
    }
  }
}

/** The default title of a new record: «Сделка #12» (crm-item-add.md: `{entityTypeName} #{id}`). */
function defaultTitle(core: RecordCore, id: number): string | undefined {
  if (core.entityTypeId === ENTITY_TYPE.deal) return `Сделка #${id}`;
  if (core.entityTypeId === ENTITY_TYPE.company) return `Компания #${id}`;
  if (core.table.type) return `${core.table.type.title} #${id}`;
  return undefined;
}

function buildNew(
  core: RecordCore,
  id: number,
  patch: Patch,
  userId: number,
  now: number,
  opts: WriteOptions,
): { doc: ItemDoc; history: Omit<StageHistoryRow, 'id'>[] } {
  const doc: ItemDoc = { id, entityTypeId: core.entityTypeId };
  applyDefaults(core, doc, userId, now);
  const { history } = applyPatch(core, doc, undefined, patch, userId, now, opts);
  if (core.table.byKey.has('title') && isEmpty(doc.title)) setValue(doc, 'title', defaultTitle(core, id));
  if (opts.seed && typeof doc.createdTime === 'number') {
    // A record seeded "16 days ago" was also last changed, moved and active then, unless told otherwise.
    const given = new Set([...patch.keys()].map((d) => d.key));
    for (const key of ['updatedTime', 'movedTime', 'lastActivityTime'])
      if (!given.has(key) && key in doc) doc[key] = doc.createdTime;
    for (const row of history) row.createdTime = Number(doc.movedTime ?? doc.createdTime);
  }
  return { doc, history };
}

export function getRecord(core: RecordCore, id: number): ItemDoc | undefined {
  return core.portal.store.get<ItemDoc>(core.kind, id);
}

export function createRecord(core: RecordCore, patch: Patch, userId: number, opts: WriteOptions): ItemDoc {
  const store = core.portal.store;
  const id = store.nextId(core.kind);
  const { doc, history } = buildNew(core, id, patch, userId, core.portal.now(), opts);
  store.insert(core.kind, doc, id);
  for (const row of history) store.insert(STAGE_HISTORY_KIND, row);
  return doc;
}

/**
 * Updates a record. Nothing is saved when nothing changed (crm-item-update.md), so updatedTime moves
 * only with a real change.
 */
export function updateRecord(
  core: RecordCore,
  prev: ItemDoc,
  patch: Patch,
  userId: number,
  opts: WriteOptions,
): ItemDoc {
  const now = core.portal.now();
  const doc: ItemDoc = { ...prev };
  const { history } = applyPatch(core, doc, prev, patch, userId, now, opts);
  if (JSON.stringify(doc) === JSON.stringify(prev)) return prev;
  setValue(doc, 'updatedBy', userId);
  setValue(doc, 'updatedTime', now);
  saveRecord(core, doc);
  for (const row of history) core.portal.store.insert(STAGE_HISTORY_KIND, row);
  return doc;
}

/** Writes a changed record as is (deal-contact bindings change through this). */
export function saveRecord(core: RecordCore, doc: ItemDoc): void {
  core.portal.store.put(core.kind, doc);
}

/** Deletes a record with its stage history and timeline comments (CCrmDeal::Delete does the same). */
export function deleteRecord(core: RecordCore, id: number): boolean {
  const store = core.portal.store;
  if (!store.delete(core.kind, id)) return false;
  const owner = [
    { field: 'entityTypeId', op: '=' as const, value: core.entityTypeId, kind: 'number' as const },
    { field: 'ownerId', op: '=' as const, value: id, kind: 'number' as const },
  ];
  for (const row of store.query(STAGE_HISTORY_KIND, { where: owner }))
    store.delete(STAGE_HISTORY_KIND, row.id);
  for (const row of store.query(TIMELINE_COMMENT_KIND, { where: owner }))
    store.delete(TIMELINE_COMMENT_KIND, row.id);
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Bulk seeding

/** A patch from crm.item names (camelCase, or UF_ names of user fields); unknown names are ignored. */
export function itemPatch(table: FieldTable, fields: Record<string, unknown>): Patch {
  const patch: Patch = new Map();
  for (const [name, value] of Object.entries(fields)) {
    const def = table.byItem.get(name);
    if (def) patch.set(def, value);
  }
  return patch;
}

/**
 * Inserts many records in one transaction through the same core as the methods (defaults, stages,
 * stage history, validation), for benchmarks and the demo. Rows use crm.item names; system times
 * (`createdTime`, `movedTime`...) may be given as epoch ms or ISO text to build an aged portal.
 * Returns the new ids in row order.
 */
export function seedRecords(
  portal: Portal,
  entityTypeId: number,
  rows: Record<string, unknown>[],
  options: { userId?: number } = {},
): number[] {
  const core = recordCore(portal, entityTypeId);
  if (!core) throw new Error(`CRM entity type ${entityTypeId} is not supported`);
  const userId = options.userId ?? portal.settings.user;
  const store = portal.store;
  return store.transaction(() => {
    if (rows.length === 0) return [];
    const first = store.nextId(core.kind);
    store.reserveIds(core.kind, first + rows.length);
    const insert = store.db.prepare('INSERT INTO docs (kind, id, data) VALUES (?, ?, ?)');
    const history: Omit<StageHistoryRow, 'id'>[] = [];
    const now = portal.now();
    const opts: WriteOptions = { strict: false, allowCategoryChange: true, seed: true };
    const ids = rows.map((row, i) => {
      const id = first + i;
      try {
        const built = buildNew(core, id, itemPatch(core.table, row), userId, now, opts);
        insert.run(core.kind, id, JSON.stringify(built.doc));
        history.push(...built.history);
      } catch (e) {
        if (e instanceof RecordError) throw new Error(`Row ${i}: invalid value of ${e.field.key}`);
        throw e;
      }
      return id;
    });
    if (history.length > 0) {
      const firstRow = store.nextId(STAGE_HISTORY_KIND);
      store.reserveIds(STAGE_HISTORY_KIND, firstRow + history.length);
      history.forEach((row, i) => {
        const full = { ...row, id: firstRow + i };
        insert.run(STAGE_HISTORY_KIND, full.id, JSON.stringify(full));
      });
    }
    return ids;
  });
}

// ---------------------------------------------------------------------------------------------------
// Printing helpers shared by the views

/** A download URL of a stored file (served by the HTTP layer). */
export const fileUrl = (portal: Portal, file: StoredFile): string =>
  `${portal.baseUrl}/b24lab/files/${file.id}?token=${file.token}`;

/**
 * A `date` field as the REST API prints it: midnight UTC shown in the portal's zone
 * (reference/bitrix24-rest.md §7): "2024-08-30" on a +03:00 portal -> "2024-08-30T03:00:00+03:00".
 */
export function dateIso(portal: Portal, date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return portal.iso(Date.UTC(y!, m! - 1, d));
}

/** Turns an entity name of `crm.timeline.comment.*` into an entityTypeId: deal, contact, dynamic_1036. */
export function entityTypeByName(name: string): number | undefined {
  const lower = name.trim().toLowerCase();
  const fixed: Record<string, number> = { lead: 1, deal: 2, contact: 3, company: 4 };
  if (lower in fixed) return fixed[lower];
  const m = /^dynamic_(\d+)$/.exec(lower);
  return m ? Number(m[1]) : undefined;
}
