import type Database from 'better-sqlite3';

/**
 * What became of a task a rule created under a name (`key:` of a task action):
 *   open       made by b24lab; the sync job asks the portal about it each run
 *   closing    b24lab is completing it (complete_task); its completion is b24lab's, not news
 *   closed     completed by b24lab (complete_task): no task_completed event
 *   completed  completed on the portal by people: its task_completed event was queued
 *   gone       deleted on the portal (or no longer visible to b24lab's user)
 */
export type KeyedTaskState = 'open' | 'closing' | 'closed' | 'completed' | 'gone';

export interface KeyedTask {
  taskId: number;
  /** The task's name in the rules (`key: project-dates`). */
  name: string;
  entityTypeId: number;
  entityId: number;
  /** The ledger key of the task action that made it. */
  ledgerKey: string;
  state: KeyedTaskState;
  createdAt: number;
  finishedAt: number | null;
}

interface Row {
  task_id: number;
  name: string;
  entity_type_id: number;
  entity_id: number;
  ledger_key: string;
  state: KeyedTaskState;
  created_at: number;
  finished_at: number | null;
}

const fromRow = (r: Row): KeyedTask => ({
  taskId: r.task_id,
  name: r.name,
  entityTypeId: r.entity_type_id,
  entityId: r.entity_id,
  ledgerKey: r.ledger_key,
  state: r.state,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/**
 * The tasks rules made under a name, so that "the task named <name> of record X" can be found again:
 * by the sync job (task_completed: which open tasks to ask the portal about) and by complete_task
 * (which tasks of the record to close). Written by the executor before the task action's ledger
 * entry is marked done, so a crash in between leaves the task known here and the ledger entry
 * planned: the rerun finds the task on the portal and the second write changes nothing.
 */
export class KeyedTaskStore {
  private readonly addStmt: Database.Statement<[number, string, number, number, string, number]>;
  private readonly inStateStmt: Database.Statement<[string], Row>;
  private readonly ofRecordStmt: Database.Statement<[number, number, string], Row>;
  private readonly getStmt: Database.Statement<[number], Row>;
  private readonly setStmt: Database.Statement<[KeyedTaskState, number | null, number]>;

  constructor(db: Database.Database) {
    this.addStmt = db.prepare(
      `INSERT INTO keyed_task (task_id, name, entity_type_id, entity_id, ledger_key, state, created_at)
       VALUES (?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (task_id) DO NOTHING`,
    );
    this.inStateStmt = db.prepare('SELECT * FROM keyed_task WHERE state = ? ORDER BY task_id');
    this.ofRecordStmt = db.prepare(
      `SELECT * FROM keyed_task WHERE entity_type_id = ? AND entity_id = ? AND name = ? ORDER BY task_id`,
    );
    this.getStmt = db.prepare('SELECT * FROM keyed_task WHERE task_id = ?');
    this.setStmt = db.prepare('UPDATE keyed_task SET state = ?, finished_at = ? WHERE task_id = ?');
  }

  /** Remembers a task made under a name; a task already known keeps its state. */
  add(
    task: { taskId: number; name: string; entityTypeId: number; entityId: number; ledgerKey: string },
    now: number,
  ): void {
    this.addStmt.run(task.taskId, task.name, task.entityTypeId, task.entityId, task.ledgerKey, now);
  }

  get(taskId: number): KeyedTask | undefined {
    const row = this.getStmt.get(taskId);
    return row ? fromRow(row) : undefined;
  }

  inState(state: KeyedTaskState): KeyedTask[] {
    return this.inStateStmt.all(state).map(fromRow);
  }

  /** The tasks of one record under one name, whatever their state. */
  ofRecord(entity: { entityTypeId: number; id: number }, name: string): KeyedTask[] {
    return this.ofRecordStmt.all(entity.entityTypeId, entity.id, name).map(fromRow);
  }

  /** Moves a task to a state (`open` and `closing` are not finished: finishedAt stays null). */
  set(taskId: number, state: KeyedTaskState, now: number): void {
    const finished = state === 'open' || state === 'closing' ? null : now;
    this.setStmt.run(state, finished, taskId);
  }
}
