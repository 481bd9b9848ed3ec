/**
 * The gate every request passes: the per-method operating budget first, then a booking in the
 * portal's leaky bucket (limiter.ts). The bucket is shared by every b24lab process on the machine
 * that talks to the same portal: its state lives in `<state dir>/ratelimit.sqlite` and each booking is
 * one IMMEDIATE transaction (read, step, write), so two cron jobs started at the same minute book
 * disjoint departure times instead of both bursting. Bitrix24 meters per portal and source address
 * (limits.md), which is exactly "this machine -> that portal".
 *
 * The automation engine owns `state.sqlite`; this file is deliberately separate.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { sleepOrAbort } from './errors.js';
import type { BucketSpec, BucketState } from './limiter.js';
import { EMPTY_BUCKET, penalize, step } from './limiter.js';
import type { OperatingEntry, OperatingSpec } from './operating-budget.js';
import { DEFAULT_OPERATING, operatingWait, record } from './operating-budget.js';

export const RATE_LIMIT_FILE = 'ratelimit.sqlite';

/** Where bucket and budget states are kept: one SQLite file, or memory (one process only). */
export interface GateStore {
  /** Runs `fn` on the bucket state atomically and stores what it returns. */
  updateBucket<T>(key: string, fn: (state: BucketState) => { state: BucketState; value: T }): T;
  readOperating(key: string, methods: string[]): Map<string, OperatingEntry>;
  writeOperating(key: string, method: string, entry: OperatingEntry): void;
  close(): void;
}

export class MemoryGateStore implements GateStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly budgets = new Map<string, OperatingEntry>();

  updateBucket<T>(key: string, fn: (state: BucketState) => { state: BucketState; value: T }): T {
    const out = fn(this.buckets.get(key) ?? EMPTY_BUCKET);
    this.buckets.set(key, out.state);
    return out.value;
  }

  readOperating(key: string, methods: string[]): Map<string, OperatingEntry> {
    const out = new Map<string, OperatingEntry>();
    for (const m of methods) {
      const e = this.budgets.get(`${key}\n${m}`);
      if (e) out.set(m, e);
    }
    return out;
  }

  writeOperating(key: string, method: string, entry: OperatingEntry): void {
    const k = `${key}\n${method}`;
    this.budgets.set(k, record(this.budgets.get(k), entry));
  }

  close(): void {}
}

