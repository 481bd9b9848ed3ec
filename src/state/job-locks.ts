import type Database from 'better-sqlite3';

/** Who holds (or asks for) a job's lock. */
export interface LockOwner {
  runId: string;
  pid: number;
  host: string;
}

export interface LockHolder extends LockOwner {
  job: string;
  acquiredAt: number;
}

export type LockAttempt =
  { acquired: true; tookOverFrom?: LockHolder } | { acquired: false; holder: LockHolder };

/** Whether a process of this host is alive; injected so tests decide. */
export type IsAlive = (pid: number) => boolean;

interface Row {
  job: string;
  run_id: string;
  pid: number;
  host: string;
  acquired_at: number;
}

const toHolder = (r: Row): LockHolder => ({
  job: r.job,
  runId: r.run_id,
  pid: r.pid,
  host: r.host,
  acquiredAt: r.acquired_at,
});

/**
 * One row per running job. Taking a lock reads and writes in one IMMEDIATE transaction, so two
 * processes can never both see the lock free. A lock whose process died (same host, pid gone) is
 * taken over: a killed run must not block the job forever. A lock held on another host is
 * respected; a state directory is meant for one machine.
 */
export class JobLocks {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly putStmt: Database.Statement<[string, string, number, string, number]>;
  private readonly deleteStmt: Database.Statement<[string, string]>;
  private readonly listStmt: Database.Statement<[], Row>;

  constructor(private readonly db: Database.Database) {
    this.getStmt = db.prepare('SELECT * FROM job_lock WHERE job = ?');
    this.putStmt = db.prepare(
      `INSERT INTO job_lock (job, run_id, pid, host, acquired_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid,
         host = excluded.host, acquired_at = excluded.acquired_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM job_lock WHERE job = ? AND run_id = ?');
    this.listStmt = db.prepare('SELECT * FROM job_lock ORDER BY job');
  }

  tryAcquire(job: string, owner: LockOwner, isAlive: IsAlive, now: number): LockAttempt {
    return this.db
      .transaction((): LockAttempt => {
        const row = this.getStmt.get(job);
        if (row) {
          const holder = toHolder(row);
          const dead = holder.host === owner.host && !isAlive(holder.pid);
          if (!dead) return { acquired: false, holder };
          this.putStmt.run(job, owner.runId, owner.pid, owner.host, now);
          return { acquired: true, tookOverFrom: holder };
        }
        this.putStmt.run(job, owner.runId, owner.pid, owner.host, now);
        return { acquired: true };
      })
      .immediate();
  }

  /** Releases the lock if this run still holds it (a run never removes a lock it lost). */
  release(job: string, runId: string): void {
    this.deleteStmt.run(job, runId);
  }

  holder(job: string): LockHolder | undefined {
    const row = this.getStmt.get(job);
    return row ? toHolder(row) : undefined;
  }

  all(): LockHolder[] {
    return this.listStmt.all().map(toHolder);
  }
}

/** The real liveness check: signal 0 tests for the process without touching it. */
export const processIsAlive: IsAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};
