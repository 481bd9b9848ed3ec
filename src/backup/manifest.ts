/**
 * The snapshot format. A snapshot is a directory:
 *
 *   <root>/lab-example-ru-20261126T010000Z-full/
 *     manifest.json              what is inside, with a checksum per entity; written last
 *     deals.ndjson.gz            one JSON object per line, gzip
 *     deals.ids.ndjson.gz        incrementals only: every ID present at backup time (deletions)
 *     ...
 *
 * A manifest is only ever written into a temporary directory that is renamed when complete
 * (write-snapshot.ts), so a directory with a valid manifest is a complete snapshot; `verify` still
 * re-reads every file against the manifest.
 */
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const FORMAT = 'b24lab-backup';
export const FORMAT_VERSION = 1;

/**
 * What a backup over REST cannot hold (reference/bitrix24-automation-and-domain.md §3.2): the
 * manifest carries this list so nobody mistakes a REST snapshot for a disaster-recovery copy.
 */
export const CANNOT_HOLD: readonly string[] = [
  'robot and trigger settings of pipeline stages (not readable over REST)',
  'business-process templates used as robots, running business-process state, variables and logs',
  'system timeline entries (stage and field change history records); only timeline comments are kept',
  'CRM role permissions and access rights, file access rights',
  'portal and module settings, agents, smart scripts, the search index',
  'mail and chat history, the recycle bin',
  'original record IDs and system dates: a restore creates new records with new IDs, creation and modification dates',
];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const fileEntrySchema = z.object({
  file: z.string().min(1),
  count: z.number().int().nonnegative(),
  /** sha256 of the uncompressed NDJSON text, so a different gzip level does not change it. */
  sha256: hex64,
  /** Compressed size on disk. */
  bytes: z.number().int().nonnegative(),
});

export const entityEntrySchema = fileEntrySchema.extend({
  /** The row field that holds the record ID (null when rows have no numeric ID, e.g. links). */
  idField: z.string().nullable(),
  /** The highest record ID seen (0 when the entity is empty or has no numeric IDs). */
  lastId: z.number().int().nonnegative(),
  /** The latest modification time seen (the portal's own string), the next incremental's start. */
  checkpoint: z.string().nullable(),
  /** Incrementals: every ID present at backup time, so a restore knows what was deleted since. */
  ids: fileEntrySchema.optional(),
});

export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.literal(FORMAT_VERSION),
  /** The portal's address without secrets (host, or host + path). */
  portal: z.string().min(1),
  /** When the backup started, ISO 8601 UTC. */
  createdAt: z.string().datetime(),
  /** When it completed. */
  completedAt: z.string().datetime(),
  b24labVersion: z.string(),
  kind: z.enum(['full', 'incremental']),
  /** Incrementals: the snapshot this one builds on (its directory name and createdAt). */
  base: z.object({ name: z.string().min(1), createdAt: z.string().datetime() }).optional(),
  entities: z.record(z.string(), entityEntrySchema),
  cannotHold: z.array(z.string()),
  /** Entities this portal could not give (a box without the module, a method missing): entity -> why. */
  skipped: z.record(z.string(), z.string()).optional(),
  /** REST requests the backup took (a figure for the rate limit, not checked by verify). */
  requests: z.number().int().nonnegative().optional(),
});

export type FileEntry = z.infer<typeof fileEntrySchema>;
export type EntityEntry = z.infer<typeof entityEntrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

/** Parses manifest text; never throws (STYLE.md §10): a list of problems instead. */
export function parseManifest(text: string): { manifest: Manifest } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [`manifest.json is not JSON: ${(e as Error).message}`] };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (parsed.success) return { manifest: parsed.data };
  return {
    problems: parsed.error.issues.map(
      (issue) => `manifest.json ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    ),
  };
}

/** The file name of an entity's rows. */
export function entityFile(entity: string): string {
  return `${entity}.ndjson.gz`;
}

/** The file name of an incremental's ID list. */
export function idsFile(entity: string): string {
  return `${entity}.ids.ndjson.gz`;
}
