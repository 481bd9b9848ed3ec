import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSnapshots } from '../../src/backup/list-snapshots.js';
import type { Manifest } from '../../src/backup/manifest.js';
import { CANNOT_HOLD, FORMAT, FORMAT_VERSION, parseManifest } from '../../src/backup/manifest.js';
import { pruneSnapshots } from '../../src/backup/prune-snapshots.js';
import { readManifest, readRows } from '../../src/backup/read-snapshot.js';
import { partialName, partialTarget, portalSlug, snapshotName } from '../../src/backup/snapshot-name.js';
import { verifySnapshot } from '../../src/backup/verify-snapshot.js';
import { SnapshotWriter, laterTime, numericId } from '../../src/backup/write-snapshot.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'b24lab-backup-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function* rows<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function head(
  kind: Manifest['kind'],
  createdAt: string,
  base?: Manifest['base'],
): Omit<Manifest, 'entities'> {
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    portal: 'lab.example.ru',
    createdAt,
    completedAt: createdAt,
    b24labVersion: 'test',
    kind,
    ...(base ? { base } : {}),
    cannotHold: [...CANNOT_HOLD],
  };
}

const deals = [
  { ID: '3', TITLE: 'Экспертиза №1', DATE_MODIFY: '2026-11-20T10:00:00+03:00' },
  { ID: '10', TITLE: 'Экспертиза №2', DATE_MODIFY: '2026-11-21T09:00:00+03:00' },
  { ID: '7', TITLE: 'Экспертиза №3', DATE_MODIFY: '2026-11-21T07:30:00+00:00' },
];

async function writeFull(name: string, createdAt: string): Promise<string> {
  const writer = await SnapshotWriter.open(root, name);
  await writer.writeEntity('deals', rows(deals), { idField: 'ID', modifiedField: 'DATE_MODIFY' });
  await writer.writeEntity('deal-contacts', rows([{ DEAL_ID: 3, CONTACT_ID: 5 }]));
  return writer.commit(head('full', createdAt));
}

describe('snapshot names', () => {
  it('sort by time and mark temporary directories', () => {
    expect(portalSlug('https://Lab.Example.ru/rest/1/')).toBe('lab-example-ru-rest-1');
    const name = snapshotName('lab.example.ru', Date.UTC(2026, 10, 26, 1, 0, 0), 'full');
    expect(name).toBe('lab-example-ru-20261126T010000Z-full');
    expect(snapshotName('x', 0, 'incremental')).toBe('x-19700101T000000Z-incr');
    expect(partialTarget(partialName(name))).toBe(name);
    expect(partialTarget(name)).toBeUndefined();
  });
});

describe('SnapshotWriter', () => {
  it('writes gzip NDJSON per entity and a manifest with count, checksum, last ID and checkpoint', async () => {
    const path = await writeFull('s1', '2026-11-26T01:00:00.000Z');
    expect(path).toBe(join(root, 's1'));
    const manifest = await readManifest(path);
    expect(manifest.entities.deals).toMatchObject({
      file: 'deals.ndjson.gz',
      count: 3,
      lastId: 10,
      idField: 'ID',
    });
    // 09:00+03:00 is 06:00 UTC, earlier than 07:30 UTC: the checkpoint compares moments, not strings.
    expect(manifest.entities.deals!.checkpoint).toBe('2026-11-21T07:30:00+00:00');
    expect(manifest.entities['deal-contacts']).toMatchObject({
      count: 1,
      lastId: 0,
      idField: null,
      checkpoint: null,
    });
    expect(manifest.cannotHold.join('\n')).toMatch(/robot/);
    const text = gunzipSync(await readFile(join(path, 'deals.ndjson.gz'))).toString('utf8');
    expect(text.split('\n')).toHaveLength(4);
    const back: unknown[] = [];
    for await (const row of readRows(path, 'deals.ndjson.gz')) back.push(row);
    expect(back).toEqual(deals);
    expect(await readdir(root)).toEqual(['s1']);
  });

  it('streams many rows with the file growing, not memory', async () => {
    const writer = await SnapshotWriter.open(root, 'big');
    async function* many(): AsyncGenerator<Record<string, unknown>> {
      for (let i = 1; i <= 50_000; i++) yield { ID: String(i), TITLE: `Сделка ${i}`, OPPORTUNITY: `${i}.00` };
    }
    const entry = await writer.writeEntity('deals', many(), { idField: 'ID' });
    expect(entry).toMatchObject({ count: 50_000, lastId: 50_000 });
    await writer.commit(head('full', '2026-11-26T01:00:00.000Z'));
    const result = await verifySnapshot(join(root, 'big'));
    expect(result).toMatchObject({ ok: true, rows: 50_000, problems: [] });
  });

  it('leaves only a temporary directory until commit, and abort removes it', async () => {
    const writer = await SnapshotWriter.open(root, 's2');
    await writer.writeEntity('deals', rows(deals), { idField: 'ID' });
    expect(await readdir(root)).toEqual(['.s2.partial']);
    const listed = await listSnapshots(root);
    expect(listed).toMatchObject([{ name: 's2', status: 'partial' }]);
    const verdict = await verifySnapshot(join(root, '.s2.partial'));
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toMatch(/interrupted/);
    await writer.abort();
    expect(await readdir(root)).toEqual([]);
  });

  it('a rerun under the same name discards the leftover of a killed run', async () => {
    const dead = await SnapshotWriter.open(root, 's3');
    await dead.writeEntity('deals', rows(deals.slice(0, 1)), { idField: 'ID' });
    const again = await SnapshotWriter.open(root, 's3');
    await again.writeEntity('deals', rows(deals), { idField: 'ID' });
    await again.commit(head('full', '2026-11-26T01:00:00.000Z'));
    expect(await readdir(root)).toEqual(['s3']);
    expect((await verifySnapshot(join(root, 's3'))).ok).toBe(true);
  });

  it('parses IDs and times the way Bitrix24 sends them', () => {
    expect(numericId('12')).toBe(12);
    expect(numericId(12)).toBe(12);
    expect(numericId('D_12')).toBeUndefined();
    expect(numericId(null)).toBeUndefined();
    expect(laterTime(null, '')).toBeNull();
    expect(laterTime('2026-01-01T00:00:00+03:00', 'garbage')).toBe('2026-01-01T00:00:00+03:00');
  });
});

