import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../ui/logger.js';
import type { Auth, Portal } from '../portal.js';
import { runBatch } from '../protocol/batch.js';
import { RestError, errors } from '../protocol/rest-error.js';
import type { Params } from '../protocol/php-params.js';
import { parsePhpQuery } from '../protocol/php-params.js';
import { BodyTooLargeError, readParams } from './read-params.js';
import { DOWNLOAD_METHOD, serveDownload } from './serve-download.js';

export interface HandlerOptions {
  portal: Portal;
  logger: Logger;
  /** Added before every answer (`--latency`). */
  latencyMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** A path as a request names it: `/rest/1/SECRET/crm.deal.list.json/` -> its parts. */
export interface RestRoute {
  kind: 'webhook' | 'oauth' | 'v3';
  user?: string;
  token?: string;
  method: string;
}

/**
 * Worked examples:
 *   '/rest/1/abc/crm.deal.list'        -> webhook, user 1, token abc, method crm.deal.list
 *   '//rest/1/abc//profile.json/'      -> webhook, method profile (double slashes, suffix, trailing slash)
 *   '/rest/crm.deal.get'               -> oauth, method crm.deal.get
 *   '/rest/api/1/abc/tasks.task.list'  -> v3 (not served)
 */
export function parseRestPath(pathname: string): RestRoute | undefined {
  const clean = pathname.replace(/\/{2,}/g, '/');
  if (!clean.startsWith('/rest/')) return undefined;
  const parts = clean.slice('/rest/'.length).split('/').filter(Boolean);
  const strip = (m: string): string => m.replace(/\.(json|xml)$/i, '');
  if (parts[0] === 'api') return { kind: 'v3', method: strip(parts.at(-1) ?? '') };
  if (parts.length >= 3 && /^\d+$/.test(parts[0] ?? '')) {
    return { kind: 'webhook', user: parts[0] ?? '', token: parts[1] ?? '', method: strip(parts[2] ?? '') };
  }
  if (parts.length === 1) return { kind: 'oauth', method: strip(parts[0] ?? '') };
  return undefined;
}

/** The webhook secret never reaches a log line. */
export function maskPath(pathname: string): string {
  return pathname.replace(/(\/rest\/\d+\/)([^/]+)/, (_m, head: string) => `${head}***`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: RestError): void {
  send(res, error.status, error.toJSON());
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)/i.exec(header) : null;
  return m?.[1];
}

function paramToken(params: Params): string | undefined {
  for (const key of ['auth', 'access_token']) {
    const value = params[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

export function createRequestHandler(options: HandlerOptions) {
  const { portal, logger } = options;

  const oauthToken = (params: Params, res: ServerResponse): void => {
    const { settings } = portal;
    if (params.client_id !== settings.oauthClientId || params.client_secret !== settings.oauthClientSecret) {
      send(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      return;
    }
    if (params.grant_type !== 'refresh_token') {
      send(res, 400, { error: 'invalid_request', error_description: 'Unsupported grant_type' });
      return;
    }
    const old = portal.findRefreshToken(String(params.refresh_token ?? ''));
    if (!old) {
      send(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      return;
    }
    const token = portal.store.transaction(() => portal.issueToken(old.userId, old));
    send(res, 200, tokenAnswer(portal, token.accessToken, token.refreshToken, token.userId, token.expiresAt));
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://local');
    let method = '';
    let status = 200;
    try {
      if (url.pathname.replace(/\/{2,}/g, '/').startsWith('/oauth/token')) {
        const params = { ...parsePhpQuery(url.search.slice(1)), ...(await readParams(req, '')) };
        oauthToken(params, res);
        return;
      }
      const download = /^\/b24lab\/files\/(\d+)$/.exec(url.pathname);
      if (download) {
        const file = portal.store.get('disk_blob', Number(download[1]));
        const token = url.searchParams.get('token');
        if (!file || token !== file.token) {
          send(res, (status = 404), { error: 'ERROR_NOT_FOUND', error_description: 'File not found' });
          return;
        }
        const content = Buffer.from(String(file.content), 'base64');
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': content.length,
          'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(String(file.name))}`,
        });
        res.end(content);
        return;
      }
      const route = parseRestPath(url.pathname);
      if (!route) {
        send(res, (status = 404), { error: 'NOT_FOUND', error_description: 'Not found' });
        return;
      }
      method = route.method;
      const control = method.toLowerCase().startsWith('b24lab.');
      if (!control && !portal.requests.admit()) {
        status = 503;
        sendError(res, errors.queryLimit());
        return;
      }
      const fault = control ? undefined : portal.faults.next();
      if (fault === 'refuse') {
        status = 0;
        req.socket.destroy();
        return;
      }
      if (fault === '503' || fault === '500') {
        const error = fault === '503' ? errors.queryLimit() : errors.internal();
        status = error.status;
        sendError(res, error);
        return;
      }
      const params = await readParams(req, url.search.slice(1));
      const isDownload = route.kind !== 'v3' && method.toLowerCase() === DOWNLOAD_METHOD;
      if (route.kind === 'v3' || (!isDownload && !portal.lookup(method))) throw errors.methodNotFound();
      let auth: Auth;
      if (route.kind === 'webhook') auth = portal.authWebhook(route.user ?? '', route.token ?? '');
      else auth = portal.authToken(bearer(req) ?? paramToken(params));
      if (isDownload) {
        serveDownload(portal, String(params.token ?? ''), res);
        return;
      }
      const t0 = performance.now();
      const body: Record<string, unknown> =
        method.toLowerCase() === 'batch'
          ? (() => {
              const startMs = portal.now();
              const out = runBatch(portal, params, auth);
              const secs = (performance.now() - t0) / 1000;
              return {
                ...out,
                time: {
                  start: startMs / 1000,
                  finish: startMs / 1000 + secs,
                  duration: secs,
                  processing: secs,
                  date_start: portal.iso(startMs),
                  date_finish: portal.iso(startMs + secs * 1000),
                },
              };
            })()
          : (() => {
              const answer = portal.call(method, params, auth);
              const envelope: Record<string, unknown> = { result: answer.output.result };
              if (answer.output.next !== undefined) envelope.next = answer.output.next;
              if (answer.output.total !== undefined) envelope.total = answer.output.total;
              envelope.time = answer.time;
              return envelope;
            })();
      if (options.latencyMs > 0) await options.sleep(options.latencyMs);
      if (fault === 'drop') {
        status = 0;
        req.socket.destroy();
        return;
      }
      send(res, 200, body);
    } catch (e) {
      if (e instanceof RestError) {
        status = e.status;
        sendError(res, e);
      } else if (e instanceof BodyTooLargeError) {
        status = 413;
        send(res, 413, { error: 'INVALID_REQUEST', error_description: e.message });
      } else {
        status = 500;
        logger.error('local portal: unexpected failure', {
          method,
          error: e instanceof Error ? e.stack : String(e),
        });
        sendError(res, errors.internal());
      }
    } finally {
      logger.debug('request', {
        http: req.method,
        path: maskPath(url.pathname),
        method,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  };
}

export function tokenAnswer(
  portal: Portal,
  accessToken: string,
  refreshToken: string,
  userId: number,
  expiresAt: number,
): Record<string, unknown> {
  const host = new URL(portal.baseUrl).host;
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    expires: Math.floor(expiresAt / 1000),
    expires_in: portal.settings.accessTokenTtl,
    client_endpoint: `${portal.baseUrl}/rest/`,
    server_endpoint: `${portal.baseUrl}/oauth/`,
    domain: host,
    member_id: 'b24lab-local-portal',
    scope: portal.scopes().join(','),
    status: 'L',
    user_id: userId,
  };
}
