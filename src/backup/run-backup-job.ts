/**
 * The nightly backup as one unit of work for a scheduler (issue 7 §4): create (incremental when a
 * base exists, else full), verify what was written, prune by the retention policy. A snapshot that
 * does not verify is reported as a failure and prune is skipped, so a bad night never rotates good
 * snapshots away.
 */
import type { BackupResult } from './create-backup.js';
import type { PruneResult } from './prune-snapshots.js';
import { pruneSnapshots } from './prune-snapshots.js';
import type { RetentionPolicy } from './plan-retention.js';
import type { RunBackupInput } from './run-backup.js';
import { runBackupCreate } from './run-backup.js';
import type { VerifyResult } from './verify-snapshot.js';
import { verifySnapshot } from './verify-snapshot.js';

export interface BackupJobResult {
  backup: BackupResult;
  verify: VerifyResult;
  /** Absent when the new snapshot did not verify. */
  prune?: PruneResult;
}

export async function runBackupJob(
  input: RunBackupInput & { retention: RetentionPolicy },
): Promise<BackupJobResult> {
  const backup = await runBackupCreate(input);
  const verify = await verifySnapshot(backup.path);
  if (!verify.ok) return { backup, verify };
  const prune = await pruneSnapshots(input.root, input.retention, input.clock.now());
  return { backup, verify, prune };
}
