import { afterEach, describe, expect, it } from 'vitest';
import type { StateDb } from '../../src/state/state-db.js';
import { openMemoryStateDb } from '../../src/state/state-db.js';

describe('named tasks in the state database', () => {
  let db: StateDb;
  afterEach(() => db.close());
  const deal15 = { entityTypeId: 2, id: 15 };
  const task = (taskId: number, name = 'project-dates', entityId = 15) => ({
    taskId,
    name,
    entityTypeId: 2,
    entityId,
    ledgerKey: `rule|2:${entityId}|created|0`,
  });

  it('remembers a task once: adding it again keeps its state', () => {
    db = openMemoryStateDb();
    db.keyedTasks.add(task(812), 1000);
    db.keyedTasks.set(812, 'closing', 2000);
    db.keyedTasks.add(task(812), 3000);
    expect(db.keyedTasks.get(812)).toEqual({
      ...task(812),
      state: 'closing',
      createdAt: 1000,
      finishedAt: null,
    });
    db.keyedTasks.set(812, 'closed', 4000);
    expect(db.keyedTasks.get(812)).toMatchObject({ state: 'closed', finishedAt: 4000 });
    expect(db.keyedTasks.get(999)).toBeUndefined();
  });

  it('finds the tasks of a record by name, and the open ones of all records', () => {
    db = openMemoryStateDb();
    db.keyedTasks.add(task(3), 1);
    db.keyedTasks.add(task(1), 1);
    db.keyedTasks.add(task(2, 'distribute'), 1);
    db.keyedTasks.add(task(4, 'project-dates', 16), 1);
    db.keyedTasks.set(1, 'completed', 2);
    expect(db.keyedTasks.ofRecord(deal15, 'project-dates').map((t) => [t.taskId, t.state])).toEqual([
      [1, 'completed'],
      [3, 'open'],
    ]);
    expect(db.keyedTasks.inState('open').map((t) => t.taskId)).toEqual([2, 3, 4]);
    expect(db.keyedTasks.inState('gone')).toEqual([]);
  });
});
