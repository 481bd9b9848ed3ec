/**
 * The ID-remapping core of a restore, pure: a backed-up row plus the IdMap -> the fields to write on
 * the target portal. Which field points at what is data (remap-rules.ts); this file knows the shapes
 * Bitrix24 uses for a reference:
 *
 *   plain IDs           ASSIGNED_BY_ID "7" -> 31, AUDITORS ["7","9"] -> [31, 40]
 *   deal stages         "C3:WON" -> "C12:WON"; "NEW" (the default pipeline) stays "NEW"
 *   smart-process stages "DT1032_5:NEW" -> "DT1040_17:NEW"
 *   stage directories   "DEAL_STAGE_3" -> "DEAL_STAGE_12", "DYNAMIC_1032_STAGE_5" -> "DYNAMIC_1040_STAGE_17"
 *   CRM bindings        UF_CRM_TASK ["D_12", "CO_4", "T408_3"] -> ["D_901", "CO_77", "T410_5"]
 *                       (T<hex entityTypeId>_<id>, crm/data-types.md; crm.enum.ownertype)
 *   Drive attachments   UF_TASK_WEBDAV_FILES ["n55"] -> ["n130"] (n = a Drive file, tasks-task-add.md)
 *   owners              a timeline comment's ENTITY_ID read through its ENTITY_TYPE ("deal", "dynamic_1032")
 *   multifields         [{ID:"156",VALUE_TYPE:"WORK",VALUE:"+7…",TYPE_ID:"PHONE"}] -> [{VALUE_TYPE:"WORK",VALUE:"+7…"}]
 *
 * A reference whose target is not (yet) in the map is left out of the result and reported in
 * `unresolved`, so the caller can write it later (a task's parent created after it) or warn.
 */
import type { IdMap } from './id-map.js';

export type RefSpec =
  /** An ID of `kind` (scalar or array); `{field}` in the kind is filled from the row (item:{entityTypeId}). */
  | { type: 'id'; kind: string }
  | { type: 'stage' }
  | { type: 'statusEntity' }
  | { type: 'binding' }
  | { type: 'attachment' }
  | { type: 'owner'; typeField: string }
  /** A smart-process entityTypeId value (1032 -> the type re-created on the target). */
  | { type: 'entityType' }
  /** PHONE/EMAIL/WEB/IM multifields: the entries are written anew, so their own IDs are left out. */
  | { type: 'multifield' };

export interface EntityRules {
  fields: Record<string, RefSpec>;
  /** Field-name patterns, for families such as PARENT_ID_1032 / parentId1032. */
  patterns?: { match: RegExp; spec: (m: RegExpExecArray) => RefSpec }[];
  /** Fields never written back: the ID, system dates, computed and read-only values. */
  drop: string[];
}

export interface Unresolved {
  field: string;
  kind: string;
  id: string;
}

export interface RemapResult {
  fields: Record<string, unknown>;
  unresolved: Unresolved[];
}

/** Owner type letters of CRM bindings (crm.enum.ownertype SYMBOL_CODE_SHORT). */
const BINDING_KINDS: Record<string, string> = {
  L: 'lead',
  D: 'deal',
  C: 'contact',
  CO: 'company',
  Q: 'quote',
  SI: 'item:31',
};
const KIND_BINDINGS: Record<string, string> = Object.fromEntries(
  Object.entries(BINDING_KINDS).map(([k, v]) => [v, k]),
);

/** Timeline ENTITY_TYPE names (crm/timeline/comments/crm-timeline-comment-add.md). */
const OWNER_KINDS: Record<string, string> = {
  lead: 'lead',
  deal: 'deal',
  contact: 'contact',
  company: 'company',
};

function isEmptyRef(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === 0 || value === '0';
}

/** An entityTypeId through the map; built-in types (< 1000 outside the dynamic range) map to themselves. */
export function remapEntityType(entityTypeId: number, map: IdMap): number | undefined {
  if (entityTypeId < 128 || (entityTypeId > 192 && entityTypeId < 1030)) return entityTypeId;
  return map.get('smartType', entityTypeId);
}

function kindOfEntityType(entityTypeId: number): string {
  const builtin: Record<number, string> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company', 7: 'quote' };
  return builtin[entityTypeId] ?? `item:${entityTypeId}`;
}

function category(map: IdMap, id: string): string | undefined {
  if (id === '0') return '0';
  const target = map.get('category', id);
  return target === undefined ? undefined : String(target);
}

/** "C3:WON" / "DT1032_5:NEW" / "NEW" through the map; undefined when the pipeline or type is unknown. */
export function remapStage(stage: string, map: IdMap): string | undefined {
  const dynamic = /^DT(\d+)_(\d+):(.+)$/.exec(stage);
  if (dynamic) {
    const type = remapEntityType(Number(dynamic[1]), map);
    const cat = category(map, dynamic[2] ?? '');
    return type === undefined || cat === undefined ? undefined : `DT${type}_${cat}:${dynamic[3]}`;
  }
  const deal = /^C(\d+):(.+)$/.exec(stage);
  if (deal) {
    const cat = category(map, deal[1] ?? '');
    return cat === undefined ? undefined : cat === '0' ? (deal[2] ?? '') : `C${cat}:${deal[2]}`;
  }
  return stage;
}

