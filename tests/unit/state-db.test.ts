import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { acquireJobLock } from '../../src/state/acquire-job-lock.js';
import type { StateDb } from '../../src/state/state-db.js';
import { openMemoryStateDb, openStateDb, STATE_FILE } from '../../src/state/state-db.js';

/** A clock that only moves when the test (or a sleep) moves it. */
function fakeClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const plan = (key: string) => ({
  key,
  rule: 'sales-new',
  entity: '2:15',
  occurrence: 'created',
  action: 'notify',
  marker: `m-${key}`,
});
const run = { runId: 'run-1', job: 'sync' };

describe('state database', () => {
  const dirs: string[] = [];
  const dbs: StateDb[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'b24lab-state-'));
    dirs.push(d);
    return d;
  };

  it('creates state.sqlite in the state directory and keeps data across opens', () => {
    const dir = join(tempDir(), 'nested', '.b24lab');
    const first = openStateDb(dir);
    expect(first.file).toBe(join(dir, STATE_FILE));
    first.checkpoints.set('sync:2', 1234, 1);
    first.close();
    const second = openStateDb(dir);
    dbs.push(second);
    expect(second.checkpoints.getTime('sync:2')).toBe(1234);
    expect(second.db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('stores checkpoints and last seen values', () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    expect(db.checkpoints.getTime('sync:2')).toBeUndefined();
    db.checkpoints.set('sync:2', 5, 1);
    db.checkpoints.set('sync:2', 9, 2);
    expect(db.checkpoints.getTime('sync:2')).toBe(9);
    expect(db.checkpoints.get('sync:2')).toBe('9');

    expect(db.lastSeen.get({ entityTypeId: 2, id: 7 })).toBeUndefined();
    db.lastSeen.put({ entityTypeId: 2, id: 7 }, { stageId: 'C1:NEW', observers: [3] }, 1);
    db.lastSeen.put({ entityTypeId: 2, id: 7 }, { stageId: 'C1:WON', observers: [] }, 2);
    db.lastSeen.put({ entityTypeId: 1036, id: 7 }, { stageId: 'DT1036_5:NEW' }, 2);
    expect(db.lastSeen.get({ entityTypeId: 2, id: 7 })).toEqual({ stageId: 'C1:WON', observers: [] });
    expect(db.lastSeen.count(2)).toBe(1);
    expect(db.lastSeen.count(1036)).toBe(1);
  });

  it('keeps one queued event per key until it is completed', () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    const event = { key: '2:7|created', entityTypeId: 2, entityId: 7, kind: 'created', body: { a: 1 } };
    expect(db.events.enqueue(event, 10)).toBe(true);
    expect(db.events.enqueue({ ...event, body: { a: 2 } }, 11)).toBe(false);
    db.events.retryLater(event.key, 'QUERY_LIMIT_EXCEEDED');
    const [pending] = db.events.pending<{ a: number }>();
    expect(pending).toMatchObject({
      key: event.key,
      body: { a: 1 },
      attempts: 1,
      lastError: 'QUERY_LIMIT_EXCEEDED',
    });
    db.events.complete(event.key);
    expect(db.events.count()).toBe(0);
  });

  it('records a side effect before and after its call, counting attempts', () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    db.ledger.plan(plan('k1'), run, 100);
    expect(db.ledger.get('k1')).toMatchObject({
      state: 'planned',
      attempts: 1,
      runId: 'run-1',
      plannedAt: 100,
    });
    db.ledger.unknown('k1', 'socket hang up', 101);
    expect(db.ledger.get('k1')).toMatchObject({ state: 'unknown', error: 'socket hang up' });
    db.ledger.plan(plan('k1'), { runId: 'run-2', job: 'sync' }, 200);
    db.ledger.done('k1', { taskId: 42 }, 201);
    expect(db.ledger.get('k1')).toMatchObject({
      state: 'done',
      attempts: 2,
      runId: 'run-2',
      result: { taskId: 42 },
      error: null,
      finishedAt: 201,
    });
    db.ledger.skipped(plan('k2'), run, 'no head found', 300);
    expect(db.ledger.get('k2')).toMatchObject({ state: 'skipped', error: 'no head found' });
    expect(db.ledger.inState('done').map((e) => e.key)).toEqual(['k1']);
    expect(db.ledger.all()).toHaveLength(2);
  });
});

describe('job locks', () => {
  const dbs: StateDb[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });
  const owner = (runId: string, pid: number, host = 'box') => ({ runId, pid, host });

  it('lets one run hold a job, refuses a second, and frees it on release', () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    const alive = () => true;
    expect(db.locks.tryAcquire('sync', owner('a', 10), alive, 1)).toEqual({ acquired: true });
    const second = db.locks.tryAcquire('sync', owner('b', 11), alive, 2);
    expect(second).toMatchObject({ acquired: false, holder: { runId: 'a', pid: 10, acquiredAt: 1 } });
    // Another job is independent.
    expect(db.locks.tryAcquire('control', owner('b', 11), alive, 2)).toEqual({ acquired: true });
    // A run that does not hold the lock cannot release it.
    db.locks.release('sync', 'b');
    expect(db.locks.holder('sync')?.runId).toBe('a');
    db.locks.release('sync', 'a');
    expect(db.locks.tryAcquire('sync', owner('b', 11), alive, 3)).toEqual({ acquired: true });
  });

  it('takes over the lock of a dead process on the same host only', () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    db.locks.tryAcquire('sync', owner('dead', 10), () => true, 1);
    const took = db.locks.tryAcquire('sync', owner('new', 20), (pid) => pid !== 10, 2);
    expect(took).toMatchObject({ acquired: true, tookOverFrom: { runId: 'dead', pid: 10 } });
    db.locks.tryAcquire('control', owner('far', 10, 'other-host'), () => true, 1);
    expect(db.locks.tryAcquire('control', owner('new', 20), () => false, 2)).toMatchObject({
      acquired: false,
    });
  });

  it('waits a bounded time for a running job, then gives up with the holder', async () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    const clock = fakeClock();
    db.locks.tryAcquire('sync', owner('a', 10), () => true, clock.now());
    const result = await acquireJobLock(db.locks, 'sync', owner('b', 11), {
      clock,
      isAlive: () => true,
      waitMs: 5_000,
      pollMs: 1_000,
    });
    expect(result).toMatchObject({ acquired: false, holder: { runId: 'a' }, waitedMs: 5_000 });
  });

  it('gets the lock once the holder releases it while waiting', async () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    const base = fakeClock();
    db.locks.tryAcquire('sync', owner('a', 10), () => true, base.now());
    let sleeps = 0;
    const clock: Clock = {
      now: () => base.now(),
      sleep: async (ms) => {
        await base.sleep(ms);
        if (++sleeps === 2) db.locks.release('sync', 'a');
      },
    };
    const result = await acquireJobLock(db.locks, 'sync', owner('b', 11), {
      clock,
      isAlive: () => true,
      waitMs: 60_000,
      pollMs: 500,
    });
    expect(result).toMatchObject({ acquired: true, waitedMs: 1_000 });
    if (result.acquired) result.release();
    expect(db.locks.holder('sync')).toBeUndefined();
  });

  it('does not wait when the wait is 0', async () => {
    const db = openMemoryStateDb();
    dbs.push(db);
    const clock = fakeClock();
    db.locks.tryAcquire('sync', owner('a', 10), () => true, clock.now());
    const result = await acquireJobLock(db.locks, 'sync', owner('b', 11), {
      clock,
      isAlive: () => true,
      waitMs: 0,
    });
    expect(result).toMatchObject({ acquired: false, waitedMs: 0 });
  });
});