describe('verifySnapshot', () => {
  it('accepts an intact full snapshot', async () => {
    await writeFull('s1', '2026-11-26T01:00:00.000Z');
    expect(await verifySnapshot(join(root, 's1'))).toEqual({
      snapshot: 's1',
      ok: true,
      kind: 'full',
      chain: ['s1'],
      rows: 4,
      problems: [],
    });
  });

  it('catches a changed row, a truncated file, a missing file and a wrong count', async () => {
    const path = await writeFull('s1', '2026-11-26T01:00:00.000Z');
    const manifestText = await readFile(join(path, 'manifest.json'), 'utf8');

    const m = JSON.parse(manifestText) as Manifest;
    m.entities.deals!.count = 4;
    m.entities.deals!.lastId = 11;
    await writeFile(join(path, 'manifest.json'), JSON.stringify(m));
    const counted = await verifySnapshot(path);
    expect(counted.ok).toBe(false);
    expect(counted.problems).toEqual([
      'deals: 3 rows, the manifest says 4',
      'deals: highest ID 10, the manifest says 11',
    ]);
    await writeFile(join(path, 'manifest.json'), manifestText);

    const { gzipSync } = await import('node:zlib');
    await writeFile(join(path, 'deal-contacts.ndjson.gz'), gzipSync('{"DEAL_ID":3,"CONTACT_ID":6}\n'));
    expect((await verifySnapshot(path)).problems).toEqual([
      'deal-contacts: checksum does not match the manifest',
    ]);

    const size = (await stat(join(path, 'deals.ndjson.gz'))).size;
    await truncate(join(path, 'deals.ndjson.gz'), size - 10);
    const truncated = await verifySnapshot(path);
    expect(truncated.problems[0]).toMatch(/^deals \(deals\.ndjson\.gz\): unreadable/);

    await rm(join(path, 'deals.ndjson.gz'));
    expect((await verifySnapshot(path)).problems[0]).toBe('deals (deals.ndjson.gz): file is missing');
  });

  it('rejects a directory without a manifest or with a broken one', async () => {
    const path = await writeFull('s1', '2026-11-26T01:00:00.000Z');
    await writeFile(join(path, 'manifest.json'), '{"format":"b24lab-backup"');
    expect((await verifySnapshot(path)).problems[0]).toMatch(/not JSON/);
    await writeFile(join(path, 'manifest.json'), JSON.stringify({ format: 'other' }));
    const wrong = await verifySnapshot(path);
    expect(wrong.ok).toBe(false);
    expect(wrong.problems[0]).toMatch(/^manifest\.json format/);
    await rm(join(path, 'manifest.json'));
    expect((await verifySnapshot(path)).problems).toEqual(['no manifest.json (ENOENT)']);
    expect(parseManifest('[]')).toHaveProperty('problems');
  });

  it('walks the chain of incrementals back to a full snapshot', async () => {
    await writeFull('full', '2026-11-25T01:00:00.000Z');
    const inc = await SnapshotWriter.open(root, 'inc1');
    await inc.writeEntity('deals', rows([deals[0]!]), { idField: 'ID', modifiedField: 'DATE_MODIFY' });
    await inc.writeIds('deals', rows([3, 10]));
    await inc.commit(
      head('incremental', '2026-11-26T01:00:00.000Z', {
        name: 'full',
        createdAt: '2026-11-25T01:00:00.000Z',
      }),
    );
    const inc2 = await SnapshotWriter.open(root, 'inc2');
    await inc2.writeEntity('deals', rows([]), { idField: 'ID' });
    await inc2.writeIds('deals', rows([3]));
    await inc2.commit(
      head('incremental', '2026-11-26T02:00:00.000Z', {
        name: 'inc1',
        createdAt: '2026-11-26T01:00:00.000Z',
      }),
    );

    const ok = await verifySnapshot(join(root, 'inc2'));
    expect(ok).toMatchObject({ ok: true, kind: 'incremental', chain: ['inc2', 'inc1', 'full'], rows: 0 });
    const m = await readManifest(join(root, 'inc1'));
    expect(m.entities.deals!.ids).toMatchObject({ file: 'deals.ids.ndjson.gz', count: 2 });

    // a base replaced by another snapshot of the same name
    await rm(join(root, 'full'), { recursive: true });
    await writeFull('full', '2026-11-25T05:00:00.000Z');
    expect((await verifySnapshot(join(root, 'inc2'))).problems).toEqual([
      'the chain is broken: full is not the snapshot this one was built on',
    ]);
    // a missing base
    await rm(join(root, 'full'), { recursive: true });
    const broken = await verifySnapshot(join(root, 'inc2'));
    expect(broken).toMatchObject({ ok: false, chain: ['inc2', 'inc1'] });
    expect(broken.problems).toEqual(['the chain is broken: base full is missing']);
    // a damaged base fails the incremental too
    await writeFull('full', '2026-11-25T01:00:00.000Z');
    await truncate(join(root, 'inc1', 'deals.ids.ndjson.gz'), 5);
    const damaged = await verifySnapshot(join(root, 'inc2'));
    expect(damaged.ok).toBe(false);
    expect(damaged.problems[0]).toMatch(/^base inc1: deals IDs/);
  });

  it('rejects an incremental without ID lists', async () => {
    await writeFull('full', '2026-11-25T01:00:00.000Z');
    const inc = await SnapshotWriter.open(root, 'inc');
    await inc.writeEntity('deals', rows([]), { idField: 'ID' });
    await inc.commit(
      head('incremental', '2026-11-26T01:00:00.000Z', {
        name: 'full',
        createdAt: '2026-11-25T01:00:00.000Z',
      }),
    );
    expect((await verifySnapshot(join(root, 'inc'))).problems).toEqual([
      'deals: an incremental without its ID list',
    ]);
  });
});

