/**
 * The maintenance jobs' bodies, run by runJob under the same lock as the rule jobs:
 *   backup   create (full or incremental) -> verify -> prune by the retention policy; a snapshot that
 *            does not verify stops the run before prune, so a bad night never costs a good snapshot
 *   reports  the chosen reports of the current month, written to a folder in the chosen formats
 */
import { createBackup } from '../backup/create-backup.js';
import { DEFAULT_RETENTION, pruneSnapshots } from '../backup/prune-snapshots.js';
import { verifySnapshot } from '../backup/verify-snapshot.js';
import { InternalError } from '../errors.js';
import type { MaintenanceJobName } from '../automation/job-names.js';
import type { JobSettings } from '../automation/rule-schema.js';
import { escalationRulesOf } from '../reports/read-ledger.js';
import { escalationsFromLedger } from '../reports/read-portal.js';
import { writeReports } from '../reports/write-reports.js';
import type { JobEnvironment } from './job-context.js';

export interface MaintenanceOptions {
  dryRun: boolean;
  /** Written into a backup's manifest. */
  version: string;
}

export async function runMaintenanceJob(
  name: MaintenanceJobName,
  env: JobEnvironment,
  settings: JobSettings | undefined,
  options: MaintenanceOptions,
): Promise<Record<string, unknown>> {
  if (name === 'backup') {
    const root = settings?.dir ?? 'backups';
    const kind = settings?.kind ?? 'incremental';
    if (options.dryRun) return { wouldBackup: kind, root };
    const backup = await createBackup({
      client: env.client,
      root,
      portal: env.client.portal,
      kind,
      version: options.version,
      clock: env.clock,
      download: async (url) => (await env.client.download(url)).content,
    });
    const verify = await verifySnapshot(backup.path);
    if (!verify.ok) {
      throw new InternalError(
        `The new snapshot ${backup.name} does not verify: ${verify.problems.join('; ')}`,
      );
    }
    const prune = await pruneSnapshots(root, settings?.retention ?? DEFAULT_RETENTION, env.clock.now());
    return {
      snapshot: backup.path,
      kind: backup.kind,
      rows: backup.rows,
      bytes: backup.bytes,
      verified: true,
      pruned: prune.deleted.length,
      kept: prune.keep.length,
    };
  }
  const reports = settings?.reports ?? ['managers', 'receivables'];
  const formats = settings?.formats ?? ['csv', 'html'];
  const dir = settings?.dir ?? 'reports';
  if (options.dryRun) return { wouldWrite: reports, formats, dir };
  // The managers report counts escalations from this state directory's ledger (the control job's).
  const escalating = new Set(escalationRulesOf(env.config) ?? []);
  const entries = env.state.ledger.all().filter((e) => e.action === 'notify' || e.action === 'escalate');
  const escalations = [...escalationsFromLedger(entries, (rule) => escalating.has(rule))];
  const written = await writeReports(env.client, {
    reports,
    formats,
    dir,
    ...(settings?.excel !== undefined ? { excel: settings.excel } : {}),
    escalations,
  });
  return { files: written.map((w) => w.file) };
}
