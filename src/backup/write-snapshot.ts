/**
 * The streaming writer: rows go through JSON -> sha256 -> gzip -> file one at a time (pipeline
 * back-pressure keeps memory constant however many rows there are). Everything is written into a
 * hidden temporary directory; `commit` writes the manifest last, syncs it, and renames the directory
 * to its final name in one step, so a killed backup leaves only a `.partial` directory that neither
 * `list` nor `verify` takes for a snapshot.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { EntityEntry, FileEntry, Manifest } from './manifest.js';
import { MANIFEST_FILE, entityFile, idsFile } from './manifest.js';
import { partialName } from './snapshot-name.js';

export type Row = Record<string, unknown>;

export interface EntityWriteOptions {
  /** The field with the numeric record ID (for `lastId`); omit for rows without one. */
  idField?: string;
  /** The field with the modification time (for the checkpoint of the next incremental). */
  modifiedField?: string;
}

/** A numeric ID from a row value: Bitrix24 sends IDs as strings ("12") or numbers. */
export function numericId(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The later of two portal time strings (compared as moments, since offsets may differ). */
export function laterTime(a: string | null, b: unknown): string | null {
  if (typeof b !== 'string' || b === '') return a;
  const tb = Date.parse(b);
  if (Number.isNaN(tb)) return a;
  if (a === null) return b;
  return tb > Date.parse(a) ? b : a;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Streams lines into `<dir>/<file>` gzip-compressed; returns what the manifest records. */
async function writeLines(dir: string, file: string, lines: AsyncIterable<string>): Promise<FileEntry> {
  const hash = createHash('sha256');
  let count = 0;
  const path = join(dir, file);
  await pipeline(
    async function* () {
      for await (const line of lines) {
        const chunk = Buffer.from(line + '\n', 'utf8');
        hash.update(chunk);
        count++;
        yield chunk;
      }
    },
    createGzip({ level: 6 }),
    createWriteStream(path),
  );
  await syncFile(path);
  return { file, count, sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

export class SnapshotWriter {
  private readonly entities: Record<string, EntityEntry> = {};
  private done = false;

  private constructor(
    readonly root: string,
    readonly name: string,
    /** The temporary directory being written. */
    readonly dir: string,
  ) {}

  /** Starts a snapshot `<root>/<name>`; a leftover temporary directory of the same name is discarded. */
  static async open(root: string, name: string): Promise<SnapshotWriter> {
    await mkdir(root, { recursive: true });
    const dir = join(root, partialName(name));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    return new SnapshotWriter(root, name, dir);
  }

  /** Streams one entity's rows into its file. */
  async writeEntity(
    entity: string,
    rows: AsyncIterable<Row>,
    options: EntityWriteOptions = {},
  ): Promise<EntityEntry> {
    let lastId = 0;
    let checkpoint: string | null = null;
    const { idField, modifiedField } = options;
    async function* lines(): AsyncGenerator<string> {
      for await (const row of rows) {
        if (idField !== undefined) lastId = Math.max(lastId, numericId(row[idField]) ?? 0);
        if (modifiedField !== undefined) checkpoint = laterTime(checkpoint, row[modifiedField]);
        yield JSON.stringify(row);
      }
    }
    const written = await writeLines(this.dir, entityFile(entity), lines());
    const entry: EntityEntry = { ...written, idField: idField ?? null, lastId, checkpoint };
    this.entities[entity] = entry;
    return entry;
  }

  /** Incrementals: the IDs present now, one number per line, so a restore can drop deleted records. */
  async writeIds(entity: string, ids: AsyncIterable<number>): Promise<FileEntry> {
    const entry = this.entities[entity];
    if (!entry) throw new Error(`writeIds(${entity}) before writeEntity(${entity})`);
    async function* lines(): AsyncGenerator<string> {
      for await (const id of ids) yield String(id);
    }
    const written = await writeLines(this.dir, idsFile(entity), lines());
    entry.ids = written;
    return written;
  }

  /** Whether an entity was written (not skipped). */
  has(entity: string): boolean {
    return entity in this.entities;
  }

  /** Drops an entity's file (the portal could not give it); the manifest then lists it as skipped. */
  async discard(entity: string): Promise<void> {
    delete this.entities[entity];
    await rm(join(this.dir, entityFile(entity)), { force: true });
    await rm(join(this.dir, idsFile(entity)), { force: true });
  }

  /** Writes the manifest last and renames the directory to its final name. Returns the final path. */
  async commit(head: Omit<Manifest, 'entities'>): Promise<string> {
    if (this.done) throw new Error('snapshot already committed or aborted');
    const manifest: Manifest = { ...head, entities: this.entities };
    const manifestPath = join(this.dir, MANIFEST_FILE);
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    await syncFile(manifestPath);
    const final = join(this.root, this.name);
    await rename(this.dir, final);
    this.done = true;
    return final;
  }

  /** Removes the temporary directory (after a failure). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await rm(this.dir, { recursive: true, force: true });
  }
}
