/** Config and portal snapshots for the provisioning unit tests (pure data, no portal). */
import type { LabConfig } from '../../src/config/config-sections.js';
import { loadConfig, parseConfigFiles } from '../../src/config/load-config.js';
import type { FieldConfig, StageConfig } from '../../src/config/sections/common.js';
import { SYSTEM_ENTITY_TYPES, defaultCategoryOf } from '../../src/config/sections/smart-processes.js';
import type { ListConfig } from '../../src/config/sections/lists.js';
import { LIST_FIELD_TYPES } from '../../src/config/sections/lists.js';
import type {
  PortalSnapshot,
  SnapshotField,
  SnapshotList,
  SnapshotListField,
  SnapshotStage,
  SnapshotUser,
} from '../../src/provision/snapshot.js';

export function shipped(): LabConfig {
  const result = loadConfig('config');
  if (!result.ok) throw new Error('the shipped config does not load');
  return result.config;
}

export function config(yaml: string): LabConfig {
  const result = parseConfigFiles([{ name: 'test.yaml', text: yaml }]);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

export const USERS: SnapshotUser[] = [
  'admin@b24lab.local',
  'director@sfo-nal.example',
  'sales.head@sfo-nal.example',
  'procurement.head@sfo-nal.example',
  'subcontracts.head@sfo-nal.example',
  'lab.head@sfo-nal.example',
  'gti.head@sfo-nal.example',
  'analytics.head@sfo-nal.example',
  'chief.accountant@sfo-nal.example',
].map((email, i) => ({ id: i + 1, email, active: true }));

/** A fresh portal: its top department, the default pipeline, users. */
export function emptyPortal(): PortalSnapshot {
  return {
    users: USERS,
    departments: [{ id: 1, name: 'Компания', parentId: null, sort: 500, headId: 1 }],
    pipelines: [{ id: 0, key: '', name: 'Общая', sort: 500, isDefault: true, stages: [] }],
    dealFields: [],
    smartProcesses: [],
  };
}

let nextId = 1000;
export const stagesOf = (stages: readonly StageConfig[], prefix: string): SnapshotStage[] =>
  stages.map((s, i) => ({
    id: nextId++,
    statusId: `${prefix}${s.code}`,
    code: s.code,
    name: s.name,
    sort: (i + 1) * 10,
    color: s.color ?? '#ACE9FB',
    semantics: s.semantics,
    system: false,
  }));
export const fieldsOf = (fields: readonly FieldConfig[], prefix: string): SnapshotField[] =>
  fields.map((f) => ({
    id: nextId++,
    fieldName: `${prefix}${f.code}`,
    code: f.code,
    type: f.type,
    multiple: f.multiple,
    mandatory: f.mandatory ?? false,
    sort: f.sort ?? 100,
    label: f.label,
    settings: { ...f.settings, DEFAULT_VALUE: '' },
    list: (f.list ?? []).map((v, i) => ({
      id: nextId++,
      key: v.key ?? '',
      value: v.value,
      sort: v.sort ?? (i + 1) * 10,
      default: v.default ?? false,
    })),
  }));

/** What a portal looks like after applying a config (what apply would leave behind). */
export function provisioned(cfg: LabConfig): PortalSnapshot {
  const snap = emptyPortal();
  const ids = new Map<string, number>();
  const root = cfg.departments?.find((d) => d.root);
  if (root) {
    ids.set(root.key, 1);
    snap.departments[0] = {
      ...snap.departments[0]!,
      name: root.name,
      sort: root.sort ?? 500,
      headId: USERS.find((u) => u.email === root.head)?.id ?? 1,
    };
  }
  const pending = (cfg.departments ?? []).filter((d) => !d.root);
  while (pending.length > 0) {
    const i = pending.findIndex((d) => d.parent === undefined || ids.has(d.parent));
    const d = pending.splice(i, 1)[0]!;
    const id = nextId++;
    ids.set(d.key, id);
    snap.departments.push({
      id,
      name: d.name,
      parentId: d.parent ? ids.get(d.parent)! : root ? 1 : 1,
      sort: d.sort ?? 500,
      headId: USERS.find((u) => u.email === d.head)?.id ?? null,
    });
  }
  for (const p of cfg.pipelines ?? []) {
    const id = nextId++;
    snap.pipelines.push({
      id,
      key: p.key,
      name: p.name,
      sort: p.sort ?? 500,
      isDefault: false,
      stages: stagesOf(p.stages, `C${id}:`),
    });
  }
  snap.dealFields = fieldsOf(cfg.dealFields ?? [], 'UF_CRM_');
  for (const sp of cfg.smartProcesses ?? []) {
    const id = nextId++;
    const entityTypeId = 1030 + 2 * id;
    snap.smartProcesses.push({
      id,
      entityTypeId,
      key: sp.key,
      title: sp.title,
      flags: { isSetOpenPermissions: true, ...sp.flags },
      relations: {
        parents: [
          { entityTypeId: 3, childrenList: false, predefined: true },
          ...(sp.relations?.parents ?? []).map((r) => ({
            entityTypeId: typeof r.entity === 'number' ? r.entity : SYSTEM_ENTITY_TYPES[r.entity],
            childrenList: r.childrenList,
            predefined: false,
          })),
        ],
        children: [],
      },
      categories: sp.categories.map((c) => {
        const cid = nextId++;
        return {
          id: cid,
          key: c.key,
          name: c.name,
          sort: c.sort ?? 500,
          isDefault: c === defaultCategoryOf(sp),
          stages: stagesOf(c.stages, `DT${entityTypeId}_${cid}:`),
        };
      }),
      fields: fieldsOf(sp.fields ?? [], `UF_CRM_${id}_`),
    });
  }
  if (cfg.lists) snap.lists = cfg.lists.map((l) => listOf(l));
  return snap;
}

/** A universal list as lists.get / lists.field.get would show it after an apply of the config. */
function listOf(l: ListConfig): SnapshotList {
  const name: SnapshotListField = {
    fieldId: 'NAME',
    code: '',
    type: 'NAME',
    label: l.elementName ?? 'Название',
    required: true,
    multiple: false,
    sort: 10,
    settings: {},
    values: [],
  };
  return {
    id: nextId++,
    code: l.key,
    name: l.name,
    description: l.description ?? '',
    sort: l.sort ?? 500,
    fields: [
      name,
      ...l.fields.map((f): SnapshotListField => ({
        fieldId: `PROPERTY_${nextId++}`,
        code: f.code,
        type: LIST_FIELD_TYPES[f.type],
        label: f.label,
        required: f.required,
        multiple: f.multiple,
        sort: f.sort ?? 500,
        settings: f.settings ?? {},
        values: (f.values ?? []).map((v) => ({ id: nextId++, value: v.value, default: v.default ?? false })),
      })),
    ],
  };
}
