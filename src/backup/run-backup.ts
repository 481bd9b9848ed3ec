/**
 * The IO edge of the backup commands: builds the REST client from the resolved connection, runs one
 * core function, closes the client. Commands call these and render the typed result.
 */
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import type { ClientOptions } from '../rest/client.js';
import { createClient } from '../rest/client.js';
import type { BackupProgress, BackupResult } from './create-backup.js';
import { createBackup } from './create-backup.js';
import type { RestoreResult } from './restore-snapshot.js';
import { restoreSnapshot } from './restore-snapshot.js';
import type { SnapshotKind } from './snapshot-name.js';
import { portalSlug } from './snapshot-name.js';
import type { VerifyResult } from './verify-snapshot.js';
import { verifySnapshot } from './verify-snapshot.js';

/** The client as the shared REST settings resolve it (src/rest/settings.ts clientOptionsFrom). */
export interface ClientSettings {
  client: ClientOptions;
}

export interface RunBackupInput extends ClientSettings {
  root: string;
  kind: SnapshotKind;
  version: string;
  clock: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
}

export async function runBackupCreate(input: RunBackupInput): Promise<BackupResult> {
  const client = createClient(input.client);
  try {
    return await createBackup({
      client,
      root: input.root,
      portal: client.portal,
      kind: input.kind,
      version: input.version,
      clock: input.clock,
      download: async (url) =>
        (await client.download(url, input.signal ? { signal: input.signal } : {})).content,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
  } finally {
    client.close();
  }
}

/** A snapshot argument: a path, or a name under the backup root. */
export async function resolveSnapshot(snapshot: string, root: string): Promise<string> {
  for (const candidate of [snapshot, join(root, snapshot)]) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new UserError(
    `No snapshot at ${snapshot}.`,
    `Run \`b24lab backup list --dir ${root}\` to see the snapshots.`,
  );
}

export async function runBackupVerify(snapshot: string, root: string): Promise<VerifyResult> {
  return verifySnapshot(await resolveSnapshot(snapshot, root));
}

export interface RunRestoreInput extends ClientSettings {
  snapshot: string;
  root: string;
  mappingFile?: string;
  dryRun: boolean;
  merge: boolean;
  clock: Clock;
  onProgress?: (p: { entity: string; rows: number }) => void;
}

/** Restores a snapshot into the portal of `connection`; the mapping file defaults to the backup root. */
export async function runRestore(input: RunRestoreInput): Promise<RestoreResult> {
  const snapshotDir = await resolveSnapshot(input.snapshot, input.root);
  const client = createClient(input.client);
  try {
    const mappingFile =
      input.mappingFile ??
      join(input.root, `restore-${basename(snapshotDir)}-to-${portalSlug(client.portal)}.json`);
    return await restoreSnapshot({
      client,
      snapshotDir,
      mappingFile,
      dryRun: input.dryRun,
      merge: input.merge,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
  } finally {
    client.close();
  }
}
