/**
 * The undo of a repair: puts back, from its pre-repair snapshot (save-touched.ts), exactly the fields
 * each call changed, on the same records (an in-place update, unlike `b24lab restore`, which rebuilds
 * a portal into new records). What cannot be undone over REST is reported, not guessed: a merge
 * deleted records, a terminated process cannot be restarted where it was, and the portal refuses a
 * stage that is not of the record's pipeline (crm.item.update validates it), so an off-pipeline stage
 * stays fixed.
 */
import type { B24Client } from '../rest/client.js';
import { SnapshotFormatError, readManifest, readRows } from '../backup/read-snapshot.js';
import type { Manifest } from '../backup/manifest.js';
import { UserError } from '../errors.js';
import { entityFile } from '../backup/manifest.js';
import type { Row } from '../backup/write-snapshot.js';
import type { ChangeRow } from './save-touched.js';
import { CHANGES_ENTITY, TASKS_ENTITY } from './save-touched.js';

export interface RestoreOutcome {
  method: string;
  entity: string;
  id: number | string;
  ok: boolean;
  error?: string;
}

export interface RepairRestoreResult {
  snapshot: string;
  outcomes: RestoreOutcome[];
}

/** `RESPONSIBLE_ID` -> `responsibleId` (tasks.task.update takes UPPER names, tasks.task.get prints camelCase). */
export const upperToCamel = (name: string): string =>
  name.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

async function repairManifest(dir: string): Promise<Manifest> {
  try {
    const manifest = await readManifest(dir);
    if (manifest.entities[CHANGES_ENTITY] === undefined)
      throw new UserError(
        `${dir} is a snapshot, but not one saved by repair (it has no ${CHANGES_ENTITY}).`,
        'Pass the directory `b24lab repair` printed; a whole-portal snapshot is restored with `b24lab restore`.',
      );
    return manifest;
  } catch (e) {
    if (e instanceof SnapshotFormatError)
      throw new UserError(
        e.message,
        'Pass the directory `b24lab repair` printed after "Backup of the touched records".',
      );
    throw e;
  }
}

export async function restoreRepair(client: B24Client, dir: string): Promise<RepairRestoreResult> {
  const manifest = await repairManifest(dir);
  const saved = new Map<string, Row>();
  for (const entity of Object.keys(manifest.entities)) {
    if (entity === CHANGES_ENTITY) continue;
    for await (const row of readRows(dir, entityFile(entity))) saved.set(`${entity}:${String(row.id)}`, row);
  }
  const calls: { method: string; params: Record<string, unknown>; entity: string; id: number | string }[] =
    [];
  const outcomes: RestoreOutcome[] = [];
  for await (const change of readRows<ChangeRow>(dir, entityFile(CHANGES_ENTITY))) {
    const row = saved.get(`${change.entity}:${String(change.id)}`);
    if (change.method === 'crm.item.update' && row) {
      const fields = Object.fromEntries(change.fields.map((f) => [f, row[f] ?? '']));
      calls.push({
        method: 'crm.item.update',
        params: { entityTypeId: change.entityTypeId, id: change.id, fields },
        entity: change.entity,
        id: change.id,
      });
    } else if (change.method === 'tasks.task.update' && row && change.entity === TASKS_ENTITY) {
      const fields = Object.fromEntries(change.fields.map((f) => [f, row[upperToCamel(f)] ?? '']));
      calls.push({
        method: 'tasks.task.update',
        params: { taskId: change.id, fields },
        entity: change.entity,
        id: change.id,
      });
    } else {
      outcomes.push({
        method: change.method,
        entity: change.entity,
        id: change.id,
        ok: false,
        error:
          row || change.method !== 'crm.item.update'
            ? `${change.method} cannot be undone over REST`
            : 'the record was not saved (it was gone before the repair)',
      });
    }
  }
  const answers = await client.batch(calls.map((c) => ({ method: c.method, params: c.params })));
  answers.forEach((a, i) => {
    const c = calls[i]!;
    outcomes.push({
      method: c.method,
      entity: c.entity,
      id: c.id,
      ok: a.ok,
      ...(a.ok ? {} : { error: a.error.message }),
    });
  });
  return { snapshot: dir, outcomes };
}
