import type { IncomingMessage } from 'node:http';
import type { Params } from '../protocol/php-params.js';
import { parsePhpQuery } from '../protocol/php-params.js';

const MAX_BODY = 128 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new BodyTooLargeError('Request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Merges the query string and the body the way the box server does (`CRestUtil::getRequestData`,
 * reference/bitrix24-rest.md §1.2): query and form fields merge; a JSON body replaces same-named keys
 * and broken JSON counts as no parameters; multipart files become `[name, base64]` pairs, the form a
 * Bitrix24 client sends files in.
 */
export async function readParams(req: IncomingMessage, query: string): Promise<Params> {
  const fromQuery = parsePhpQuery(query);
  if (req.method === 'GET' || req.method === 'HEAD') return fromQuery;
  const body = await readBody(req);
  if (body.length === 0) return fromQuery;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    try {
      const json: unknown = JSON.parse(body.toString('utf8'));
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) return { ...fromQuery, ...json };
      if (Array.isArray(json))
        return { ...fromQuery, ...Object.fromEntries(json.map((v, i) => [String(i), v])) };
      return fromQuery;
    } catch {
      return fromQuery;
    }
  }
  if (type === 'multipart/form-data') {
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']) },
      body,
    }).formData();
    const pairs: string[] = [];
    const files: [string, [string, string]][] = [];
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
      else files.push([key, [value.name, Buffer.from(await value.arrayBuffer()).toString('base64')]]);
    }
    const params = { ...fromQuery, ...parsePhpQuery(pairs.join('&')) };
    for (const [key, file] of files) {
      // A file field keeps its PHP path: `fileContent` or `fields[UF_CRM_FILE]`.
      const path = key.replace(/\]/g, '').split('[');
      let bag: Record<string, unknown> = params;
      for (const part of path.slice(0, -1)) {
        const next = bag[part];
        bag = (next !== null && typeof next === 'object' ? next : (bag[part] = {})) as Record<
          string,
          unknown
        >;
      }
      bag[path.at(-1) ?? key] = file;
    }
    return params;
  }
  return { ...fromQuery, ...parsePhpQuery(body.toString('utf8')) };
}
