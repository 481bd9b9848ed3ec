/**
 * `b24lab init`: checks a portal live, then writes `.env` (0600), the `.gitignore` entries and a starter
 * config/. Pure decisions (which connection, the .env change, what would be overwritten) are exported
 * for tests; the IO edge is `writeProject`. The flags mode is `initProject`; the questions are in
 * ask-init.ts.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedConfigDir } from '../config/shipped-config.js';
import { ConfirmationRequiredError, UserError } from '../errors.js';
import { pullPortal } from '../provision/pull-portal.js';
import type { B24Client } from '../rest/client.js';
import type { ConnectionConfig } from '../rest/connection.js';
import { DEFAULT_OAUTH_SERVER, OAUTH_TOKEN_FILE, resolveConnection } from '../rest/connection.js';
import { checkPortal } from './check-portal.js';
import type { EnvChange } from './env-file.js';
import { gitignoreWith, mergeEnvFile } from './env-file.js';

export { OPTIONAL_SCOPES, REQUIRED_SCOPES, missingScopes } from './check-portal.js';

export type RateLimitPlan = 'standard' | 'enterprise' | 'off';
export const RATE_LIMIT_PLANS: readonly RateLimitPlan[] = ['standard', 'enterprise', 'off'];
export type ConfigSource = 'shipped' | 'portal' | 'keep';
export const CONFIG_SOURCES: readonly ConfigSource[] = ['shipped', 'portal', 'keep'];

/** What a person typed or passed for an OAuth application. */
export interface OAuthInput {
  endpoint: string;
  server: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type ConnectionInput = { kind: 'webhook'; url: string } | ({ kind: 'oauth' } & OAuthInput);

export interface InitSettings {
  connection: ConnectionConfig;
  rateLimit: RateLimitPlan;
  configFrom: ConfigSource;
  dir: string;
  overwrite: boolean;
  /** OAuth: the state directory the check's client saved the refreshed token pair in. */
  stateDir?: string;
}

export interface InitResult {
  portal: string;
  kind: ConnectionConfig['kind'];
  written: string[];
  missingOptional: string[];
  /** OAuth: where the refreshed token pair is kept (later runs need the same state directory). */
  stateDir?: string;
}

const OAUTH_VARIABLES = {
  endpoint: 'B24LAB_OAUTH_ENDPOINT',
  server: 'B24LAB_OAUTH_SERVER',
  clientId: 'B24LAB_OAUTH_CLIENT_ID',
  clientSecret: 'B24LAB_OAUTH_CLIENT_SECRET',
  refreshToken: 'B24LAB_OAUTH_REFRESH_TOKEN',
} as const;

const OAUTH_FLAGS: Record<keyof OAuthInput, string> = {
  endpoint: '--oauth-endpoint',
  server: '--oauth-server',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  refreshToken: '--refresh-token',
};

/**
 * Checks and normalises what was given (UserError naming the flag and variable otherwise).
 * Worked example: webhook 'http://h/rest/1/s' -> { kind: 'webhook', url: 'http://h/rest/1/s/' }.
 */
export function connectionFrom(input: ConnectionInput): ConnectionConfig {
  if (input.kind === 'webhook') return resolveConnection(input.url, {});
  const missing = (Object.keys(OAUTH_FLAGS) as (keyof OAuthInput)[]).filter(
    (k) => k !== 'server' && !input[k].trim(),
  );
  if (missing.length > 0)
    throw new UserError(
      `OAuth needs ${missing.map((k) => `${OAUTH_FLAGS[k]} (${OAUTH_VARIABLES[k]})`).join(', ')}.`,
      'Or connect with a webhook: --portal https://PORTAL/rest/USER_ID/SECRET/',
    );
  return resolveConnection(undefined, {
    B24LAB_OAUTH_ENDPOINT: input.endpoint,
    B24LAB_OAUTH_SERVER: input.server.trim() || DEFAULT_OAUTH_SERVER,
    B24LAB_OAUTH_CLIENT_ID: input.clientId,
    B24LAB_OAUTH_CLIENT_SECRET: input.clientSecret,
    B24LAB_OAUTH_REFRESH_TOKEN: input.refreshToken,
  });
}

/** The .env variables a connection needs; the other kind's variables are removed (a webhook wins). */
export function envChange(connection: ConnectionConfig, rateLimit: RateLimitPlan): EnvChange {
  const oauthKeys = [...Object.values(OAUTH_VARIABLES), 'B24LAB_OAUTH_ACCESS_TOKEN'];
  if (connection.kind === 'webhook')
    return {
      set: { B24LAB_PORTAL: connection.url, B24LAB_RATE_LIMIT: rateLimit },
      remove: oauthKeys,
    };
  return {
    set: {
      [OAUTH_VARIABLES.endpoint]: connection.endpoint,
      [OAUTH_VARIABLES.server]: connection.server,
      [OAUTH_VARIABLES.clientId]: connection.clientId,
      [OAUTH_VARIABLES.clientSecret]: connection.clientSecret,
      [OAUTH_VARIABLES.refreshToken]: connection.refreshToken,
      B24LAB_RATE_LIMIT: rateLimit,
    },
    // A stale access token would be tried first; the state directory keeps the live pair.
    remove: ['B24LAB_PORTAL', 'B24LAB_OAUTH_ACCESS_TOKEN'],
  };
}

/** The portal's address for messages: never the webhook secret. */
export function portalLabel(connection: ConnectionConfig): string {
  return new URL(connection.kind === 'webhook' ? connection.url : connection.endpoint).origin;
}

/** The files init would replace (.env is merged, config/ replaced unless kept). */
export function existingFiles(dir: string, configFrom: ConfigSource): string[] {
  const paths = [join(dir, '.env'), ...(configFrom === 'keep' ? [] : [join(dir, 'config')])];
  return paths.filter((p) => existsSync(p));
}

export const GITIGNORE_ENTRIES = ['.env', '.b24lab/'];

/**
 * OAuth: the refresh token to write. The live check spent the one given (Bitrix24 refresh tokens are
 * single-use, settings/oauth/index.md) and the client saved the new pair in the state directory
 * (src/rest/connection.ts, `seed` = the token it descends from). Writing the new one keeps .env valid
 * whichever state directory later runs use.
 */
export function latestRefreshToken(
  connection: Extract<ConnectionConfig, { kind: 'oauth' }>,
  stateDir: string | undefined,
): string {
  const file = stateDir === undefined ? undefined : join(stateDir, OAUTH_TOKEN_FILE);
  if (file === undefined || !existsSync(file)) return connection.refreshToken;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const fresh =
      saved.clientId === connection.clientId &&
      saved.seed === connection.refreshToken &&
      typeof saved.refreshToken === 'string' &&
      saved.refreshToken !== '';
    return fresh ? (saved.refreshToken as string) : connection.refreshToken;
  } catch {
    return connection.refreshToken;
  }
}

