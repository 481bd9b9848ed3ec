/**
 * `pull`: the portal's structure as config files, so an existing portal can be brought under code.
 * Pure: snapshot in, file texts out (write-config-files.ts writes them).
 *
 * Keys: what the portal stores (originId, code) when there is one; otherwise one made from the name
 * (`Отдел продаж` -> `otdel-prodazh`). An entity pulled without a key is found by name by the next
 * plan, which then stores the key on it (one update per entity, once).
 * Only what the plan manages is written, so planning the pulled config against the same portal shows
 * no changes. The default deal pipeline is left out (it is never managed).
 */
import { Document, isPair, isScalar, visit } from 'yaml';
import { SCHEMA_COMMENT } from '../config/config-json-schema.js';
import type { FieldConfig, StageConfig } from '../config/sections/common.js';
import type { DepartmentConfig } from '../config/sections/departments.js';
import type { PipelineConfig } from '../config/sections/pipelines.js';
import type { SmartProcessConfig } from '../config/sections/smart-processes.js';
import type { ListConfig } from '../config/sections/lists.js';
import { listsFromSnapshot } from './pull-lists.js';
import { SMART_PROCESS_FLAGS, SYSTEM_ENTITY_TYPES } from '../config/sections/smart-processes.js';
import type { PortalSnapshot, SnapshotField, SnapshotRelation, SnapshotStage } from './snapshot.js';

const LETTERS: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** `Аналитическая группа` -> `analiticheskaya-gruppa`; `ГТИ` -> `gti`; nothing usable -> the fallback. */
export function slugify(name: string, fallback: string): string {
  const latin = [...name.toLowerCase()].map((ch) => LETTERS[ch] ?? ch).join('');
  const slug = latin
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return /^[a-z0-9]/.test(slug) ? slug : fallback;
}

/** Hands out unique keys: the second `sales` becomes `sales-2`. */
function keyMaker(): (wanted: string) => string {
  const used = new Set<string>();
  return (wanted) => {
    let key = wanted;
    for (let n = 2; used.has(key); n++) key = `${wanted}-${n}`;
    used.add(key);
    return key;
  };
}

const validKey = (key: string): boolean => /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(key) && key.length <= 100;

function stagesOf(stages: readonly SnapshotStage[]): StageConfig[] {
  return [...stages]
    .sort((a, b) => a.sort - b.sort || a.id - b.id)
    .map((s) => ({
      code: s.code,
      name: s.name,
      semantics: s.semantics,
      ...(s.color ? { color: s.color.toUpperCase() } : {}),
    }));
}

function fieldsOf(fields: readonly SnapshotField[]): FieldConfig[] {
  return fields.map((f) => ({
    code: f.code,
    type: f.type,
    label: f.label || f.code,
    multiple: f.multiple,
    ...(f.mandatory ? { mandatory: true } : {}),
    sort: f.sort,
    ...(Object.keys(f.settings).length > 0 ? { settings: f.settings } : {}),
    ...(f.type === 'enumeration'
      ? {
          list: [...f.list]
            .sort((a, b) => a.sort - b.sort || a.id - b.id)
            .map((v) => ({
              ...(validKey(v.key) ? { key: v.key } : {}),
              value: v.value,
              sort: v.sort,
              ...(v.default ? { default: true } : {}),
            })),
        }
      : {}),
  }));
}

const SYSTEM_BY_ID = new Map(Object.entries(SYSTEM_ENTITY_TYPES).map(([name, id]) => [id as number, name]));

function relationsOf(
  list: readonly SnapshotRelation[],
): { entity: keyof typeof SYSTEM_ENTITY_TYPES | number; childrenList: boolean }[] {
  return list
    .filter((r) => !r.predefined)
    .map((r) => ({
      entity:
        (SYSTEM_BY_ID.get(r.entityTypeId) as keyof typeof SYSTEM_ENTITY_TYPES | undefined) ?? r.entityTypeId,
      childrenList: r.childrenList,
    }));
}

export interface PulledConfig {
  departments: DepartmentConfig[];
  pipelines: PipelineConfig[];
  dealFields: FieldConfig[];
  smartProcesses: SmartProcessConfig[];
  /** Universal lists; only when the portal's lists were read (pull-lists.ts). */
  lists?: ListConfig[];
}