describe('listSnapshots and pruneSnapshots', () => {
  it('lists complete, partial and invalid snapshots oldest first', async () => {
    await writeFull('b', '2026-11-26T01:00:00.000Z');
    await writeFull('a', '2026-11-25T01:00:00.000Z');
    await SnapshotWriter.open(root, 'c');
    await writeFull('bad', '2026-11-24T01:00:00.000Z');
    await writeFile(join(root, 'bad', 'manifest.json'), '{}');
    await writeFile(join(root, 'note.txt'), 'not a snapshot');
    const list = await listSnapshots(root);
    const complete = list.filter((s) => s.status === 'complete');
    expect(complete.map((s) => s.name)).toEqual(['a', 'b']);
    expect(complete[0]).toMatchObject({ kind: 'full', portal: 'lab.example.ru', rows: 4 });
    expect(complete[0]!.bytes).toBeGreaterThan(0);
    expect(list.find((s) => s.name === 'c')?.status).toBe('partial');
    expect(list.find((s) => s.name === 'bad')?.status).toBe('invalid');
    expect(await listSnapshots(join(root, 'nowhere'))).toEqual([]);
  });

  it('deletes what the policy does not keep, stale partials, and nothing in a dry run', async () => {
    for (const day of ['20', '21', '22', '23', '24', '25', '26'])
      await writeFull(`d${day}`, `2026-11-${day}T01:00:00.000Z`);
    await SnapshotWriter.open(root, 'running');
    const now = Date.parse('2026-11-26T12:00:00Z');
    const policy = { daily: 3, weekly: 0, monthly: 0 };
    const dry = await pruneSnapshots(root, policy, now, { dryRun: true });
    expect(dry.deleted).toEqual(['d23', 'd22', 'd21', 'd20']);
    expect((await readdir(root)).length).toBe(8);
    // The partial was touched "now" (real file time) and the fake clock is in the past of it: fresh.
    const done = await pruneSnapshots(root, policy, now);
    expect(done.keep.map((k) => k.name)).toEqual(['d26', 'd25', 'd24']);
    expect(done.stalePartials).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['.running.partial', 'd24', 'd25', 'd26']);
    // A day and more later, the dead partial goes too.
    const touched = (await stat(join(root, '.running.partial'))).mtimeMs;
    const later = await pruneSnapshots(root, policy, touched + 2 * 86_400_000);
    expect(later.stalePartials).toEqual(['running']);
    expect(await readdir(root)).not.toContain('.running.partial');
  });
});
