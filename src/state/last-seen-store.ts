import type Database from 'better-sqlite3';

/** The tracked fields of one entity as the sync job last saw them. */
export type SeenFields = Record<string, unknown>;

export interface EntityKey {
  entityTypeId: number;
  id: number;
}

/** Last seen values of tracked fields per entity: the "before" side of change detection. */
export class LastSeenStore {
  private readonly getStmt: Database.Statement<[number, number], { fields: string }>;
  private readonly putStmt: Database.Statement<[number, number, string, number]>;
  private readonly countStmt: Database.Statement<[number], { n: number }>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT fields FROM last_seen WHERE entity_type_id = ? AND entity_id = ?');
    this.putStmt = db.prepare(
      `INSERT INTO last_seen (entity_type_id, entity_id, fields, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (entity_type_id, entity_id) DO UPDATE SET fields = excluded.fields, seen_at = excluded.seen_at`,
    );
    this.countStmt = db.prepare('SELECT count(*) AS n FROM last_seen WHERE entity_type_id = ?');
  }

  get(key: EntityKey): SeenFields | undefined {
    const row = this.getStmt.get(key.entityTypeId, key.id);
    return row ? (JSON.parse(row.fields) as SeenFields) : undefined;
  }

  put(key: EntityKey, fields: SeenFields, now: number): void {
    this.putStmt.run(key.entityTypeId, key.id, JSON.stringify(fields), now);
  }

  count(entityTypeId: number): number {
    return this.countStmt.get(entityTypeId)?.n ?? 0;
  }
}
