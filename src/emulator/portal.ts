import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Params } from './protocol/php-params.js';
import { RestError, errors } from './protocol/rest-error.js';
import type { CallContext, MethodDef, MethodOutput, MethodTable } from './methods/registry.js';
import { PortalClock, isoWithOffset } from './portal-clock.js';
import { Store } from './store/store.js';
import { OperatingLimiter } from './operating-limit.js';
import { FaultInjector, seededRandom } from './faults.js';
import type { BucketSpec } from './request-limit.js';
import { RequestLimiter } from './request-limit.js';

/** A family of methods plus what it must put into a fresh portal (default stages, the admin user...). */
export interface MethodModule {
  methods: MethodTable;
  seed?: (portal: Portal) => void;
}

export interface PortalSettings {
  /** The webhook's user id and secret. */
  user: number;
  token: string;
  /** The portal's timezone offset from UTC, in minutes (Moscow: 180). */
  timezoneOffsetMinutes: number;
  /** Per-method operating budget in seconds over 10 minutes; undefined = off, as a box portal. */
  operatingLimitSeconds?: number;
  /** The OAuth application the local portal accepts at /oauth/token/. */
  oauthClientId: string;
  oauthClientSecret: string;
  /** Lifetime of an OAuth access token, in seconds of portal time. */
  accessTokenTtl: number;
}

export interface Auth {
  userId: number;
  /** What the operating limit is counted per: the webhook or the OAuth application. */
  key: string;
  /** The scopes of a webhook made by `b24lab.webhook.add`; absent: every scope (the portal's own webhook). */
  scopes?: string[];
}

/** An extra incoming webhook with chosen scopes (`b24lab.webhook.add`), to rehearse a missing scope. */
export interface WebhookDoc {
  id: number;
  userId: number;
  token: string;
  scopes: string[];
}

export interface CallTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export interface CallAnswer {
  output: MethodOutput;
  time: CallTime;
}

export interface OAuthToken {
  id: number;
  accessToken: string;
  refreshToken: string;
  userId: number;
  /** Portal-clock ms after which the access token is refused with expired_token. */
  expiresAt: number;
}

export class Portal {
  readonly store: Store;
  readonly clock: PortalClock;
  private readonly methods = new Map<string, MethodDef>();
  private readonly operating: OperatingLimiter;
  /** Injected failures (HTTP layer); changed at run time by `b24lab.faults.set`. */
  readonly faults: FaultInjector;
  /** The request-rate bucket (HTTP layer); undefined spec = off, as a box portal. */
  readonly requests: RequestLimiter;
  /** The base URL the server listens on (set by the HTTP layer; used in DOWNLOAD_URL and client_endpoint). */
  baseUrl = 'http://127.0.0.1';

  constructor(
    readonly settings: PortalSettings,
    private readonly modules: MethodModule[],
    options: {
      data?: string;
      realClock?: Clock;
      faults?: string;
      faultSeed?: number;
      rateLimit?: BucketSpec;
    } = {},
  ) {
    const real = options.realClock ?? systemClock;
    this.faults = new FaultInjector(options.faults ?? '', seededRandom(options.faultSeed ?? 1));
    this.requests = new RequestLimiter(options.rateLimit, real);
    this.store = new Store(options.data);
    this.clock = new PortalClock(real, this.store);
    this.operating = new OperatingLimiter(real);
    for (const module of modules) {
      for (const [name, def] of Object.entries(module.methods)) this.methods.set(name.toLowerCase(), def);
    }
    if (this.store.getMeta('seeded') !== '1') this.seed();
  }

  /** Fills an empty portal with what a fresh Bitrix24 has. */
  private seed(): void {
    this.store.transaction(() => {
      for (const module of this.modules) module.seed?.(this);
      this.store.setMeta('seeded', '1');
    });
  }

  /** The emulator-only reset: an empty portal again, clock back to real time. */
  reset(): void {
    this.store.clear();
    this.operating.clear();
    this.seed();
  }

  close(): void {
    this.store.close();
  }

  /** Portal time, ms. */
  now(): number {
    return this.clock.now();
  }

  /** A moment as the portal prints it: ISO 8601 with the portal's offset. */
  iso(ms: number): string {
    return isoWithOffset(ms, this.settings.timezoneOffsetMinutes);
  }

  methodNames(): string[] {
    return [...this.methods.keys()].sort();
  }

  scopes(): string[] {
    return [...new Set([...this.methods.values()].map((m) => m.scope))].filter((s) => s !== 'b24lab').sort();
  }

  lookup(method: string): MethodDef | undefined {
    return this.methods.get(method.toLowerCase());
  }

