import Database from 'better-sqlite3';

/**
 * The local portal's SQLite store: one table of JSON documents keyed by (kind, id), a per-kind id
 * sequence and a key-value table. Filters and sorts run in SQL over `json_extract`, so a list never
 * loads a whole table into memory and `>ID` paging walks the primary key.
 */
export interface Doc {
  id: number;
}
/** A document whose shape the caller does not know. */
export type AnyDoc = Doc & Record<string, unknown>;

export type CondOp =
  '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'notin' | 'like' | 'notlike' | 'empty' | 'notempty';

/** How a field's values compare: numbers numerically, text as text (dates are stored as sortable text or numbers). */
export type ValueKind = 'number' | 'text';

export interface Cond {
  /** A key of the stored document; `id` uses the primary key. */
  field: string;
  op: CondOp;
  value?: unknown;
  kind: ValueKind;
  /** The stored value is an array: `=` means "contains". */
  multiple?: boolean;
}

/** A disjunction of condition groups: `{ or: [[a, b], [c]] }` is (a AND b) OR c. */
export interface OrGroup {
  or: Where[];
}
export type Where = (Cond | OrGroup)[];

export interface Sort {
  field: string;
  dir: 'ASC' | 'DESC';
  kind: ValueKind;
}

export interface QueryOptions {
  where?: Where;
  order?: Sort[];
  offset?: number;
  limit?: number;
}

const pathOf = (field: string): string => `'$."${field.replace(/"/g, '""')}"'`;

function scalarSql(field: string, kind: ValueKind): string {
  if (field === 'id') return 'id';
  const expr = `json_extract(data, ${pathOf(field)})`;
  return kind === 'number' ? `CAST(${expr} AS REAL)` : expr;
}

function coerce(value: unknown, kind: ValueKind): unknown {
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return value === null || value === undefined ? null : String(value);
}

export class Store {
  readonly db: Database.Database;
  /** Prepared statements by SQL text: list pages repeat the same few queries thousands of times. */
  private readonly statements = new Map<string, Database.Statement>();

