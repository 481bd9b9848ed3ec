/** Reading a snapshot back: the manifest, and each entity's rows as a stream (constant memory). */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Manifest } from './manifest.js';
import { MANIFEST_FILE, parseManifest } from './manifest.js';

export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`${dir} is not a readable snapshot: ${problems.join('; ')}`);
  }
}

/** Reads and validates `<dir>/manifest.json`; throws SnapshotFormatError when it is missing or wrong. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    throw new SnapshotFormatError(dir, [
      `no ${MANIFEST_FILE} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    ]);
  }
  const parsed = parseManifest(text);
  if ('problems' in parsed) throw new SnapshotFormatError(dir, parsed.problems);
  return parsed.manifest;
}

/**
 * The raw lines of a gzip NDJSON file, without their newline. Split by hand rather than with readline,
 * so a truncated or corrupt gzip stream rejects the iteration instead of ending it quietly.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      rest += decoder.write(chunk);
      let start = 0;
      let nl = rest.indexOf('\n', start);
      while (nl >= 0) {
        if (nl > start) yield rest.slice(start, nl);
        start = nl + 1;
        nl = rest.indexOf('\n', start);
      }
      rest = rest.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** The rows of one file of a snapshot, parsed. */
export async function* readRows<T = Record<string, unknown>>(dir: string, file: string): AsyncGenerator<T> {
  for await (const line of readLines(join(dir, file))) yield JSON.parse(line) as T;
}
