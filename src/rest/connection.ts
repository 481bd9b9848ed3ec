/**
 * How b24lab reaches a portal: an incoming webhook or an OAuth application.
 *
 * Settings (STYLE.md §11: every option has an environment variable; secrets only from the environment):
 *   --portal <url> / B24LAB_PORTAL     webhook URL https://PORTAL/rest/USER_ID/SECRET/ (http is allowed:
 *                                      the local portal, box portals in a LAN)
 *   B24LAB_OAUTH_ENDPOINT              OAuth: the portal's REST endpoint (client_endpoint), https://PORTAL/rest/
 *   B24LAB_OAUTH_CLIENT_ID             OAuth: the application's client id
 *   B24LAB_OAUTH_CLIENT_SECRET         OAuth: its client secret
 *   B24LAB_OAUTH_REFRESH_TOKEN         OAuth: a refresh token (they live 180 days)
 *   B24LAB_OAUTH_ACCESS_TOKEN          OAuth, optional: a current access token (saves the first refresh)
 *   B24LAB_OAUTH_SERVER                OAuth, optional: the token server (server_endpoint), by default
 *                                      https://oauth.bitrix.info/oauth/; the local portal serves its own at
 *                                      http://HOST:PORT/oauth/
 * A webhook wins when both are given.
 *
 * OAuth tokens (settings/oauth/index.md): access tokens live an hour and a call with an old one answers
 * 401 expired_token; the refresh token is single-use and each refresh returns a new pair. So the new pair
 * is written at once to `<state dir>/oauth-token.json` (mode 0600), and a refresh is shared: concurrent
 * callers in a process wait on one refresh, and a process first re-reads the file in case another
 * process refreshed already (then it adopts that pair instead of spending its own, now dead, token).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Redactor } from './errors.js';
import { B24Error, makeRedactor } from './errors.js';

export const OAUTH_TOKEN_FILE = 'oauth-token.json';
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info/oauth/';

export type ConnectionConfig =
  | { kind: 'webhook'; url: string }
  | {
      kind: 'oauth';
      /** `https://PORTAL/rest/` */
      endpoint: string;
      /** `https://oauth.bitrix.info/oauth/` */
      server: string;
      clientId: string;
      clientSecret: string;
      refreshToken: string;
      accessToken?: string;
    };

/**
 * Reads the connection from flags and environment; a UserError names what is missing or malformed.
 * Worked example: portal 'http://127.0.0.1:3789/rest/1/secret' -> webhook 'http://127.0.0.1:3789/rest/1/secret/'.
 */
export function resolveConnection(
  portal: string | undefined,
  env: Record<string, string | undefined>,
): ConnectionConfig {
  const hook = portal?.trim() || env.B24LAB_PORTAL?.trim();
  if (hook) return { kind: 'webhook', url: normalizeWebhook(hook) };
  const endpoint = env.B24LAB_OAUTH_ENDPOINT?.trim();
  if (endpoint) {
    const missing = [
      'B24LAB_OAUTH_CLIENT_ID',
      'B24LAB_OAUTH_CLIENT_SECRET',
      'B24LAB_OAUTH_REFRESH_TOKEN',
    ].filter((k) => !env[k]?.trim());
    if (missing.length > 0) {
      throw new UserError(
        `OAuth needs ${missing.join(', ')} in the environment.`,
        'Or use a webhook: --portal https://PORTAL/rest/USER_ID/SECRET/',
      );
    }
    const access = env.B24LAB_OAUTH_ACCESS_TOKEN?.trim();
    return {
      kind: 'oauth',
      endpoint: normalizeEndpoint(endpoint, 'B24LAB_OAUTH_ENDPOINT'),
      server: normalizeEndpoint(
        env.B24LAB_OAUTH_SERVER?.trim() || DEFAULT_OAUTH_SERVER,
        'B24LAB_OAUTH_SERVER',
      ),
      clientId: env.B24LAB_OAUTH_CLIENT_ID?.trim() ?? '',
      clientSecret: env.B24LAB_OAUTH_CLIENT_SECRET?.trim() ?? '',
      refreshToken: env.B24LAB_OAUTH_REFRESH_TOKEN?.trim() ?? '',
      ...(access ? { accessToken: access } : {}),
    };
  }
  throw new UserError(
    'No portal to talk to.',
    'Pass --portal https://PORTAL/rest/USER_ID/SECRET/ (or set B24LAB_PORTAL), or set B24LAB_OAUTH_ENDPOINT with the B24LAB_OAUTH_* settings. For the local portal: b24lab portal serve prints its URL.',
  );
}

function parseUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${what} is not a URL.`, 'Expected https://PORTAL/rest/USER_ID/SECRET/');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`${what} must be an http(s) URL.`);
  }
  return url;
}

export function normalizeWebhook(text: string): string {
  const url = parseUrl(text, 'The portal address');
  const m = /^\/+rest\/+(\d+)\/+([^/]+)\/*$/.exec(url.pathname);
  if (!m) {
    throw new UserError(
      'The portal address is not a webhook URL.',
      'Expected https://PORTAL/rest/USER_ID/SECRET/ (Bitrix24: Developer resources -> Other -> Inbound webhook).',
    );
  }
  return `${url.protocol}//${url.host}/rest/${m[1]}/${m[2]}/`;
}

function normalizeEndpoint(text: string, what: string): string {
  const url = parseUrl(text, what);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/*$/, '/')}`;
}

/** What a token server answers (settings/oauth/index.md). */
export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires?: number;
  expires_in?: number;
  client_endpoint?: string;
  server_endpoint?: string;
}

/** Asks the token server for a new pair; throws B24Error (invalid_grant...). Provided by the client. */
export type TokenRequester = (
  server: string,
  query: Record<string, string>,
  redact: Redactor,
) => Promise<TokenAnswer>;

interface SavedToken {
  clientId: string;
  endpoint: string;
  server: string;
  accessToken: string;
  refreshToken: string;
  /** The refresh token from the environment this pair descends from (a new one there wins). */
  seed: string;
  /** Unix ms, when known. */
  expiresAt?: number;
}

export interface Connection {
  kind: 'webhook' | 'oauth';
  /** The portal's origin: what its request bucket is keyed by. */
  origin: string;
  /** Who the operating budget is counted for: the webhook or the application, on this portal. */
  callerKey: string;
  /** The URL of a method. */
  url(method: string): string;
  /** The current access token (OAuth), to send as `auth`; undefined for webhooks. */
  accessToken(): Promise<string | undefined>;
  /**
   * After an expired_token answer for `used`: gets a fresh token unless someone already did.
   * Concurrent callers share one refresh.
   */
  refresh(used: string | undefined): Promise<void>;
  redact: Redactor;
}

export interface ConnectionDeps {
  stateDir?: string;
  requestToken: TokenRequester;
  now: () => number;
}

export function openConnection(config: ConnectionConfig, deps: ConnectionDeps): Connection {
  if (config.kind === 'webhook') {
    const url = new URL(config.url);
    const [, , user, secret] = url.pathname.split('/');
    const redact = makeRedactor(() => [secret]);
    return {
      kind: 'webhook',
      origin: url.origin,
      callerKey: `${url.origin} webhook:${user ?? ''}`,
      url: (method) => `${config.url}${encodeURIComponent(method)}`,
      accessToken: () => Promise.resolve(undefined),
      refresh: () => Promise.resolve(),
      redact,
    };
  }
  return new OAuthConnection(config, deps);
}

class OAuthConnection implements Connection {
  readonly kind = 'oauth';
  readonly origin: string;
  readonly callerKey: string;
  readonly redact: Redactor;
  private access: string | undefined;
  private refreshTok: string;
  private server: string;
  private endpoint: string;
  private pending: Promise<void> | undefined;
  private readonly file: string | undefined;