  /** A cached prepared statement (the cache is small: the SQL shapes of list filters repeat). */
  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size > 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  constructor(file?: string) {
    this.db = new Database(file ?? ':memory:');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.function('b24_like', { deterministic: true }, (haystack: unknown, needle: unknown) => {
      if (haystack === null || needle === null) return 0;
      const h = String(haystack).toLocaleLowerCase('ru');
      const n = String(needle).toLocaleLowerCase('ru');
      return h.includes(n) ? 1 : 0;
    });
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS docs (kind TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (kind, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS seq (kind TEXT PRIMARY KEY, last INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The next id of a kind (ids are never reused, as in Bitrix24). */
  nextId(kind: string): number {
    const row = this.prepare(
      'INSERT INTO seq (kind, last) VALUES (?, 1) ON CONFLICT(kind) DO UPDATE SET last = last + 1 RETURNING last',
    ).get(kind) as { last: number };
    return row.last;
  }

  /** Moves a kind's sequence so the next id is at least `next` (for fixed ids such as user 1). */
  reserveIds(kind: string, next: number): void {
    this.prepare(
      'INSERT INTO seq (kind, last) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET last = max(last, excluded.last)',
    ).run(kind, next - 1);
  }

  insert<T extends object>(kind: string, doc: T, id?: number): T & { id: number } {
    const newId = id ?? this.nextId(kind);
    if (id !== undefined) this.reserveIds(kind, id + 1);
    const full = { ...doc, id: newId };
    this.prepare('INSERT INTO docs (kind, id, data) VALUES (?, ?, ?)').run(kind, newId, JSON.stringify(full));
    return full;
  }

  get<T extends Doc = AnyDoc>(kind: string, id: number): T | undefined {
    const row = this.prepare('SELECT data FROM docs WHERE kind = ? AND id = ?').pluck(false).get(kind, id) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  put(kind: string, doc: Doc): void {
    this.prepare('INSERT OR REPLACE INTO docs (kind, id, data) VALUES (?, ?, ?)').run(
      kind,
      doc.id,
      JSON.stringify(doc),
    );
  }

  delete(kind: string, id: number): boolean {
    return this.prepare('DELETE FROM docs WHERE kind = ? AND id = ?').run(kind, id).changes > 0;
  }

  deleteKind(kind: string): void {
    this.db.prepare('DELETE FROM docs WHERE kind = ?').run(kind);
  }

  private whereSql(where: Where, args: unknown[]): string {
    const parts: string[] = [];
    for (const item of where) {
      if ('or' in item) {
        const groups = item.or.map((g) => `(${this.whereSql(g, args) || '1'})`);
        parts.push(`(${groups.join(' OR ') || '0'})`);
        continue;
      }
      parts.push(this.condSql(item, args));
    }
    return parts.join(' AND ');
  }

  private condSql(c: Cond, args: unknown[]): string {
    if (c.multiple && c.field !== 'id') {
      const each = `SELECT 1 FROM json_each(data, ${pathOf(c.field)}) AS e WHERE `;
      const val = c.kind === 'number' ? 'CAST(e.value AS REAL)' : 'e.value';
      switch (c.op) {
        case 'empty':
          return `NOT EXISTS (SELECT 1 FROM json_each(data, ${pathOf(c.field)}))`;
        case 'notempty':
          return `EXISTS (SELECT 1 FROM json_each(data, ${pathOf(c.field)}))`;
        case '!=':
        case 'notin':
        case 'notlike':
          return `NOT ${this.condSql({ ...c, op: c.op === '!=' ? '=' : c.op === 'notin' ? 'in' : 'like' }, args)}`;
        default:
          return `EXISTS (${each}${this.compare(val, c, args)})`;
      }
    }
    const expr = scalarSql(c.field, c.kind);
    switch (c.op) {
      case 'empty':
        return `(${expr} IS NULL OR ${expr} = '' OR ${expr} = 0)`;
      case 'notempty':
        return `(${expr} IS NOT NULL AND ${expr} != '' AND ${expr} != 0)`;
      case '!=':
        return `(${expr} IS NULL OR NOT (${this.compare(expr, { ...c, op: '=' }, args)}))`;
      case 'notin':
        return `(${expr} IS NULL OR NOT (${this.compare(expr, { ...c, op: 'in' }, args)}))`;
      case 'notlike':
        return `(${expr} IS NULL OR NOT (${this.compare(expr, { ...c, op: 'like' }, args)}))`;
      default:
        return this.compare(expr, c, args);
    }
  }

  private compare(expr: string, c: Cond, args: unknown[]): string {
    if (c.op === 'in') {
      const values = (Array.isArray(c.value) ? c.value : [c.value]).map((v) => coerce(v, c.kind));
      if (values.length === 0) return '0';
      args.push(...values);
      return `${expr} IN (${values.map(() => '?').join(', ')})`;
    }
    if (c.op === 'like') {
      args.push(coerce(c.value, 'text'));
      return `b24_like(${expr}, ?)`;
    }
    args.push(coerce(c.value, c.kind));
    return `${expr} ${c.op} ?`;
  }

  private buildQuery(kind: string, opts: QueryOptions, select: string): { sql: string; args: unknown[] } {
    const args: unknown[] = [kind];
    const where = opts.where?.length ? this.whereSql(opts.where, args) : '';
    let sql = `SELECT ${select} FROM docs WHERE kind = ?${where ? ` AND ${where}` : ''}`;
    if (select !== 'count(*) AS n') {
      const order = (opts.order ?? []).map((s) => `${scalarSql(s.field, s.kind)} ${s.dir}`);
      if (!(opts.order ?? []).some((s) => s.field === 'id')) order.push('id ASC');
      sql += ` ORDER BY ${order.join(', ')}`;
      if (opts.limit !== undefined) {
        sql += ' LIMIT ? OFFSET ?';
        args.push(opts.limit, opts.offset ?? 0);
      }
    }
    return { sql, args };
  }

  query<T extends Doc = AnyDoc>(kind: string, opts: QueryOptions = {}): T[] {
    const { sql, args } = this.buildQuery(kind, opts, 'data');
    const rows = this.db
      .prepare(sql)
      .pluck()
      .all(...args) as string[];
    return rows.map((r) => JSON.parse(r) as T);
  }

  count(kind: string, where: Where = []): number {
    const { sql, args } = this.buildQuery(kind, { where }, 'count(*) AS n');
    return (
      this.prepare(sql)
        .pluck(false)
        .get(...args) as { n: number }
    ).n;
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Empties the portal (the emulator-only reset). */
  clear(): void {
    this.statements.clear();
    this.db.exec('DELETE FROM docs; DELETE FROM seq; DELETE FROM meta;');
  }
}
