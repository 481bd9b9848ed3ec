/**
 * The REST download link (`/rest/download.json?token=...`): how a portal serves the files behind
 * `urlMachine` of a crm file field (files/how-to-download-files.md). The portal's own link carries
 * the caller's credentials (CRestUtil::getSpecialUrl: the webhook's endpoint
 * `/rest/1/SECRET/download/?token=...`, or `?auth=ACCESS_TOKEN&token=...` for an application); the
 * local portal prints the link without them, so only a client that applies its auth gets the file,
 * and checks them like any REST call: no auth -> 401 NO_AUTH_FOUND, a wrong one -> 401.
 *
 * Token, worked example: `crm|12|9f2c...` -> blob 12, whose secret must be `9f2c...`.
 */
import type { ServerResponse } from 'node:http';
import type { Portal } from '../portal.js';
import { RestError } from '../protocol/rest-error.js';

export const DOWNLOAD_METHOD = 'download';

interface BlobDoc {
  id: number;
  name: string;
  content: string;
  token: string;
}

/** The link a crm file value's `urlMachine` gives (no credentials: see the module comment). */
export function downloadLink(portal: Portal, scope: string, blobId: number, secret: string): string {
  return `${portal.baseUrl}/rest/download.json?token=${encodeURIComponent(`${scope}|${blobId}|${secret}`)}`;
}

/** Writes the file's bytes, or throws ERROR_NOT_FOUND for a token that names no file. */
export function serveDownload(portal: Portal, token: string, res: ServerResponse): void {
  const [, id, secret] = token.split('|');
  const blob = portal.store.get<BlobDoc>('disk_blob', Number(id));
  if (!blob || !secret || blob.token !== secret) {
    throw new RestError('ERROR_NOT_FOUND', 'File not found', 404);
  }
  const content = Buffer.from(String(blob.content), 'base64');
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': content.length,
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(String(blob.name))}`,
  });
  res.end(content);
}