export class SqliteGateStore implements GateStore {
  private readonly db: Database.Database;
  private readonly getBucket: Database.Statement<[string], { level: number; at: number }>;
  private readonly putBucket: Database.Statement<[string, number, number]>;
  private readonly getBudget: Database.Statement<[string, string], { operating: number; reset_at: number }>;
  private readonly putBudget: Database.Statement<[string, string, number, number]>;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(stateDir, RATE_LIMIT_FILE), { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS bucket (key TEXT PRIMARY KEY, level REAL NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS operating (key TEXT NOT NULL, method TEXT NOT NULL,
        operating REAL NOT NULL, reset_at INTEGER NOT NULL, PRIMARY KEY (key, method));
    `);
    this.getBucket = this.db.prepare('SELECT level, at FROM bucket WHERE key = ?');
    this.putBucket = this.db.prepare(
      'INSERT INTO bucket (key, level, at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET level = excluded.level, at = excluded.at',
    );
    this.getBudget = this.db.prepare(
      'SELECT operating, reset_at FROM operating WHERE key = ? AND method = ?',
    );
    this.putBudget = this.db.prepare(
      'INSERT INTO operating (key, method, operating, reset_at) VALUES (?, ?, ?, ?) ON CONFLICT(key, method) DO UPDATE SET operating = excluded.operating, reset_at = excluded.reset_at',
    );
  }

  updateBucket<T>(key: string, fn: (state: BucketState) => { state: BucketState; value: T }): T {
    const run = this.db.transaction(() => {
      const row = this.getBucket.get(key);
      const out = fn(row ? { level: row.level, at: row.at } : EMPTY_BUCKET);
      this.putBucket.run(key, out.state.level, out.state.at);
      return out.value;
    });
    // IMMEDIATE takes the write lock before reading, so two processes never book from the same state.
    return run.immediate();
  }

  readOperating(key: string, methods: string[]): Map<string, OperatingEntry> {
    const out = new Map<string, OperatingEntry>();
    for (const m of methods) {
      const row = this.getBudget.get(key, m);
      if (row) out.set(m, { operating: row.operating, resetAt: row.reset_at });
    }
    return out;
  }

  writeOperating(key: string, method: string, entry: OperatingEntry): void {
    this.db
      .transaction(() => {
        const row = this.getBudget.get(key, method);
        const prev = row ? { operating: row.operating, resetAt: row.reset_at } : undefined;
        const next = record(prev, entry);
        this.putBudget.run(key, method, next.operating, next.resetAt);
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }
}

export interface RateGateOptions {
  store: GateStore;
  clock: Clock;
  /** The portal's bucket (undefined = off, a box portal). */
  bucket: BucketSpec | undefined;
  operating?: OperatingSpec;
  /** The bucket key: the portal's origin. */
  portalKey: string;
  /** The budget key: portal + webhook or application (the portal meters per caller). */
  callerKey: string;
}

export class RateGate {
  /** Milliseconds spent waiting for the bucket and the budgets, for stats. */
  waitedMs = 0;
  private readonly opSpec: OperatingSpec;

  constructor(private readonly options: RateGateOptions) {
    this.opSpec = options.operating ?? DEFAULT_OPERATING;
  }

  get bucket(): BucketSpec | undefined {
    return this.options.bucket;
  }

  /** Waits until every method may run (operating budgets), then books one request and waits for it. */
  async acquire(methods: string[], signal?: AbortSignal): Promise<void> {
    const { clock, store } = this.options;
    for (;;) {
      const now = clock.now();
      let wait = 0;
      const names = methods.map((m) => m.toLowerCase());
      for (const entry of store.readOperating(this.options.callerKey, names).values()) {
        wait = Math.max(wait, operatingWait(entry, now, this.opSpec));
      }
      if (wait <= 0) break;
      this.waitedMs += wait;
      await sleepOrAbort((ms, sig) => clock.sleep(ms, sig), wait, methods[0] ?? '', signal);
    }
    const bucket = this.options.bucket;
    if (!bucket) return;
    const now = clock.now();
    const waitMs = store.updateBucket(this.options.portalKey, (state) => {
      const out = step(state, now, bucket);
      return { state: out.state, value: out.waitMs };
    });
    if (waitMs > 0) this.waitedMs += waitMs;
    // Timers may fire a little early (libuv measures from its cached loop time, which lags behind a
    // busy tick): never depart before the booked moment.
    for (let left = waitMs; left > 0; left = now + waitMs - clock.now()) {
      await sleepOrAbort((ms, sig) => clock.sleep(ms, sig), left, methods[0] ?? '', signal);
    }
  }

  /** The portal said 503 QUERY_LIMIT_EXCEEDED: its bucket is full. */
  penalize(): void {
    const bucket = this.options.bucket;
    const now = this.options.clock.now();
    this.options.store.updateBucket(this.options.portalKey, (state) => ({
      state: penalize(state, now, bucket),
      value: undefined,
    }));
  }

  recordOperating(method: string, entry: OperatingEntry): void {
    this.options.store.writeOperating(this.options.callerKey, method.toLowerCase(), entry);
  }

  /** When a method's budget is known to refill (for 429 answers), or undefined. */
  operatingResetAt(method: string): number | undefined {
    const m = method.toLowerCase();
    return this.options.store.readOperating(this.options.callerKey, [m]).get(m)?.resetAt;
  }

  close(): void {
    this.options.store.close();
  }
}
