import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectiveRows, loadChain } from '../../src/backup/effective-rows.js';
import type { Manifest } from '../../src/backup/manifest.js';
import { CANNOT_HOLD, FORMAT, FORMAT_VERSION } from '../../src/backup/manifest.js';
import { SnapshotWriter } from '../../src/backup/write-snapshot.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'b24lab-chain-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function* each<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function snapshot(
  name: string,
  createdAt: string,
  deals: Record<string, unknown>[],
  ids?: number[],
  base?: Manifest['base'],
): Promise<string> {
  const writer = await SnapshotWriter.open(root, name);
  await writer.writeEntity('deals', each(deals), { idField: 'ID' });
  if (ids) await writer.writeIds('deals', each(ids));
  return writer.commit({
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    portal: 'lab.example.ru',
    createdAt,
    completedAt: createdAt,
    b24labVersion: 'test',
    kind: base ? 'incremental' : 'full',
    ...(base ? { base } : {}),
    cannotHold: [...CANNOT_HOLD],
  });
}

async function all(dir: string, entity = 'deals'): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const row of effectiveRows(await loadChain(dir), entity)) out.push(row);
  return out;
}

describe('effectiveRows over a chain of snapshots', () => {
  it('takes the newest version of each record still present, and drops the deleted', async () => {
    const t0 = '2026-11-24T01:00:00.000Z';
    const t1 = '2026-11-25T01:00:00.000Z';
    const t2 = '2026-11-26T01:00:00.000Z';
    await snapshot('full', t0, [
      { ID: '1', TITLE: 'Первая' },
      { ID: '2', TITLE: 'Вторая' },
      { ID: '3', TITLE: 'Третья' },
    ]);
    await snapshot(
      'inc1',
      t1,
      [
        { ID: '2', TITLE: 'Вторая (изм.)' },
        { ID: '4', TITLE: 'Четвёртая' },
      ],
      [1, 2, 3, 4],
      {
        name: 'full',
        createdAt: t0,
      },
    );
    const inc2 = await snapshot('inc2', t2, [], [1, 2, 4], { name: 'inc1', createdAt: t1 });

    expect((await loadChain(inc2)).map((l) => l.manifest.kind)).toEqual([
      'incremental',
      'incremental',
      'full',
    ]);
    expect(await all(inc2)).toEqual([
      { ID: '2', TITLE: 'Вторая (изм.)' },
      { ID: '4', TITLE: 'Четвёртая' },
      { ID: '1', TITLE: 'Первая' },
    ]);
    expect(await all(join(root, 'full'))).toHaveLength(3);
    expect(await all(inc2, 'contacts')).toEqual([]);
  });
});
