/**
 * Validates the flags of `b24lab export` into an ExportRequest; every problem is a UserError that
 * names the flag.
 *   --select ID,TITLE,STAGE_ID           fields to ask for (server-side select)
 *   --filter '{"STAGE_ID":"NEW"}'        server-side filter as JSON, or PHP-style pairs, repeatable:
 *   --filter 'STAGE_ID=NEW' --filter '>=OPPORTUNITY=1000' --filter '@ASSIGNED_BY_ID[]=3'
 */
import { UserError } from '../errors.js';
import { parseCallParams } from '../rest/call-params.js';
import type { ExportRequest } from './run-export.js';
import { pickFormat } from './row-format.js';

export interface ExportFlags {
  type?: string;
  format?: string;
  out?: string;
  select?: string;
  filter?: string[];
  limit?: string;
}

function positive(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError(`${flag} must be a whole number from 1, got "${raw}".`);
  return n;
}

export function parseExportFlags(entity: string, flags: ExportFlags): ExportRequest {
  const filter: Record<string, unknown> = {};
  for (const expr of flags.filter ?? []) {
    // A pair whose key starts with an operator (>=OPPORTUNITY=1000) is still key=value.
    Object.assign(filter, parseCallParams([expr]));
  }
  const select = flags.select
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    entity,
    format: pickFormat(flags.format, flags.out),
    ...(flags.type !== undefined ? { type: positive(flags.type, '--type') } : {}),
    ...(select && select.length > 0 ? { select } : {}),
    ...(Object.keys(filter).length > 0 ? { filter } : {}),
    ...(flags.limit !== undefined ? { limit: positive(flags.limit, '--limit') } : {}),
    ...(flags.out ? { out: flags.out } : {}),
  };
}
