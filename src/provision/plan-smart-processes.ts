/**
 * Smart processes (crm.type), their directions (crm.category) with stages, and their fields. A type
 * is matched by the key b24lab keeps in its `code`, a direction by the key kept in the direction's
 * `code`; either is adopted by name when it has no key yet. A new smart process comes with one
 * default direction and its stages, which the plan reconciles (default-stages.ts): the config's
 * default direction takes it over.
 */
import type { CategoryConfig, SmartProcessConfig } from '../config/sections/smart-processes.js';
import { SYSTEM_ENTITY_TYPES, defaultCategoryOf } from '../config/sections/smart-processes.js';
import { defaultCategory, defaultStages } from './default-stages.js';
import { defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import { matchByKey } from './match-by-key.js';
import type { Change } from './plan.js';
import { planFields } from './plan-fields.js';
import { planStages } from './plan-stages.js';
import type { SnapshotCategory, SnapshotRelation, SnapshotSmartProcess } from './snapshot.js';

export const smartProcessAddress = (key: string): string => `smartProcess:${key}`;

interface Relation {
  entityTypeId: number;
  childrenList: boolean;
}

type RelationConfig = NonNullable<NonNullable<SmartProcessConfig['relations']>['parents']>;

function relationsOf(list: RelationConfig | undefined): Relation[] | undefined {
  return list
    ?.map((r) => ({
      entityTypeId: typeof r.entity === 'number' ? r.entity : SYSTEM_ENTITY_TYPES[r.entity],
      childrenList: r.childrenList,
    }))
    .sort((a, x) => a.entityTypeId - x.entityTypeId);
}

function actualRelations(list: readonly SnapshotRelation[]): Relation[] {
  return list
    .filter((r) => !r.predefined)
    .map((r) => ({ entityTypeId: r.entityTypeId, childrenList: r.childrenList }))
    .sort((a, x) => a.entityTypeId - x.entityTypeId);
}

function typeFields(sp: SmartProcessConfig): Record<string, unknown> {
  const fields: Record<string, unknown> = { title: sp.title, key: sp.key };
  for (const [flag, value] of Object.entries(sp.flags ?? {})) fields[`flags.${flag}`] = value;
  fields['relations.parents'] = relationsOf(sp.relations?.parents);
  fields['relations.children'] = relationsOf(sp.relations?.children);
  return fields;
}

function typeActual(t: SnapshotSmartProcess, desired: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    title: t.title,
    key: t.key,
    'relations.parents': actualRelations(t.relations.parents),
    'relations.children': actualRelations(t.relations.children),
  };
  for (const name of Object.keys(desired))
    if (name.startsWith('flags.')) fields[name] = t.flags[name.slice('flags.'.length)] ?? false;
  return fields;
}

/** `{ 'flags.isObserversEnabled': true, title: 'X' }` -> `{ flags: { isObserversEnabled: true }, title: 'X' }` */
function nest(changes: readonly Change[]): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const c of changes) {
    const [head, tail] = c.field.split('.', 2) as [string, string | undefined];
    if (tail === undefined) set[head] = c.to;
    else set[head] = { ...(set[head] as Record<string, unknown> | undefined), [tail]: c.to };
  }
  return set;
}

export function planSmartProcesses(
  desired: readonly SmartProcessConfig[],
  actual: readonly SnapshotSmartProcess[],
  b: PlanBuilder,
): void {
  const { matches, leftovers } = matchByKey(
    desired,
    actual,
    (d) => d.title,
    (a) => a.title,
  );
  for (const sp of desired) {
    const address = smartProcessAddress(sp.key);
    const hit = matches.get(sp);
    const wanted = typeFields(sp);
    b.desire(address, wanted);
    if (!hit) {
      b.add({
        action: 'create',
        entity: 'smartProcess',
        address,
        name: sp.title,
        destructive: false,
        drift: false,
        changes: [],
        set: nest(Object.entries(defined(wanted)).map(([field, to]) => ({ field, to, drift: false }))),
      });
    } else {
      b.exists(address, { id: hit.actual.id, entityTypeId: hit.actual.entityTypeId });
      const changes = diffFields(wanted, typeActual(hit.actual, wanted));
      const op: OperationDraft = {
        action: changes.length > 0 ? 'update' : 'noop',
        entity: 'smartProcess',
        address,
        name: sp.title,
        destructive: false,
        drift: false,
        changes,
        portalId: hit.actual.id,
      };
      if (hit.adopted) op.reason = 'found by title; the key is stored in its code';
      if (changes.length > 0) op.set = nest(changes);
      b.add(op);
    }
    planCategories(sp, hit?.actual.categories ?? [defaultCategory()], !hit, hit?.actual.entityTypeId, b);
    if (sp.fields !== undefined) {
      planFields(
        sp.fields,
        hit?.actual.fields ?? [],
        { prefix: `${address}/field:`, owner: address, ownerName: sp.title, holds: 'items' },
        b,
      );
    }
  }
  for (const t of leftovers) {
    b.add({
      action: 'delete',
      entity: 'smartProcess',
      address: smartProcessAddress(t.key || `#${t.id}`),
      name: t.title,
      destructive: true,
      drift: false,
      reason: 'not in config: the smart process goes with its directions, stages and fields',
      changes: [],
      portalId: t.id,
    });
  }
}

