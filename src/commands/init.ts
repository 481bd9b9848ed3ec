import { join } from 'node:path';
import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { UserError } from '../errors.js';
import { askInit } from '../init/ask-init.js';
import type { OAuthInput } from '../init/init-portal.js';
import {
  CONFIG_SOURCES,
  RATE_LIMIT_PLANS,
  connectionFrom,
  initProject,
  oneOf,
  pickConnection,
} from '../init/init-portal.js';
import type { ConnectionConfig } from '../rest/connection.js';
import { createClient } from '../rest/client.js';
import { DEFAULT_STATE_DIR } from '../rest/settings.js';
import { canPrompt, createInitPrompts } from '../ui/init-prompts.js';
import { NOTHING_WRITTEN, renderInitResult } from '../ui/init-render.js';
import { envOption } from './provision-options.js';

type InitFlags = Partial<OAuthInput> & {
  portal?: string;
  oauthEndpoint?: string;
  oauthServer?: string;
  rateLimit: string;
  configFrom: string;
  dir: string;
  yes?: boolean;
};

/** `b24lab init`: connect a real portal — questions on a terminal, flags otherwise; check; write. */
export function initCommand(deps: CliDeps): Command {
  const o = (flags: string, text: string, variable: string, fallback?: string) =>
    envOption(deps, flags, text, variable, fallback);
  return new Command('init')
    .description(
      'Connect a portal: asks on a terminal (or takes flags), checks it live, writes .env and config/',
    )
    .addOption(o('--portal <url>', 'an inbound webhook URL', 'B24LAB_PORTAL'))
    .addOption(
      o(
        '--oauth-endpoint <url>',
        "OAuth: the portal's REST endpoint https://PORTAL/rest/",
        'B24LAB_OAUTH_ENDPOINT',
      ),
    )
    .addOption(
      o(
        '--oauth-server <url>',
        'OAuth: the token server (default https://oauth.bitrix.info/oauth/)',
        'B24LAB_OAUTH_SERVER',
      ),
    )
    .addOption(o('--client-id <id>', "OAuth: the application's client id", 'B24LAB_OAUTH_CLIENT_ID'))
    .addOption(
      o(
        '--client-secret <secret>',
        'OAuth: its client secret (prefer the variable)',
        'B24LAB_OAUTH_CLIENT_SECRET',
      ),
    )
    .addOption(
      o(
        '--refresh-token <token>',
        'OAuth: a refresh token (prefer the variable)',
        'B24LAB_OAUTH_REFRESH_TOKEN',
      ),
    )
    .addOption(o('--rate-limit <plan>', 'standard, enterprise or off (box)', 'B24LAB_RATE_LIMIT', 'standard'))
    .addOption(o('--config-from <source>', 'shipped, portal or keep', 'B24LAB_INIT_CONFIG_FROM', 'shipped'))
    .addOption(o('--dir <dir>', 'the project directory', 'B24LAB_INIT_DIR', '.'))
    .addOption(o('--yes', 'replace an existing .env and config/ without asking', 'B24LAB_YES'))
    .action(async (flags: InitFlags, command: Command) => {
      const rateLimit = oneOf(flags.rateLimit, RATE_LIMIT_PLANS, '--rate-limit');
      const configFrom = oneOf(flags.configFrom, CONFIG_SOURCES, '--config-from');
      const oauth: Partial<OAuthInput> = {
        ...(flags.oauthEndpoint ? { endpoint: flags.oauthEndpoint } : {}),
        ...(flags.oauthServer ? { server: flags.oauthServer } : {}),
        ...(flags.clientId ? { clientId: flags.clientId } : {}),
        ...(flags.clientSecret ? { clientSecret: flags.clientSecret } : {}),
        ...(flags.refreshToken ? { refreshToken: flags.refreshToken } : {}),
      };
      const given = {
        portal: flags.portal,
        oauth,
        portalFromCli: command.getOptionValueSource('portal') === 'cli',
        oauthFromCli: command.getOptionValueSource('oauthEndpoint') === 'cli',
      };
      const stateDir = deps.env.B24LAB_STATE?.trim() || join(flags.dir, DEFAULT_STATE_DIR);
      const connect = (connection: ConnectionConfig) =>
        createClient({
          connection,
          rateLimit,
          clock: deps.clock,
          logger: deps.output.logger,
          retry: { maxAttempts: 1 },
          // OAuth: the check spends the refresh token; the new pair is saved where later runs look.
          ...(connection.kind === 'oauth' ? { stateDir } : {}),
        });
      const picked = pickConnection(given);
      if (deps.output.interactive && canPrompt() && !given.portalFromCli && !given.oauthFromCli) {
        const asked = await askInit({
          prompts: createInitPrompts(deps.output),
          connect,
          dir: flags.dir,
          defaults: { kind: picked?.kind ?? 'webhook', webhook: flags.portal, oauth, rateLimit, configFrom },
          stateDir,
        });
        deps.output.out(asked.written ? renderInitResult(asked.result) : NOTHING_WRITTEN);
        return;
      }
      if (!picked)
        throw new UserError(
          'No portal given.',
          'Pass --portal <inbound webhook URL>, or --oauth-endpoint with --client-id, --client-secret and --refresh-token.',
        );
      const connection = connectionFrom(picked);
      const client = connect(connection);
      try {
        const settings = { connection, rateLimit, configFrom, dir: flags.dir, overwrite: flags.yes ?? false };
        deps.output.out(renderInitResult(await initProject(client, { ...settings, stateDir })));
      } finally {
        client.close();
      }
    });
}
