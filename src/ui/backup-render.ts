/** Renderers of the backup and restore commands: the human view, or the same typed result as JSON. */
import chalk, { Chalk } from 'chalk';
import ora from 'ora';
import type { BackupProgress, BackupResult } from '../backup/create-backup.js';
import type { SnapshotSummary } from '../backup/list-snapshots.js';
import type { PruneResult } from '../backup/prune-snapshots.js';
import type { RestoreResult } from '../backup/restore-snapshot.js';
import type { VerifyResult } from '../backup/verify-snapshot.js';
import type { Output } from './output.js';

function paint(output: Output): typeof chalk {
  return output.interactive ? chalk : new Chalk({ level: 0 });
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A spinner with the entity and row count on a terminal; nothing otherwise (cron logs stay clean). */
export function backupProgress(
  output: Output,
  json: boolean,
): { update(p: BackupProgress): void; stop(): void } {
  if (!output.interactive || json) return { update: () => {}, stop: () => {} };
  const spinner = ora({ text: 'Starting', stream: process.stderr }).start();
  return {
    update: (p) => {
      spinner.text = `${p.entity}: ${p.rows.toLocaleString('en-US')} rows`;
    },
    stop: () => spinner.stop(),
  };
}

export function renderBackupCreated(output: Output, result: BackupResult, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(result, null, 2));
    return;
  }
  const p = paint(output);
  output.out(result.path);
  output.err(
    `${p.green('backup')} ${result.kind}${result.base ? ` on ${result.base}` : ''}: ${result.rows.toLocaleString('en-US')} rows, ` +
      `${size(result.bytes)}, ${result.requests} requests, ${result.seconds.toFixed(1)} s`,
  );
  if (result.note) output.err(`${p.yellow('note')} ${result.note}`);
  for (const [entity, why] of Object.entries(result.skipped))
    output.err(`${p.yellow('skipped')} ${entity}: ${why}`);
  output.err(
    `${p.gray('hint')}  a REST backup cannot hold robots, business-process state or permissions: see manifest.json "cannotHold"`,
  );
}

export function renderSnapshotList(output: Output, list: SnapshotSummary[], json: boolean): void {
  if (json) {
    output.out(JSON.stringify(list, null, 2));
    return;
  }
  if (list.length === 0) {
    output.err('No snapshots.');
    return;
  }
  const p = paint(output);
  for (const s of list) {
    const status = s.status === 'complete' ? p.green(s.kind ?? '') : p.yellow(s.status);
    const detail =
      s.status === 'complete'
        ? `${s.createdAt ?? ''}  ${(s.rows ?? 0).toLocaleString('en-US')} rows  ${size(s.bytes ?? 0)}${s.base ? `  on ${s.base}` : ''}`
        : (s.problem ?? 'interrupted or still running');
    output.out(`${s.name}  ${status}  ${detail}`);
  }
}

export function renderVerify(output: Output, result: VerifyResult, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(result, null, 2));
    return;
  }
  const p = paint(output);
  if (result.ok) {
    output.out(
      `${p.green('ok')} ${result.snapshot}: ${result.rows.toLocaleString('en-US')} rows, chain ${result.chain.join(' <- ')}`,
    );
    return;
  }
  output.out(`${p.red('failed')} ${result.snapshot}`);
  for (const problem of result.problems) output.out(`  ${problem}`);
}

export function renderPrune(output: Output, result: PruneResult, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(result, null, 2));
    return;
  }
  const p = paint(output);
  const verb = result.dryRun ? 'would delete' : 'deleted';
  for (const k of result.keep) output.out(`${p.green('keep')}   ${k.name}  (${k.reasons.join(', ')})`);
  for (const name of result.deleted) output.out(`${p.red(verb)} ${name}`);
  for (const name of result.stalePartials) output.out(`${p.red(verb)} ${name} (interrupted backup)`);
  for (const name of result.invalid) output.out(`${p.yellow('left')}   ${name} (not a readable snapshot)`);
}

export function renderRestore(output: Output, result: RestoreResult, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(result, null, 2));
    return;
  }
  const p = paint(output);
  const verb = result.dryRun ? 'would create' : 'created';
  output.out(
    `${p.green(result.dryRun ? 'dry run' : 'restored')} ${result.snapshot} -> ${result.target}${result.resumed ? ' (resumed)' : ''}`,
  );
  for (const [entity, n] of Object.entries(result.created))
    output.out(`  ${verb} ${n.toLocaleString('en-US')} ${entity}`);
  for (const [entity, n] of Object.entries(result.reused))
    output.out(`  matched ${n.toLocaleString('en-US')} ${entity}`);
  for (const u of result.unmatchedUsers)
    output.err(`${p.yellow('user')} ${u.id} <${u.email}>: ${u.reason}; records given to the restoring user`);
  for (const w of result.warnings) output.err(`${p.yellow('warning')} ${w}`);
  output.err(`${p.gray('mapping')} ${result.mappingFile}`);
}
