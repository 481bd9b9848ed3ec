/**
 * The local state database of the automation jobs: `<state dir>/state.sqlite`.
 *
 * It holds what a polling automation must remember between runs (STYLE.md layout, src/state/):
 *   checkpoint   where each job's change detection stopped (a portal time)
 *   last_seen    the tracked fields of each entity as the sync job saw them last
 *   event        detected changes not yet fully handled (an outbox: written in the same transaction
 *                as last_seen, so a crash can neither lose an event nor invent one)
 *   ledger       every side effect b24lab causes on the portal, recorded before and confirmed after its
 *                REST call, so a rerun never repeats a done action and checks the portal for an unknown one
 *   job_lock     which process runs which job, so two runs of a job never overlap
 *   keyed_task   the tasks rules made under a name (`key:`), for task_completed and complete_task
 *
 * The REST client keeps its request bucket in a separate file of the same directory (ratelimit.sqlite);
 * this module never touches it.
 *
 * Several processes may open the file at once (cron runs, the scheduler, a person's `jobs run`):
 * WAL mode lets readers proceed while one writer works, and a busy timeout makes a writer wait for
 * another's short transaction instead of failing.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from './checkpoint-store.js';
import { EventQueue } from './event-queue.js';
import { JobLocks } from './job-locks.js';
import { KeyedTaskStore } from './keyed-task-store.js';
import { Ledger } from './ledger.js';
import { LastSeenStore } from './last-seen-store.js';

export const STATE_FILE = 'state.sqlite';

/** Each entry upgrades the schema by one version; never edit a shipped entry, append a new one. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE checkpoint (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE last_seen (
    entity_type_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    fields TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (entity_type_id, entity_id)
  );
  CREATE TABLE event (
    key TEXT PRIMARY KEY,
    entity_type_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE TABLE ledger (
    key TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    entity TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    action TEXT NOT NULL,
    marker TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_id TEXT NOT NULL,
    job TEXT NOT NULL,
    planned_at INTEGER NOT NULL,
    finished_at INTEGER,
    result TEXT,
    error TEXT
  );
  CREATE INDEX ledger_by_state ON ledger (state);
  CREATE INDEX ledger_by_entity ON ledger (entity);
  CREATE TABLE job_lock (
    job TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE keyed_task (
    task_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    entity_type_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    ledger_key TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX keyed_task_by_record ON keyed_task (entity_type_id, entity_id, name);
  CREATE INDEX keyed_task_by_state ON keyed_task (state);
  `,
];

export interface StateDbOptions {
  /** How long a writer waits for another process's transaction before failing (ms). */
  busyTimeoutMs?: number;
}

export class StateDb {
  readonly checkpoints: CheckpointStore;
  readonly lastSeen: LastSeenStore;
  readonly events: EventQueue;
  readonly ledger: Ledger;
  readonly locks: JobLocks;
  readonly keyedTasks: KeyedTaskStore;

  constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {
    this.checkpoints = new CheckpointStore(db);
    this.lastSeen = new LastSeenStore(db);
    this.events = new EventQueue(db);
    this.ledger = new Ledger(db);
    this.locks = new JobLocks(db);
    this.keyedTasks = new KeyedTaskStore(db);
  }

  /** Runs `fn` in one transaction that takes the write lock at once (BEGIN IMMEDIATE). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (and creates or upgrades) the state database of a state directory. */
export function openStateDb(dir: string, options: StateDbOptions = {}): StateDb {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, STATE_FILE);
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 15_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return new StateDb(db, file);
}

/** An in-memory state database: for unit tests and dry runs that must leave no file behind. */
export function openMemoryStateDb(): StateDb {
  const db = new Database(':memory:');
  migrate(db);
  return new StateDb(db, ':memory:');
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? '');
    }
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