/** "DEAL_STAGE_3" / "DYNAMIC_1032_STAGE_5" through the map; other directories stay as they are. */
export function remapStatusEntity(entityId: string, map: IdMap): string | undefined {
  const dynamic = /^DYNAMIC_(\d+)_STAGE_(\d+)$/.exec(entityId);
  if (dynamic) {
    const type = remapEntityType(Number(dynamic[1]), map);
    const cat = category(map, dynamic[2] ?? '');
    return type === undefined || cat === undefined ? undefined : `DYNAMIC_${type}_STAGE_${cat}`;
  }
  const deal = /^DEAL_STAGE_(\d+)$/.exec(entityId);
  if (deal) {
    const cat = category(map, deal[1] ?? '');
    return cat === undefined ? undefined : cat === '0' ? 'DEAL_STAGE' : `DEAL_STAGE_${cat}`;
  }
  return entityId;
}

/** The record a binding ("D_12", "T408_3") points at: its map kind and source ID. */
export function parseBinding(binding: string): { kind: string; id: string } | undefined {
  const dynamic = /^T([0-9a-f]+)_(\d+)$/i.exec(binding);
  if (dynamic) return { kind: `item:${parseInt(dynamic[1] ?? '', 16)}`, id: dynamic[2] ?? '' };
  const m = /^([A-Z]+)_(\d+)$/.exec(binding);
  const kind = m ? BINDING_KINDS[m[1] ?? ''] : undefined;
  return m && kind ? { kind, id: m[2] ?? '' } : undefined;
}

/** The binding string for a target record of `kind`. */
export function formatBinding(kind: string, id: number, map: IdMap): string | undefined {
  const letter = KIND_BINDINGS[kind];
  if (letter) return `${letter}_${id}`;
  const item = /^item:(\d+)$/.exec(kind);
  if (!item) return undefined;
  const type = remapEntityType(Number(item[1]), map);
  return type === undefined ? undefined : `T${type.toString(16)}_${id}`;
}

function fillKind(kind: string, row: Record<string, unknown>): string {
  return kind.replace(/\{(\w+)\}/g, (_, field: string) => String(row[field] ?? ''));
}

/** Remaps one scalar reference; `undefined` = unresolved. */
function remapOne(
  value: unknown,
  spec: RefSpec,
  row: Record<string, unknown>,
  map: IdMap,
): { value: unknown } | { kind: string; id: string } {
  const text = String(value);
  switch (spec.type) {
    case 'id': {
      const kind = fillKind(spec.kind, row);
      const target = map.get(kind, text);
      return target === undefined ? { kind, id: text } : { value: target };
    }
    case 'stage': {
      const target = remapStage(text, map);
      return target === undefined ? { kind: 'category', id: text } : { value: target };
    }
    case 'statusEntity': {
      const target = remapStatusEntity(text, map);
      return target === undefined ? { kind: 'category', id: text } : { value: target };
    }
    case 'binding': {
      const parsed = parseBinding(text);
      if (!parsed) return { value };
      const target = map.get(parsed.kind, parsed.id);
      const formatted = target === undefined ? undefined : formatBinding(parsed.kind, target, map);
      return formatted === undefined ? parsed : { value: formatted };
    }
    case 'attachment': {
      const m = /^n?(\d+)$/.exec(text);
      if (!m) return { value };
      const target = map.get('file', m[1] ?? '');
      if (target === undefined) return { kind: 'file', id: m[1] ?? '' };
      return { value: text.startsWith('n') ? `n${target}` : target };
    }
    case 'owner': {
      const type = String(row[spec.typeField] ?? '').toLowerCase();
      const dynamic = /^dynamic_(\d+)$/.exec(type);
      const kind = dynamic ? `item:${dynamic[1]}` : OWNER_KINDS[type];
      if (kind === undefined) return { value };
      const target = map.get(kind, text);
      return target === undefined ? { kind, id: text } : { value: target };
    }
    case 'multifield': {
      if (value === null || typeof value !== 'object') return { value };
      const entry = value as Record<string, unknown>;
      return { value: { VALUE_TYPE: entry.VALUE_TYPE, VALUE: entry.VALUE } };
    }
    case 'entityType': {
      const target = remapEntityType(Number(text), map);
      return target === undefined ? { kind: 'smartType', id: text } : { value: target };
    }
  }
}

function specFor(field: string, rules: EntityRules): RefSpec | undefined {
  const direct = rules.fields[field];
  if (direct) return direct;
  for (const pattern of rules.patterns ?? []) {
    const m = pattern.match.exec(field);
    if (m) return pattern.spec(m);
  }
  return undefined;
}

/** Remaps every reference of a row; dropped fields are left out. */
export function remapRow(row: Record<string, unknown>, rules: EntityRules, map: IdMap): RemapResult {
  const fields: Record<string, unknown> = {};
  const unresolved: Unresolved[] = [];
  const drop = new Set(rules.drop);
  for (const [field, value] of Object.entries(row)) {
    if (drop.has(field)) continue;
    const spec = specFor(field, rules);
    if (!spec || isEmptyRef(value)) {
      fields[field] = value;
      continue;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const v of value) {
        if (isEmptyRef(v)) continue;
        const r = remapOne(v, spec, row, map);
        if ('value' in r) out.push(r.value);
        else unresolved.push({ field, ...r });
      }
      fields[field] = out;
      continue;
    }
    const r = remapOne(value, spec, row, map);
    if ('value' in r) fields[field] = r.value;
    else unresolved.push({ field, ...r });
  }
  return { fields, unresolved };
}

/** The map kind of a parent link field such as PARENT_ID_1032 / parentId1032. */
export function parentKind(entityTypeId: number): string {
  return kindOfEntityType(entityTypeId);
}
