import type Database from 'better-sqlite3';

/** Named checkpoints: where a job's change detection stopped (`sync:deal` -> a portal time in ms). */
export class CheckpointStore {
  private readonly getStmt: Database.Statement<[string], { value: string }>;
  private readonly putStmt: Database.Statement<[string, string, number]>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT value FROM checkpoint WHERE name = ?');
    this.putStmt = db.prepare(
      `INSERT INTO checkpoint (name, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  get(name: string): string | undefined {
    return this.getStmt.get(name)?.value;
  }

  /** A checkpoint holding a time (epoch ms); undefined before the first run. */
  getTime(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }

  set(name: string, value: string | number, now: number): void {
    this.putStmt.run(name, String(value), now);
  }
}
