/**
 * `backup create`: streams every entity of BACKUP_SOURCES from the portal into a new snapshot. An
 * incremental builds on the newest complete snapshot of the same portal under the root: records come
 * from `>= checkpoint` of the base (the portal's own modification time, so our clock never matters),
 * configuration is copied whole, and every entity carries the list of IDs present now so a restore
 * also knows what was deleted. Without a base, an incremental falls back to a full backup and says so.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { B24Client } from '../rest/client.js';
import { B24Error } from '../rest/errors.js';
import type { BackupSource, SourceContext } from './backup-sources.js';
import { BACKUP_SOURCES } from './backup-sources.js';
import { listSnapshots } from './list-snapshots.js';
import type { Manifest } from './manifest.js';
import { CANNOT_HOLD, FORMAT, FORMAT_VERSION, entityFile } from './manifest.js';
import { readManifest, readRows } from './read-snapshot.js';
import type { SnapshotKind } from './snapshot-name.js';
import { snapshotName } from './snapshot-name.js';
import type { Row } from './write-snapshot.js';
import { SnapshotWriter, laterTime, numericId } from './write-snapshot.js';

export interface BackupProgress {
  entity: string;
  rows: number;
}

export interface CreateBackupOptions {
  client: B24Client;
  root: string;
  /** The portal as shown and stored (no secrets): the client's origin. */
  portal: string;
  kind: SnapshotKind;
  version: string;
  clock: Clock;
  download: (url: string) => Promise<Buffer>;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  /** Sources to use (tests, benchmarks); default all. */
  sources?: BackupSource[];
}

export interface BackupResult {
  name: string;
  path: string;
  kind: SnapshotKind;
  base: string | undefined;
  /** Why an incremental became a full backup. */
  note: string | undefined;
  rows: number;
  bytes: number;
  requests: number;
  seconds: number;
  entities: Record<string, number>;
  skipped: Record<string, string>;
}

/** Errors that mean "this portal has no such entity" rather than "the backup failed". */
function isMissingFeature(e: unknown): e is B24Error {
  if (!(e instanceof B24Error)) return false;
  const code = e.codeLower;
  return (
    code === 'error_method_not_found' ||
    code === 'insufficient_scope' ||
    code === 'error_module_not_installed'
  );
}

async function* counted(
  rows: AsyncIterable<Row>,
  entity: string,
  onProgress?: (p: BackupProgress) => void,
): AsyncGenerator<Row> {
  let n = 0;
  for await (const row of rows) {
    n++;
    if (onProgress && n % 1000 === 0) onProgress({ entity, rows: n });
    yield row;
  }
  onProgress?.({ entity, rows: n });
}

async function findBase(
  root: string,
  portal: string,
): Promise<{ path: string; manifest: Manifest } | undefined> {
  const snapshots = (await listSnapshots(root)).filter((s) => s.status === 'complete' && s.portal === portal);
  const newest = snapshots.at(-1);
  return newest ? { path: newest.path, manifest: await readManifest(newest.path) } : undefined;
}

export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const { client, clock } = options;
  const started = clock.now();
  const requestsBefore = client.stats().requests;
  const base = options.kind === 'incremental' ? await findBase(options.root, options.portal) : undefined;
  const kind: SnapshotKind = base ? 'incremental' : 'full';
  const note =
    options.kind === 'incremental' && !base
      ? 'no earlier snapshot of this portal to build on: made a full backup'
      : undefined;
  const name = await freeName(options.root, snapshotName(options.portal, started, kind));
  const writer = await SnapshotWriter.open(options.root, name);
  const skipped: Record<string, string> = {};
  try {
    const ctx: SourceContext = {
      client,
      smartTypes: [],
      written: (entity) => (writer.has(entity) ? readRows<Row>(writer.dir, entityFile(entity)) : none()),
      download: options.download,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    for (const source of options.sources ?? BACKUP_SOURCES) {
      const previous = base?.manifest.entities[source.entity];
      const since =
        kind === 'incremental' && source.part === 'records' ? (previous?.checkpoint ?? undefined) : undefined;
      try {
        const entry = await writer.writeEntity(
          source.entity,
          counted(source.rows(ctx, since), source.entity, options.onProgress),
          {
            ...(source.idField !== undefined ? { idField: source.idField } : {}),
            ...(source.modifiedField !== undefined ? { modifiedField: source.modifiedField } : {}),
          },
        );
        // Nothing changed since the base: keep its checkpoint, or the next incremental starts over.
        if (since !== undefined) entry.checkpoint = laterTime(since, entry.checkpoint);
        if (kind === 'incremental') {
          // Rows of a record entity may be a subset (changed since the base, or links of changed
          // deals); the IDs present always come from the portal when the source can list them.
          const ids = source.ids
            ? source.ids(ctx)
            : idsFrom(ctx.written(source.entity), source.idField ?? 'ID');
          await writer.writeIds(source.entity, ids);
        }
      } catch (e) {
        if (!isMissingFeature(e)) throw e;
        await writer.discard(source.entity);
        skipped[source.entity] = `${e.method}: ${e.description || e.code}`;
      }
      if (source.entity === 'smart-process-types') {
        for await (const row of ctx.written('smart-process-types')) {
          const id = numericId(row.entityTypeId);
          if (id !== undefined) ctx.smartTypes.push(id);
        }
      }
    }
    const head: Omit<Manifest, 'entities'> = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      portal: options.portal,
      createdAt: new Date(started).toISOString(),
      completedAt: new Date(clock.now()).toISOString(),
      b24labVersion: options.version,
      kind,
      ...(base
        ? { base: { name: base.path.split(/[\\/]/).at(-1) ?? '', createdAt: base.manifest.createdAt } }
        : {}),
      cannotHold: [...CANNOT_HOLD],
      ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
      requests: client.stats().requests - requestsBefore,
    };
    const path = await writer.commit(head);
    const manifest = await readManifest(path);
    const entries = Object.entries(manifest.entities);
    return {
      name,
      path,
      kind,
      base: manifest.base?.name,
      note,
      rows: entries.reduce((n, [, e]) => n + e.count, 0),
      bytes: entries.reduce((n, [, e]) => n + e.bytes + (e.ids?.bytes ?? 0), 0),
      requests: manifest.requests ?? 0,
      seconds: (clock.now() - started) / 1000,
      entities: Object.fromEntries(entries.map(([k, e]) => [k, e.count])),
      skipped,
    };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

async function* idsFrom(rows: AsyncIterable<Row>, field: string): AsyncGenerator<number> {
  for await (const row of rows) {
    const id = numericId(row[field]);
    if (id !== undefined) yield id;
  }
}

/** An empty stream, for an entity the portal could not give. */
function none(): AsyncIterable<Row> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
  };
}

/** Two backups within one second get `-2`, `-3` ... rather than failing on the rename. */
async function freeName(root: string, name: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    try {
      await access(join(root, candidate));
    } catch {
      return candidate;
    }
  }
}
