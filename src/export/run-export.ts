/**
 * The core of `b24lab export <entity>`: streams one entity's rows from the portal (client.export: the
 * chained fast path, 2,500 rows per request, a count check at the end) into NDJSON or CSV lines, to
 * stdout or a file. Memory stays flat: rows are written as they come and the file stream's
 * backpressure is honoured. A file is written under a `.partial` name and renamed only when the
 * export completed, so a failed run never leaves a file that looks whole.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import type { Clock } from '../clock.js';
import type { ClientOptions } from '../rest/client.js';
import { createClient } from '../rest/client.js';
import type { ListProgress } from '../rest/list.js';
import { listSpec } from '../rest/list-table.js';
import { exportParams, findEntity } from './export-entities.js';
import type { ExportFormat } from './row-format.js';
import { rowFormatter } from './row-format.js';

export interface ExportRequest {
  entity: string;
  type?: number;
  select?: string[];
  filter?: Record<string, unknown>;
  limit?: number;
  format: ExportFormat;
  /** A file to write; stdout (the `stdout` line writer) when absent. */
  out?: string;
}

export interface ExportResult {
  entity: string;
  method: string;
  format: ExportFormat;
  rows: number;
  /** The portal's count at the start (undefined when the method reports none). */
  total: number | undefined;
  /** HTTP requests the export took (the count probe rides in the first one). */
  requests: number;
  seconds: number;
  out?: string;
}

export interface ExportDeps {
  client: ClientOptions;
  clock: Clock;
  /** Writes one line to stdout. */
  stdout: (line: string) => void;
  signal?: AbortSignal;
  onProgress?: (progress: ListProgress) => void;
}

interface LineSink {
  write(line: string): void | Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

function fileSink(path: string): LineSink {
  const partial = `${path}.partial`;
  const stream: WriteStream = createWriteStream(partial, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (e) => {
    failure = e;
  });
  const closed = (): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.end(() => (failure ? reject(failure) : resolve()));
    });
  return {
    write: (line) => {
      if (failure) throw failure;
      if (stream.write(line + '\n')) return;
      return new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => reject(e);
        stream.once('error', onError);
        stream.once('drain', () => {
          stream.off('error', onError);
          resolve();
        });
      });
    },
    commit: async () => {
      await closed();
      await rename(partial, path);
    },
    abort: async () => {
      await closed().catch(() => undefined);
      await unlink(partial).catch(() => undefined);
    },
  };
}

export async function runExport(request: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  const entity = findEntity(request.entity);
  const spec = listSpec(entity.method);
  const params = exportParams(entity, request, spec?.filterParam ?? 'filter');
  const formatter = rowFormatter(request.format);
  const sink: LineSink = request.out
    ? fileSink(request.out)
    : { write: (line) => deps.stdout(line), commit: () => Promise.resolve(), abort: () => Promise.resolve() };
  const started = deps.clock.now();
  const client = createClient(deps.client);
  try {
    const summary = await client.export(
      entity.method,
      params,
      async (row) => {
        for (const line of formatter.format(row)) await sink.write(line);
      },
      {
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
      },
    );
    await sink.commit();
    return {
      entity: entity.name,
      method: entity.method,
      format: request.format,
      rows: summary.rows,
      total: summary.total,
      requests: summary.requests,
      seconds: (deps.clock.now() - started) / 1000,
      ...(request.out ? { out: request.out } : {}),
    };
  } catch (e) {
    await sink.abort();
    throw e;
  } finally {
    client.close();
  }
}
