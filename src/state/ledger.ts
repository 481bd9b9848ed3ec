import type Database from 'better-sqlite3';

/**
 * The state of one side effect:
 *   planned  recorded before its REST call; still planned after a run means the run died in between
 *   unknown  the call was made and failed in a way that does not prove it did not run (a dropped
 *            connection, a 500): the portal must be checked before anything is repeated
 *   failed   the call provably did not run (503 QUERY_LIMIT_EXCEEDED, 429, refused): safe to retry
 *   done     confirmed: the portal has it (result holds what it answered or where it was found)
 *   skipped  nothing to do (no recipient could be resolved...): recorded so it is reported once
 */
export type LedgerState = 'planned' | 'unknown' | 'failed' | 'done' | 'skipped';

export interface LedgerEntry {
  key: string;
  rule: string;
  /** `2:15` (entityTypeId:id). */
  entity: string;
  occurrence: string;
  /** The action kind: notify, task, comment, update, skip. */
  action: string;
  /** The text embedded in the side effect (task description, comment, notification tag) to find it. */
  marker: string;
  state: LedgerState;
  attempts: number;
  runId: string;
  job: string;
  plannedAt: number;
  finishedAt: number | null;
  result: unknown;
  error: string | null;
}

export interface LedgerPlan {
  key: string;
  rule: string;
  entity: string;
  occurrence: string;
  action: string;
  marker: string;
}

interface Row {
  key: string;
  rule: string;
  entity: string;
  occurrence: string;
  action: string;
  marker: string;
  state: LedgerState;
  attempts: number;
  run_id: string;
  job: string;
  planned_at: number;
  finished_at: number | null;
  result: string | null;
  error: string | null;
}

function fromRow(r: Row): LedgerEntry {
  return {
    key: r.key,
    rule: r.rule,
    entity: r.entity,
    occurrence: r.occurrence,
    action: r.action,
    marker: r.marker,
    state: r.state,
    attempts: r.attempts,
    runId: r.run_id,
    job: r.job,
    plannedAt: r.planned_at,
    finishedAt: r.finished_at,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error,
  };
}

/** True for the states after which nothing more is ever done for the key. */
export function isSettled(state: LedgerState): boolean {
  return state === 'done' || state === 'skipped';
}

/**
 * The side-effect ledger. The executor's protocol around each REST call:
 *   1. `get(key)`: settled -> nothing to do; planned/unknown -> check the portal first (by marker);
 *   2. `plan(...)` (committed before the call);
 *   3. the call; then `done(...)`, `failed(...)` (provably not run) or `unknown(...)`.
 * Each write is its own statement, committed at once: the record must survive the process.
 */
export class Ledger {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly planStmt: Database.Statement<
    [string, string, string, string, string, string, string, string, number]
  >;
  private readonly finishStmt: Database.Statement<
    [LedgerState, number, string | null, string | null, string]
  >;
  private readonly listStmt: Database.Statement<[], Row>;
  private readonly byStateStmt: Database.Statement<[string], Row>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT * FROM ledger WHERE key = ?');
    this.planStmt = db.prepare(
      `INSERT INTO ledger (key, rule, entity, occurrence, action, marker, run_id, job, planned_at, state, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 1)
       ON CONFLICT (key) DO UPDATE SET state = 'planned', attempts = ledger.attempts + 1,
         run_id = excluded.run_id, job = excluded.job, planned_at = excluded.planned_at,
         finished_at = NULL, error = NULL`,
    );
    this.finishStmt = db.prepare(
      'UPDATE ledger SET state = ?, finished_at = ?, result = ?, error = ? WHERE key = ?',
    );
    this.listStmt = db.prepare('SELECT * FROM ledger ORDER BY planned_at, rowid');
    this.byStateStmt = db.prepare('SELECT * FROM ledger WHERE state = ? ORDER BY planned_at, rowid');
  }

  get(key: string): LedgerEntry | undefined {
    const row = this.getStmt.get(key);
    return row ? fromRow(row) : undefined;
  }

  /** Records the intent before the REST call (counts attempts across runs). */
  plan(plan: LedgerPlan, run: { runId: string; job: string }, now: number): void {
    this.planStmt.run(
      plan.key,
      plan.rule,
      plan.entity,
      plan.occurrence,
      plan.action,
      plan.marker,
      run.runId,
      run.job,
      now,
    );
  }

  done(key: string, result: unknown, now: number): void {
    this.finishStmt.run('done', now, JSON.stringify(result ?? null), null, key);
  }

  unknown(key: string, error: string, now: number): void {
    this.finishStmt.run('unknown', now, null, error, key);
  }

  failed(key: string, error: string, now: number): void {
    this.finishStmt.run('failed', now, null, error, key);
  }

  /** Records a firing that has nothing to do (settled at once, without a REST call). */
  skipped(plan: LedgerPlan, run: { runId: string; job: string }, reason: string, now: number): void {
    this.plan(plan, run, now);
    this.finishStmt.run('skipped', now, null, reason, plan.key);
  }

  all(): LedgerEntry[] {
    return this.listStmt.all().map(fromRow);
  }

  inState(state: LedgerState): LedgerEntry[] {
    return this.byStateStmt.all(state).map(fromRow);
  }
}
