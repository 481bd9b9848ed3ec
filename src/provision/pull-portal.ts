/**
 * The core of `b24lab pull`: read the portal, write its structure as config files (pull-config.ts)
 * plus the JSON Schema they point at. Existing files that would change are only overwritten when asked.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText, SCHEMA_FILE } from '../config/config-json-schema.js';
import { UserError } from '../errors.js';
import type { B24Client } from '../rest/client.js';
import { configFromSnapshot, pulledFiles } from './pull-config.js';
import { readSnapshot } from './read-snapshot.js';
import { readLists } from './read-lists.js';
import type { SnapshotList } from './snapshot.js';
import { B24Error } from '../rest/errors.js';

export interface PullOptions {
  client: B24Client;
  out: string;
  overwrite: boolean;
}

export interface PullResult {
  dir: string;
  portal: string;
  /** Files written (unchanged ones are left alone). */
  written: string[];
  unchanged: string[];
  counts: {
    departments: number;
    pipelines: number;
    stages: number;
    dealFields: number;
    smartProcesses: number;
  };
}

export async function pullPortal(options: PullOptions): Promise<PullResult> {
  const snapshot = await readSnapshot(options.client);
  snapshot.lists = await readListsIfAllowed(options.client);
  const config = configFromSnapshot(snapshot);
  const files = [
    ...pulledFiles(config, options.client.portal),
    { name: SCHEMA_FILE, text: configJsonSchemaText() },
  ];
  const differs = (name: string, text: string): boolean => {
    const path = join(options.out, name);
    return existsSync(path) && readFileSync(path, 'utf8') !== text;
  };
  const clobbered = files.filter((f) => f.name !== SCHEMA_FILE && differs(f.name, f.text)).map((f) => f.name);
  if (clobbered.length > 0 && !options.overwrite)
    throw new UserError(
      `pull would overwrite ${clobbered.join(', ')} in ${options.out}.`,
      'Pass --overwrite to replace them, or --out <dir> to write somewhere else.',
    );
  mkdirSync(options.out, { recursive: true });
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const f of files) {
    // The schema keeps whatever formatting the directory has when its content is the same.
    if (f.name === SCHEMA_FILE && sameJson(join(options.out, f.name), f.text)) {
      unchanged.push(f.name);
      continue;
    }
    if (!differs(f.name, f.text) && existsSync(join(options.out, f.name))) {
      unchanged.push(f.name);
      continue;
    }
    writeFileSync(join(options.out, f.name), f.text);
    written.push(f.name);
  }
  return {
    dir: options.out,
    portal: options.client.portal,
    written,
    unchanged,
    counts: {
      departments: config.departments.length,
      pipelines: config.pipelines.length,
      stages: config.pipelines.reduce((n, p) => n + p.stages.length, 0),
      dealFields: config.dealFields.length,
      smartProcesses: config.smartProcesses.length,
    },
  };
}

/**
 * The universal lists, or none when the webhook has no `lists` scope (or the portal no lists module):
 * pull works with whatever the portal lets it read.
 */
async function readListsIfAllowed(client: B24Client): Promise<SnapshotList[]> {
  try {
    return await readLists(client);
  } catch (e) {
    const refused = ['insufficient_scope', 'error_method_not_found', 'method_not_found', 'access_denied'];
    if (e instanceof B24Error && refused.includes(e.codeLower)) return [];
    throw e;
  }
}

/** Whether a JSON file holds the same value as `text` (formatting aside); false when missing or broken. */
function sameJson(path: string, text: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))) === JSON.stringify(JSON.parse(text));
  } catch {
    return false;
  }
}