function planCategories(
  sp: SmartProcessConfig,
  actual: readonly SnapshotCategory[],
  freshType: boolean,
  entityTypeId: number | undefined,
  b: PlanBuilder,
): void {
  const owner = smartProcessAddress(sp.key);
  const byDefault = defaultCategoryOf(sp);
  const { matches, leftovers } = matchByKey(
    sp.categories,
    actual,
    (c) => c.name,
    (a) => a.name,
  );
  // The portal's default direction is taken over by the config's default one when nothing else claims it.
  const portalDefault = leftovers.find((c) => c.isDefault);
  if (byDefault && !matches.has(byDefault) && portalDefault && (portalDefault.key === '' || freshType)) {
    matches.set(byDefault, { actual: portalDefault, adopted: true });
    leftovers.splice(leftovers.indexOf(portalDefault), 1);
  }

  for (const category of sp.categories) {
    const address = `${owner}/category:${category.key}`;
    const isDefault = category === byDefault;
    const wanted = {
      name: category.name,
      key: category.key,
      sort: category.sort,
      default: isDefault ? true : undefined,
    };
    b.desire(address, wanted);
    const hit = matches.get(category);
    const stageCtx = { owner: address, ownerName: `${sp.title} › ${category.name}`, holds: 'items' };
    if (!hit) {
      b.add({
        action: 'create',
        entity: 'category',
        address,
        name: `${sp.title} › ${category.name}`,
        destructive: false,
        drift: false,
        changes: [],
        owner,
        set: defined({ name: category.name, key: category.key, sort: category.sort, default: isDefault }),
      });
      planStages(category.stages, defaultStages('spa'), { ...stageCtx, fresh: true }, b);
      continue;
    }
    planExistingCategory(
      category,
      hit.actual,
      { address, owner, title: sp.title, wanted, adopted: hit.adopted, fresh: freshType, entityTypeId },
      b,
    );
    planStages(category.stages, hit.actual.stages, { ...stageCtx, fresh: freshType }, b);
  }

  for (const c of leftovers) {
    const items = c.stages.reduce((n, s) => n + (s.itemCount ?? 0), 0);
    const op: OperationDraft = {
      action: 'delete',
      entity: 'category',
      address: `${owner}/category:${c.key || `#${c.id}`}`,
      name: `${sp.title} › ${c.name}`,
      destructive: true,
      drift: false,
      reason: 'not in config',
      changes: [],
      owner,
      portalId: c.id,
    };
    if (items > 0)
      op.blocked = `it holds ${items} items; Bitrix24 refuses to delete a direction that holds items: move them first`;
    b.add(op);
  }
}

function planExistingCategory(
  category: CategoryConfig,
  found: SnapshotCategory,
  ctx: {
    address: string;
    owner: string;
    title: string;
    wanted: Record<string, unknown>;
    adopted: boolean;
    fresh: boolean;
    entityTypeId: number | undefined;
  },
  b: PlanBuilder,
): void {
  const changes = diffFields(ctx.wanted, {
    name: found.name,
    key: found.key,
    sort: found.sort,
    default: found.isDefault,
  });
  const op: OperationDraft = {
    action: changes.length > 0 || ctx.fresh ? 'update' : 'noop',
    entity: 'category',
    address: ctx.address,
    name: `${ctx.title} › ${category.name}`,
    destructive: false,
    drift: false,
    changes,
    owner: ctx.owner,
  };
  if (ctx.fresh) {
    op.predicted = true;
    op.reason = 'the default direction the portal creates with a new smart process';
    op.set = defined({ name: category.name, key: category.key, sort: category.sort });
  } else {
    op.portalId = found.id;
    b.exists(ctx.address, {
      id: found.id,
      ...(ctx.entityTypeId !== undefined ? { entityTypeId: ctx.entityTypeId } : {}),
    });
    if (ctx.adopted)
      op.reason =
        found.isDefault && found.key === ''
          ? 'takes over the default direction'
          : 'found by name; the key is stored in its code';
    if (changes.length > 0) op.set = Object.fromEntries(changes.map((c) => [c.field, c.to]));
  }
  b.add(op);
}
