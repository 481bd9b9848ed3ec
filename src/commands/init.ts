import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { UserError } from '../errors.js';
import type { RateLimitPlan } from '../init/init-portal.js';
import { initProject } from '../init/init-portal.js';
import { createClient } from '../rest/client.js';
import { resolveConnection } from '../rest/connection.js';
import { renderInitResult } from '../ui/init-render.js';
import { envOption } from './provision-options.js';

interface InitFlags {
  portal?: string;
  rateLimit: string;
  configFrom: string;
  dir: string;
  yes?: boolean;
}

/** `b24lab init`: connect a real portal — check it, write .env and a starter config/. */
export function initCommand(deps: CliDeps): Command {
  return new Command('init')
    .description('Connect a portal: check the webhook live, write .env and a starter config/')
    .addOption(envOption(deps, '--portal <url>', 'the inbound webhook URL', 'B24LAB_PORTAL'))
    .addOption(
      envOption(deps, '--rate-limit <plan>', 'standard, enterprise or off', 'B24LAB_RATE_LIMIT', 'standard'),
    )
    .addOption(
      envOption(deps, '--config-from <source>', 'shipped or portal', 'B24LAB_INIT_CONFIG_FROM', 'shipped'),
    )
    .addOption(envOption(deps, '--dir <dir>', 'the project directory', 'B24LAB_INIT_DIR', '.'))
    .addOption(envOption(deps, '--yes', 'overwrite existing files', 'B24LAB_YES'))
    .action(async (flags: InitFlags) => {
      if (!flags.portal) throw new UserError('No portal given.', 'Pass --portal <inbound webhook URL>.');
      if (!['standard', 'enterprise', 'off'].includes(flags.rateLimit))
        throw new UserError(`Unknown rate limit "${flags.rateLimit}".`, 'Use standard, enterprise or off.');
      if (!['shipped', 'portal'].includes(flags.configFrom))
        throw new UserError(`Unknown --config-from "${flags.configFrom}".`, 'Use shipped or portal.');
      const connection = resolveConnection(flags.portal, {});
      const client = createClient({
        connection,
        rateLimit: flags.rateLimit,
        clock: deps.clock,
        logger: deps.output.logger,
        retry: { maxAttempts: 1 },
      });
      try {
        const result = await initProject(client, {
          portal: connection.kind === 'webhook' ? connection.url : flags.portal,
          rateLimit: flags.rateLimit as RateLimitPlan,
          configFrom: flags.configFrom as 'shipped' | 'portal',
          dir: flags.dir,
          overwrite: flags.yes ?? false,
        });
        deps.output.out(renderInitResult(result));
      } finally {
        client.close();
      }
    });
}