/** Writes .env (merged, 0600), config/ and the .gitignore entries; the portal was checked before. */
export async function writeProject(
  client: B24Client,
  settings: InitSettings,
  missingOptional: string[],
): Promise<InitResult> {
  const envPath = join(settings.dir, '.env');
  const configDir = join(settings.dir, 'config');
  mkdirSync(settings.dir, { recursive: true });
  const written: string[] = [];
  if (settings.configFrom === 'portal') {
    const pulled = await pullPortal({ client, out: configDir, overwrite: settings.overwrite });
    written.push(...pulled.written);
  } else if (settings.configFrom === 'shipped') {
    cpSync(shippedConfigDir(), configDir, { recursive: true, force: settings.overwrite });
    written.push(configDir);
  }
  const current = existsSync(envPath) ? readFileSync(envPath, 'utf8') : undefined;
  const connection =
    settings.connection.kind === 'oauth'
      ? {
          ...settings.connection,
          refreshToken: latestRefreshToken(settings.connection, settings.stateDir),
        }
      : settings.connection;
  writeFileSync(envPath, mergeEnvFile(current, envChange(connection, settings.rateLimit)), {
    mode: 0o600,
  });
  chmodSync(envPath, 0o600);
  written.push(envPath);
  const ignorePath = join(settings.dir, '.gitignore');
  const ignore = gitignoreWith(
    existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined,
    GITIGNORE_ENTRIES,
  );
  if (ignore !== undefined) {
    writeFileSync(ignorePath, ignore);
    written.push(ignorePath);
  }
  return {
    portal: portalLabel(settings.connection),
    kind: settings.connection.kind,
    written,
    missingOptional,
    ...(settings.connection.kind === 'oauth' && settings.stateDir !== undefined
      ? { stateDir: settings.stateDir }
      : {}),
  };
}

/** The flags mode: refuse to overwrite without --yes, check (exit 1 with the reason), write. */
export async function initProject(client: B24Client, settings: InitSettings): Promise<InitResult> {
  const existing = existingFiles(settings.dir, settings.configFrom);
  if (existing.length > 0 && !settings.overwrite)
    throw new ConfirmationRequiredError(`Overwriting ${existing.join(', ')}`, '--yes');
  const outcome = await checkPortal(client, settings.connection.kind);
  if (!outcome.ok) throw new UserError(outcome.problem.reason, outcome.problem.hint);
  return writeProject(client, settings, outcome.missingOptional);
}

/** What the flags and B24LAB_* variables gave; `fromCli`: typed on this command line. */
export interface GivenConnection {
  portal?: string | undefined;
  oauth: Partial<OAuthInput>;
  portalFromCli: boolean;
  oauthFromCli: boolean;
}

/**
 * Which connection the flags ask for: one typed on the command line beats one from a variable (a .env
 * of an earlier init may hold the other kind); a webhook beats OAuth as in src/rest/connection.ts.
 */
export function pickConnection(given: GivenConnection): ConnectionInput | undefined {
  const oauth = (): ConnectionInput => ({
    kind: 'oauth',
    endpoint: given.oauth.endpoint ?? '',
    server: given.oauth.server ?? '',
    clientId: given.oauth.clientId ?? '',
    clientSecret: given.oauth.clientSecret ?? '',
    refreshToken: given.oauth.refreshToken ?? '',
  });
  if (given.portalFromCli && given.portal) return { kind: 'webhook', url: given.portal };
  if (given.oauthFromCli) return oauth();
  if (given.portal) return { kind: 'webhook', url: given.portal };
  if (given.oauth.endpoint) return oauth();
  return undefined;
}

/** Flag values that must be one of a list (UserError naming the flag otherwise). */
export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`Unknown ${flag} "${value}".`, `Use ${allowed.join(', ')}.`);
}
