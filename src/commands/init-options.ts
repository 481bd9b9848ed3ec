import { join } from 'node:path';
import type { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import type { AskInitOptions } from '../init/ask-init.js';
import type { ConfigSource, GivenConnection, OAuthInput, RateLimitPlan } from '../init/init-portal.js';
import { CONFIG_SOURCES, RATE_LIMIT_PLANS, oneOf } from '../init/init-portal.js';
import type { B24Client } from '../rest/client.js';
import { createClient } from '../rest/client.js';
import type { ConnectionConfig } from '../rest/connection.js';
import { DEFAULT_STATE_DIR } from '../rest/settings.js';
import { envOption } from './shared-options.js';

/** `b24lab init`'s options, each with its B24LAB_* variable (the OAuth ones are the client's own). */
export function initOptions(deps: CliDeps): Option[] {
  const o = (flags: string, text: string, variable: string, fallback?: string): Option =>
    envOption(deps, flags, text, variable, fallback);
  return [
    o('--portal <url>', 'an inbound webhook URL', 'B24LAB_PORTAL'),
    o(
      '--oauth-endpoint <url>',
      "OAuth: the portal's REST endpoint https://PORTAL/rest/",
      'B24LAB_OAUTH_ENDPOINT',
    ),
    o(
      '--oauth-server <url>',
      'OAuth: the token server (default https://oauth.bitrix.info/oauth/)',
      'B24LAB_OAUTH_SERVER',
    ),
    o('--client-id <id>', "OAuth: the application's client id", 'B24LAB_OAUTH_CLIENT_ID'),
    o(
      '--client-secret <secret>',
      'OAuth: its client secret (prefer the variable)',
      'B24LAB_OAUTH_CLIENT_SECRET',
    ),
    o(
      '--refresh-token <token>',
      'OAuth: a refresh token (prefer the variable)',
      'B24LAB_OAUTH_REFRESH_TOKEN',
    ),
    o('--rate-limit <plan>', 'standard, enterprise or off (box)', 'B24LAB_RATE_LIMIT', 'standard'),
    o('--config-from <source>', 'shipped, portal or keep', 'B24LAB_INIT_CONFIG_FROM', 'shipped'),
    o('--dir <dir>', 'the project directory', 'B24LAB_INIT_DIR', '.'),
    o('--yes', 'replace an existing .env and config/ without asking', 'B24LAB_YES'),
    o('--json', 'print the result as JSON (flags mode)', 'B24LAB_INIT_JSON'),
  ];
}

export type InitFlags = Partial<Omit<OAuthInput, 'endpoint' | 'server'>> & {
  portal?: string;
  oauthEndpoint?: string;
  oauthServer?: string;
  rateLimit: string;
  configFrom: string;
  dir: string;
  yes?: boolean;
  json?: boolean;
};

export interface InitRequest {
  given: GivenConnection;
  rateLimit: RateLimitPlan;
  configFrom: ConfigSource;
  dir: string;
  yes: boolean;
  /** OAuth: where the check's client saves the refreshed pair (B24LAB_STATE, else <dir>/.b24lab). */
  stateDir: string;
  connect: AskInitOptions['connect'];
}

/** The flags as the init core takes them, and a client factory for candidate connections. */
export function initRequest(flags: InitFlags, command: Command, deps: CliDeps): InitRequest {
  const rateLimit = oneOf(flags.rateLimit, RATE_LIMIT_PLANS, '--rate-limit');
  const stateDir = deps.env.B24LAB_STATE?.trim() || join(flags.dir, DEFAULT_STATE_DIR);
  const pick = <K extends string>(key: K, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    given: {
      portal: flags.portal,
      oauth: {
        ...pick('endpoint', flags.oauthEndpoint),
        ...pick('server', flags.oauthServer),
        ...pick('clientId', flags.clientId),
        ...pick('clientSecret', flags.clientSecret),
        ...pick('refreshToken', flags.refreshToken),
      },
      portalFromCli: command.getOptionValueSource('portal') === 'cli',
      oauthFromCli: command.getOptionValueSource('oauthEndpoint') === 'cli',
    },
    rateLimit,
    configFrom: oneOf(flags.configFrom, CONFIG_SOURCES, '--config-from'),
    dir: flags.dir,
    yes: flags.yes ?? false,
    stateDir,
    connect: (connection: ConnectionConfig): B24Client =>
      createClient({
        connection,
        rateLimit,
        clock: deps.clock,
        logger: deps.output.logger,
        retry: { maxAttempts: 1 },
        // OAuth: the check spends the refresh token; the new pair is saved where later runs look.
        ...(connection.kind === 'oauth' ? { stateDir } : {}),
      }),
  };
}
