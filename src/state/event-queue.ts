import type Database from 'better-sqlite3';

/** A detected change waiting for its rules to run. `body` is the event with the entity as seen then. */
export interface QueuedEvent<T = unknown> {
  key: string;
  entityTypeId: number;
  entityId: number;
  kind: string;
  body: T;
  createdAt: number;
  attempts: number;
  lastError: string | null;
}

interface Row {
  key: string;
  entity_type_id: number;
  entity_id: number;
  kind: string;
  body: string;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/**
 * The outbox of change detection. The sync job writes an entity's events in the same transaction as
 * its new last-seen values: a crash before that commit re-detects them, a crash after it finds them
 * here. An event leaves the queue once every action its rules asked for is done (or given up on).
 */
export class EventQueue {
  private readonly insertStmt: Database.Statement<[string, number, number, string, string, number]>;
  private readonly pendingStmt: Database.Statement<[], Row>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly failStmt: Database.Statement<[string, string]>;
  private readonly countStmt: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    // The same change seen twice (the overlap window re-lists recent entities) keeps one event.
    this.insertStmt = db.prepare(
      `INSERT INTO event (key, entity_type_id, entity_id, kind, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.pendingStmt = db.prepare('SELECT * FROM event ORDER BY created_at, rowid');
    this.deleteStmt = db.prepare('DELETE FROM event WHERE key = ?');
    this.failStmt = db.prepare('UPDATE event SET attempts = attempts + 1, last_error = ? WHERE key = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM event');
  }

  /** Adds an event unless one with its key is already queued; true when it was new. */
  enqueue(
    event: { key: string; entityTypeId: number; entityId: number; kind: string; body: unknown },
    now: number,
  ): boolean {
    const info = this.insertStmt.run(
      event.key,
      event.entityTypeId,
      event.entityId,
      event.kind,
      JSON.stringify(event.body),
      now,
    );
    return info.changes > 0;
  }

  pending<T = unknown>(): QueuedEvent<T>[] {
    return this.pendingStmt.all().map((r) => ({
      key: r.key,
      entityTypeId: r.entity_type_id,
      entityId: r.entity_id,
      kind: r.kind,
      body: JSON.parse(r.body) as T,
      createdAt: r.created_at,
      attempts: r.attempts,
      lastError: r.last_error,
    }));
  }

  /** The event was handled: its actions are done (or recorded as given up) in the ledger. */
  complete(key: string): void {
    this.deleteStmt.run(key);
  }

  /** Some action failed in a way that may pass: keep the event for the next run. */
  retryLater(key: string, error: string): void {
    this.failStmt.run(error, key);
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