  constructor(
    private readonly config: Extract<ConnectionConfig, { kind: 'oauth' }>,
    private readonly deps: ConnectionDeps,
  ) {
    this.endpoint = config.endpoint;
    this.server = config.server;
    this.access = config.accessToken;
    this.refreshTok = config.refreshToken;
    this.origin = new URL(config.endpoint).origin;
    this.callerKey = `${this.origin} app:${config.clientId}`;
    this.file = deps.stateDir ? join(deps.stateDir, OAUTH_TOKEN_FILE) : undefined;
    this.redact = makeRedactor(() => [
      this.access,
      this.refreshTok,
      config.clientSecret,
      config.refreshToken,
      config.accessToken,
    ]);
    const saved = this.readSaved();
    if (saved && saved.seed === config.refreshToken) this.adopt(saved);
  }

  url(method: string): string {
    return `${this.endpoint}${encodeURIComponent(method)}`;
  }

  async accessToken(): Promise<string | undefined> {
    if (this.pending) await this.pending;
    if (!this.access) await this.refresh(undefined);
    return this.access;
  }

  refresh(used: string | undefined): Promise<void> {
    // Someone already replaced the token this caller used: nothing to do.
    if (used !== undefined && this.access !== undefined && used !== this.access && !this.pending)
      return Promise.resolve();
    this.pending ??= this.doRefresh(used).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async doRefresh(used: string | undefined): Promise<void> {
    // Another process may have refreshed: its pair is in the file.
    const saved = this.readSaved();
    if (
      saved &&
      saved.seed === this.config.refreshToken &&
      saved.accessToken !== (used ?? this.access) &&
      saved.accessToken
    ) {
      this.adopt(saved);
      return;
    }
    const spent = this.refreshTok;
    let answer: TokenAnswer;
    try {
      answer = await this.deps.requestToken(
        `${this.server}token/`,
        {
          grant_type: 'refresh_token',
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          refresh_token: spent,
        },
        this.redact,
      );
    } catch (e) {
      // Lost a race with another process that spent the same refresh token: take its pair.
      const again = this.readSaved();
      if (
        e instanceof B24Error &&
        e.codeLower === 'invalid_grant' &&
        again &&
        again.refreshToken !== spent &&
        again.seed === this.config.refreshToken
      ) {
        this.adopt(again);
        return;
      }
      throw e;
    }
    this.access = answer.access_token;
    this.refreshTok = answer.refresh_token;
    if (answer.client_endpoint) this.endpoint = normalizeEndpoint(answer.client_endpoint, 'client_endpoint');
    if (answer.server_endpoint) this.server = normalizeEndpoint(answer.server_endpoint, 'server_endpoint');
    const expiresAt =
      typeof answer.expires === 'number'
        ? answer.expires * 1000
        : typeof answer.expires_in === 'number'
          ? this.deps.now() + answer.expires_in * 1000
          : undefined;
    this.save({
      clientId: this.config.clientId,
      endpoint: this.endpoint,
      server: this.server,
      accessToken: this.access,
      refreshToken: this.refreshTok,
      seed: this.config.refreshToken,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    });
  }

  private adopt(saved: SavedToken): void {
    this.access = saved.accessToken;
    this.refreshTok = saved.refreshToken;
    this.endpoint = saved.endpoint;
    this.server = saved.server;
  }

  private readSaved(): SavedToken | undefined {
    if (!this.file || !existsSync(this.file)) return undefined;
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as SavedToken;
      if (saved.clientId !== this.config.clientId || new URL(saved.endpoint).origin !== this.origin)
        return undefined;
      return saved;
    } catch {
      return undefined;
    }
  }

  private save(saved: SavedToken): void {
    if (!this.file || !this.deps.stateDir) return;
    mkdirSync(this.deps.stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
