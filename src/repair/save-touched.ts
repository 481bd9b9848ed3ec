/**
 * Before repair changes anything, every record it will touch is saved in the backup format
 * (backup/write-snapshot.ts): one NDJSON file per kind of record, plus `repair-changes`, the calls
 * and the fields each one changes, so restore-repair.ts can put exactly those fields back. The
 * snapshot goes under `<backup root>/repairs/`, out of the way of `backup list` and `prune`, whose
 * snapshots are whole portals.
 */
import { join } from 'node:path';
import type { B24Client } from '../rest/client.js';
import { CANNOT_HOLD, FORMAT, FORMAT_VERSION } from '../backup/manifest.js';
import { compactTime, portalSlug } from '../backup/snapshot-name.js';
import type { Row } from '../backup/write-snapshot.js';
import { SnapshotWriter } from '../backup/write-snapshot.js';
import type { RepairCall } from './plan-repair.js';

export const CHANGES_ENTITY = 'repair-changes';
export const TASKS_ENTITY = 'tasks';
export const crmEntity = (entityTypeId: number): string => `crm-item-${entityTypeId}`;

export interface ChangeRow extends Row {
  method: string;
  entity: string;
  entityTypeId: number | null;
  id: number | string;
  fields: string[];
}

/** The writer takes a stream; the touched records are few and already in memory. */
function fromArray(rows: Row[]): AsyncIterable<Row> {
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < rows.length ? { value: rows[i++]!, done: false } : { value: undefined, done: true },
          ),
      };
    },
  };
}

/** Reads the records the calls touch, in batches; a record that is gone is left out. */
async function readTouched(client: B24Client, calls: readonly RepairCall[]): Promise<Map<string, Row[]>> {
  const byEntity = new Map<string, Row[]>();
  const reads: {
    entity: string;
    method: string;
    params: Record<string, unknown>;
    pick: (r: unknown) => Row | undefined;
  }[] = [];
  for (const call of calls) {
    const t = call.target;
    if (t.type === 'crm')
      reads.push({
        entity: crmEntity(t.entityTypeId),
        method: 'crm.item.get',
        params: { entityTypeId: t.entityTypeId, id: t.id },
        pick: (r) => (r as { item?: Row }).item,
      });
    else if (t.type === 'task')
      reads.push({
        entity: TASKS_ENTITY,
        method: 'tasks.task.get',
        params: { taskId: t.id },
        pick: (r) => (r as { task?: Row }).task,
      });
    else if (t.type === 'merge')
      for (const id of t.ids)
        reads.push({
          entity: crmEntity(t.entityTypeId),
          method: 'crm.item.get',
          params: { entityTypeId: t.entityTypeId, id },
          pick: (r) => (r as { item?: Row }).item,
        });
  }
  const outcomes = await client.batch(reads.map((r) => ({ method: r.method, params: r.params })));
  outcomes.forEach((o, i) => {
    const read = reads[i]!;
    if (!o.ok) return;
    const row = read.pick(o.result);
    if (!row) return;
    const list = byEntity.get(read.entity) ?? [];
    list.push(row);
    byEntity.set(read.entity, list);
  });
  return byEntity;
}

export function changeRows(calls: readonly RepairCall[]): ChangeRow[] {
  return calls.map((call) => {
    const t = call.target;
    return {
      method: call.method,
      entity:
        t.type === 'crm' || t.type === 'merge'
          ? crmEntity(t.entityTypeId)
          : t.type === 'task'
            ? TASKS_ENTITY
            : 'workflows',
      entityTypeId: t.type === 'crm' || t.type === 'merge' ? t.entityTypeId : null,
      id: t.type === 'merge' ? t.ids.join(',') : t.id,
      fields: call.fields,
    };
  });
}

export interface SaveOptions {
  client: B24Client;
  root: string;
  now: number;
  version: string;
}

/** Saves the touched records; returns the snapshot directory. */
export async function saveTouched(calls: readonly RepairCall[], options: SaveOptions): Promise<string> {
  const touched = await readTouched(options.client, calls);
  const name = `${portalSlug(options.client.portal)}-${compactTime(options.now)}-repair`;
  const writer = await SnapshotWriter.open(join(options.root, 'repairs'), name);
  try {
    for (const [entity, rows] of touched) {
      await writer.writeEntity(entity, fromArray(rows), { idField: 'id' });
    }
    await writer.writeEntity(CHANGES_ENTITY, fromArray(changeRows(calls)));
    const at = new Date(options.now).toISOString();
    return await writer.commit({
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      portal: options.client.portal.replace(/^[a-z]+:\/\//i, ''),
      createdAt: at,
      completedAt: at,
      b24labVersion: options.version,
      kind: 'full',
      cannotHold: [
        'only the records `b24lab repair` was about to change, as they were before it',
        ...CANNOT_HOLD,
      ],
    });
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
