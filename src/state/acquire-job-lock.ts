import type { Clock } from '../clock.js';
import type { IsAlive, JobLocks, LockHolder, LockOwner } from './job-locks.js';

export interface AcquireOptions {
  clock: Clock;
  isAlive: IsAlive;
  /** How long to wait for a running job to finish; 0 = do not wait. */
  waitMs: number;
  /** How often to look again while waiting. */
  pollMs?: number;
  signal?: AbortSignal;
}

export type Acquired =
  | { acquired: true; release: () => void; tookOverFrom?: LockHolder; waitedMs: number }
  | { acquired: false; holder: LockHolder; waitedMs: number };

/**
 * Takes a job's lock, waiting up to `waitMs` for the current holder to finish. A run that cannot get
 * the lock in time does not fail: it reports who holds it, and the caller exits cleanly.
 */
export async function acquireJobLock(
  locks: JobLocks,
  job: string,
  owner: LockOwner,
  options: AcquireOptions,
): Promise<Acquired> {
  const started = options.clock.now();
  const poll = Math.max(10, options.pollMs ?? 500);
  for (;;) {
    const attempt = locks.tryAcquire(job, owner, options.isAlive, options.clock.now());
    const waitedMs = options.clock.now() - started;
    if (attempt.acquired) {
      return {
        acquired: true,
        release: () => locks.release(job, owner.runId),
        ...(attempt.tookOverFrom ? { tookOverFrom: attempt.tookOverFrom } : {}),
        waitedMs,
      };
    }
    const left = options.waitMs - waitedMs;
    if (left <= 0 || options.signal?.aborted) return { acquired: false, holder: attempt.holder, waitedMs };
    await options.clock.sleep(Math.min(poll, left), options.signal);
  }
}