  /** Resolves a webhook's credentials (INVALID_CREDENTIALS when they do not match). */
  authWebhook(user: string, token: string): Auth {
    if (Number(user) === this.settings.user && token === this.settings.token)
      return { userId: this.settings.user, key: `webhook:${user}` };
    const hook = this.store
      .query<WebhookDoc>('webhook', {
        where: [{ field: 'token', op: '=', value: token, kind: 'text' }],
        limit: 1,
      })
      .at(0);
    if (!hook || hook.userId !== Number(user)) throw errors.invalidCredentials();
    return { userId: hook.userId, key: `webhook:${hook.id}:${user}`, scopes: hook.scopes };
  }

  /** Creates an incoming webhook limited to `scopes` for a user; returns it with its secret. */
  addWebhook(userId: number, scopes: string[]): WebhookDoc {
    return this.store.insert('webhook', { userId, token: randomBytes(12).toString('hex'), scopes });
  }

  /** Resolves an OAuth access token (NO_AUTH_FOUND when absent, expired_token after its lifetime). */
  authToken(accessToken: string | undefined): Auth {
    if (!accessToken) throw errors.noAuth();
    const token = this.store
      .query<OAuthToken>('oauth_token', {
        where: [{ field: 'accessToken', op: '=', value: accessToken, kind: 'text' }],
        limit: 1,
      })
      .at(0);
    if (!token) throw errors.invalidToken();
    if (this.now() >= token.expiresAt) throw errors.expiredToken();
    return { userId: token.userId, key: `app:${this.settings.oauthClientId}` };
  }

  /** Issues a fresh access + refresh token pair for a user (the local portal's OAuth server). */
  issueToken(userId: number, replacing?: OAuthToken): OAuthToken {
    const fields = {
      accessToken: randomBytes(16).toString('hex'),
      refreshToken: randomBytes(16).toString('hex'),
      userId,
      expiresAt: this.now() + this.settings.accessTokenTtl * 1000,
    };
    if (replacing) {
      const next = { ...replacing, ...fields };
      this.store.put('oauth_token', next);
      return next;
    }
    return this.store.insert('oauth_token', fields);
  }

  findRefreshToken(refreshToken: string): OAuthToken | undefined {
    return this.store
      .query<OAuthToken>('oauth_token', {
        where: [{ field: 'refreshToken', op: '=', value: refreshToken, kind: 'text' }],
        limit: 1,
      })
      .at(0);
  }

  /**
   * Runs one method the way `CRestServer::processExecution` does after authentication: lookup,
   * operating-limit check, handler (in one transaction), then the `time` block.
   */
  call(method: string, params: Params, auth: Auth, inBatch = false): CallAnswer {
    const def = this.lookup(method);
    if (!def) throw errors.methodNotFound();
    if (inBatch && def.batchable === false) throw errors.batchMethodNotAllowed();
    // A webhook answers insufficient_scope for a method outside its scopes (reference §2.1: 403);
    // `basic` methods (profile, scope, methods) are open to every webhook.
    if (auth.scopes && def.scope !== 'basic' && def.scope !== 'b24lab' && !auth.scopes.includes(def.scope))
      throw errors.insufficientScope();
    const limit = this.settings.operatingLimitSeconds;
    const opKey = `${auth.key}:${method.toLowerCase()}`;
    if (limit !== undefined && this.operating.spent(opKey) > limit) throw errors.operationTimeLimit();
    const { start, rest } = splitStart(params);
    const ctx: CallContext = {
      portal: this,
      method: method.toLowerCase(),
      params: rest,
      start,
      userId: auth.userId,
      ...(auth.scopes ? { scopes: auth.scopes } : {}),
    };
    const t0 = performance.now();
    const startMs = this.now();
    let output: MethodOutput;
    try {
      output = this.store.transaction(() => def.handler(ctx));
    } catch (e) {
      if (e instanceof RestError) throw e;
      throw new RestError('ERROR_CORE', e instanceof Error ? e.message : String(e), 400);
    }
    const processing = (performance.now() - t0) / 1000;
    const usage = limit !== undefined ? this.operating.record(opKey, processing) : undefined;
    const finishMs = startMs + processing * 1000;
    const time: CallTime = {
      start: startMs / 1000,
      finish: finishMs / 1000,
      duration: processing,
      processing,
      date_start: this.iso(startMs),
      date_finish: this.iso(finishMs),
    };
    if (usage) {
      time.operating_reset_at = Math.ceil(usage.resetAt / 1000);
      time.operating = usage.spent;
    }
    return { output, time };
  }
}

/** `start` is the navigation offset, taken out of the parameters before the handler (§1.2). */
function splitStart(params: Params): { start: number | undefined; rest: Params } {
  const rest: Params = {};
  let start: number | undefined;
  for (const [key, value] of Object.entries(params)) {
    const lower = key.toLowerCase();
    if (lower === 'start') {
      const n = Number(value);
      start = Number.isFinite(n) ? Math.trunc(n) : undefined;
    } else if (
      lower === 'auth' ||
      lower === 'access_token' ||
      lower === 'auth_connector' ||
      lower === 'state'
    ) {
      continue;
    } else rest[key] = value;
  }
  return { start, rest };
}