export function configFromSnapshot(snap: PortalSnapshot): PulledConfig {
  const emailOf = new Map(snap.users.map((u) => [u.id, u.email]));
  const deptKey = keyMaker();
  const keyOfDept = new Map<number, string>();
  const root = [...snap.departments].filter((d) => d.parentId === null).sort((a, b) => a.id - b.id)[0];
  // Parents first, so a child can name its parent's key.
  const ordered: typeof snap.departments = [];
  const pending = [...snap.departments].sort((a, b) => a.sort - b.sort || a.id - b.id);
  const placed = new Set<number>();
  while (pending.length > 0) {
    const i = pending.findIndex(
      (d) => d.parentId === null || placed.has(d.parentId) || !pending.some((p) => p.id === d.parentId),
    );
    const [d] = pending.splice(i < 0 ? 0 : i, 1);
    if (!d) break;
    ordered.push(d);
    placed.add(d.id);
  }
  const departments = ordered.map((d): DepartmentConfig => {
    const key = deptKey(slugify(d.name, d === root ? 'company' : `department-${d.id}`));
    keyOfDept.set(d.id, key);
    const head = d.headId === null ? undefined : emailOf.get(d.headId);
    const parentKey = d.parentId === null || d.parentId === root?.id ? undefined : keyOfDept.get(d.parentId);
    return {
      key,
      ...(d === root ? { root: true } : {}),
      ...(parentKey ? { parent: parentKey } : {}),
      name: d.name,
      ...(head ? { head: head.toLowerCase() } : {}),
      sort: d.sort,
    };
  });

  const pipelineKey = keyMaker();
  const pipelines = snap.pipelines
    .filter((p) => !p.isDefault && p.id !== 0)
    .sort((a, b) => a.sort - b.sort || a.id - b.id)
    .map((p): PipelineConfig => ({
      key: pipelineKey(validKey(p.key) ? p.key : slugify(p.name, `pipeline-${p.id}`)),
      name: p.name,
      sort: p.sort,
      stages: stagesOf(p.stages),
    }));

  const typeKey = keyMaker();
  const smartProcesses = snap.smartProcesses.map((t): SmartProcessConfig => {
    const categoryKey = keyMaker();
    const flags: Partial<Record<(typeof SMART_PROCESS_FLAGS)[number], boolean>> = {};
    for (const flag of SMART_PROCESS_FLAGS) flags[flag] = t.flags[flag] ?? false;
    const parents = relationsOf(t.relations.parents);
    const children = relationsOf(t.relations.children);
    return {
      key: typeKey(validKey(t.key) ? t.key : slugify(t.title, `smart-process-${t.entityTypeId}`)),
      title: t.title,
      flags,
      ...(parents.length > 0 || children.length > 0
        ? {
            relations: {
              ...(parents.length > 0 ? { parents } : {}),
              ...(children.length > 0 ? { children } : {}),
            },
          }
        : {}),
      categories: [...t.categories]
        .sort((a, b) => a.sort - b.sort || a.id - b.id)
        .map((c) => ({
          key: categoryKey(validKey(c.key) ? c.key : slugify(c.name, `direction-${c.id}`)),
          name: c.name,
          sort: c.sort,
          ...(c.isDefault ? { default: true } : {}),
          stages: stagesOf(c.stages),
        })),
      fields: fieldsOf(t.fields),
    };
  });

  const lists = snap.lists && snap.lists.length > 0 ? listsFromSnapshot(snap.lists) : [];
  return {
    departments,
    pipelines,
    dealFields: fieldsOf(snap.dealFields),
    smartProcesses,
    ...(lists.length > 0 ? { lists } : {}),
  };
}

export interface ConfigFileText {
  name: string;
  text: string;
}

const FILES: [section: keyof PulledConfig, file: string, about: string][] = [
  ['departments', 'departments.yaml', 'Company structure'],
  ['pipelines', 'pipelines.yaml', 'Deal pipelines with their stages'],
  ['dealFields', 'deal-fields.yaml', 'Deal card fields'],
  ['smartProcesses', 'smart-processes.yaml', 'Smart processes with directions, stages and fields'],
  ['lists', 'lists.yaml', 'Universal lists with their fields'],
];

/** Stages and list values as one-line maps (`- { code: NEW, name: Новая }`), the rest as blocks. */
function yamlText(section: string, value: unknown): string {
  const doc = new Document({ [section]: value });
  visit(doc, {
    Map(_, node, path) {
      const parent = path[path.length - 2];
      if (
        isPair(parent) &&
        isScalar(parent.key) &&
        ['stages', 'list', 'parents', 'children'].includes(String(parent.key.value))
      )
        node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** The YAML files of a pulled config, each pointing at the JSON Schema for editor completion. */
export function pulledFiles(config: PulledConfig, portal: string): ConfigFileText[] {
  return FILES.filter(([section]) => config[section] !== undefined).map(([section, name, about]) => ({
    name,
    text: `${SCHEMA_COMMENT}\n#\n# ${about}, pulled from ${portal} by \`b24lab pull\`.\n${yamlText(section, config[section])}`,
  }));
}
