/**
 * Builds the rules' catalog from the portal: the pipelines, directions and stages the rules name, by
 * their configuration keys. Keys live on the portal where provisioning put them
 * (src/config/sections/pipelines.ts, smart-processes.ts): a deal pipeline's key in its `originId`, a
 * smart process's in its type `code`, a direction's in its category `code`; the configuration's names
 * are the fallback for a portal that dropped them. Stages come from crm.status.list
 * (reference/bitrix24-rest.md §6.4: DEAL_STAGE_<id>, DYNAMIC_<type>_STAGE_<id>; SEMANTICS null/S/F).
 */
import type { LabConfig } from '../config/config-sections.js';
import type { B24Client } from '../rest/client.js';
import type { Catalog, CategoryInfo, StageInfo, TargetInfo } from './catalog.js';
import { stageCode } from './catalog.js';
import { DEAL_ENTITY_TYPE_ID } from './entity.js';
import { readDealEnums, readItemEnums } from './read-enums.js';
import { namedSmartProcesses } from './actions/item-targets.js';
import { readListCatalog } from './list-records.js';
import type { Rule } from './rule-schema.js';

interface CategoryRow {
  id: number | string;
  name?: string;
  code?: string | null;
  originId?: string | null;
  isDefault?: string;
}

interface TypeRow {
  id: number | string;
  entityTypeId: number | string;
  title?: string;
  code?: string | null;
}

interface StatusRow {
  STATUS_ID: string;
  NAME: string;
  SORT?: string | number;
  SEMANTICS?: string | null;
}

export interface CatalogResult {
  catalog: Catalog;
  /** What the rules name but the portal lacks (not provisioned yet). */
  problems: string[];
}

/** A pipeline has a handful of stages: one page of crm.status.list, in kanban order. */
async function stagesOf(client: B24Client, entityId: string): Promise<StageInfo[]> {
  const rows = await client.call<StatusRow[]>('crm.status.list', {
    filter: { ENTITY_ID: entityId },
    order: { SORT: 'ASC' },
  });
  return rows.map((r) => ({
    id: r.STATUS_ID,
    code: stageCode(r.STATUS_ID),
    name: r.NAME,
    semantics: r.SEMANTICS === 'S' || r.SEMANTICS === 'F' ? r.SEMANTICS : 'P',
  }));
}

async function categoriesOf(client: B24Client, entityTypeId: number): Promise<CategoryRow[]> {
  const rows: CategoryRow[] = [];
  for await (const row of client.list<CategoryRow>('crm.category.list', { entityTypeId })) rows.push(row);
  return rows;
}

/** Reads the catalog of every pipeline and smart process the enabled rules name. */
export async function readCatalog(
  client: B24Client,
  rules: Rule[],
  config: LabConfig,
): Promise<CatalogResult> {
  const problems: string[] = [];
  const catalog: Catalog = { pipelines: {}, smartProcesses: {} };
  const enabled = rules.filter((r) => r.enabled);
  const pipelineKeys = new Set<string>();
  const processKeys = new Set<string>();
  const listKeys = new Set<string>();
  for (const r of enabled) {
    if ('pipeline' in r.entity) pipelineKeys.add(r.entity.pipeline);
    else if ('list' in r.entity) listKeys.add(r.entity.list);
    else processKeys.add(r.entity.smartProcess);
    // create_item's and children_finished's smart processes (actions/item-targets.ts).
    namedSmartProcesses(r).forEach((k) => processKeys.add(k));
  }

  const dealFields = Object.fromEntries((config.dealFields ?? []).map((f) => [f.code, `UF_CRM_${f.code}`]));
  if (enabled.length > 0) {
    // Deal rules and the `parent.` of item rules compare and write list fields by XML_ID.
    catalog.deal = { fields: dealFields, enums: await readDealEnums(client) };
  }
  if (pipelineKeys.size > 0) {
    const rows = await categoriesOf(client, DEAL_ENTITY_TYPE_ID);
    for (const key of pipelineKeys) {
      const configured = config.pipelines?.find((p) => p.key === key);
      const row =
        rows.find((c) => c.originId === key) ??
        (configured ? rows.find((c) => c.name === configured.name) : undefined);
      if (!row) {
        problems.push(
          `The portal has no deal pipeline "${key}"${configured ? ` («${configured.name}»)` : ''}`,
        );
        continue;
      }
      const id = Number(row.id);
      const stages = await stagesOf(client, id === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${id}`);
      const name = row.name ?? configured?.name ?? key;
      const target: TargetInfo = {
        key,
        entityTypeId: DEAL_ENTITY_TYPE_ID,
        name,
        categories: [{ key, id, name, stages }],
        fields: dealFields,
        enums: catalog.deal?.enums ?? {},
      };
      catalog.pipelines[key] = target;
    }
  }

  if (processKeys.size > 0) {
    const types: TypeRow[] = [];
    for await (const row of client.list<TypeRow>('crm.type.list', {})) types.push(row);
    for (const key of processKeys) {
      const configured = config.smartProcesses?.find((p) => p.key === key);
      const type =
        types.find((t) => t.code === key) ??
        (configured ? types.find((t) => t.title === configured.title) : undefined);
      if (!type) {
        problems.push(
          `The portal has no smart process "${key}"${configured ? ` («${configured.title}»)` : ''}`,
        );
        continue;
      }
      const entityTypeId = Number(type.entityTypeId);
      const typeId = Number(type.id);
      const rows = await categoriesOf(client, entityTypeId);
      const categories: CategoryInfo[] = [];
      for (const row of rows) {
        const byConfig = configured?.categories.find((c) => c.key === row.code || c.name === row.name);
        const id = Number(row.id);
        categories.push({
          key: row.code || byConfig?.key || `category-${id}`,
          id,
          name: row.name ?? byConfig?.name ?? String(id),
          stages: await stagesOf(client, `DYNAMIC_${entityTypeId}_STAGE_${id}`),
        });
      }
      catalog.smartProcesses[key] = {
        key,
        entityTypeId,
        name: type.title ?? configured?.title ?? key,
        categories,
        fields: Object.fromEntries(
          (configured?.fields ?? []).map((f) => [f.code, `UF_CRM_${typeId}_${f.code}`]),
        ),
        enums: await readItemEnums(client, entityTypeId, typeId, configured?.fields ?? []),
      };
    }
  }
  if (listKeys.size > 0) {
    const read = await readListCatalog(client, listKeys, config);
    catalog.lists = read.lists;
    problems.push(...read.problems);
  }
  return { catalog, problems };
}
