import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { servePortal } from '../emulator/serve-portal.js';
import { DEFAULT_PORTAL_PORT, DEMO_WEBHOOK_TOKEN } from '../emulator/start-local-portal.js';
import { parsePortalServeOptions } from '../emulator/serve-options.js';
import { renderPortalStarted } from '../ui/render-portal.js';

/** `b24lab portal serve`: the local Bitrix24-compatible portal. */
export function portalCommand(deps: CliDeps): Command {
  const portal = new Command('portal').description('The local Bitrix24-compatible portal');
  portal
    .command('serve')
    .description('Serve a local Bitrix24-compatible REST portal (SQLite store) until stopped')
    .addOption(
      new Option('--port <port>', 'port to listen on (0 = a free port)')
        .env('B24LAB_PORTAL_PORT')
        .default(String(DEFAULT_PORTAL_PORT)),
    )
    .addOption(
      new Option('--host <host>', 'address to listen on').env('B24LAB_PORTAL_HOST').default('127.0.0.1'),
    )
    .addOption(
      new Option('--data <file>', 'SQLite file that keeps the portal (default: in memory)').env(
        'B24LAB_PORTAL_DATA',
      ),
    )
    .addOption(new Option('--user <id>', 'webhook user id').env('B24LAB_PORTAL_USER').default('1'))
    .addOption(
      new Option('--token <secret>', 'webhook secret')
        .env('B24LAB_PORTAL_TOKEN')
        .default(DEMO_WEBHOOK_TOKEN, 'the documented demo token'),
    )
    .addOption(
      new Option(
        '--rate-limit <plan>',
        'request-rate limit: off (box), standard (50/2 per s), enterprise (250/5 per s)',
      )
        .env('B24LAB_PORTAL_RATE_LIMIT')
        .choices(['off', 'standard', 'enterprise'])
        .default('off'),
    )
    .addOption(
      new Option(
        '--operating-limit <seconds>',
        'per-method operating-time budget over 10 minutes (default: off)',
      ).env('B24LAB_PORTAL_OPERATING_LIMIT'),
    )
    .addOption(
      new Option('--latency <ms>', 'delay added to every answer').env('B24LAB_PORTAL_LATENCY').default('0'),
    )
    .addOption(
      new Option('--faults <spec>', 'injected failures, e.g. "503=0.1,500=0.05,drop=0.02,refuse@7"').env(
        'B24LAB_PORTAL_FAULTS',
      ),
    )
    .addOption(
      new Option(
        '--tls',
        'serve https with a self-signed certificate (for clients that insist on https)',
      ).env('B24LAB_PORTAL_TLS'),
    )
    .addOption(
      new Option('--timezone-offset <minutes>', "the portal's UTC offset in minutes")
        .env('B24LAB_PORTAL_TZ_OFFSET')
        .default('180'),
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parsePortalServeOptions(raw);
      const running = await servePortal(options, deps.output.logger, deps.clock);
      renderPortalStarted(deps.output, running);
      await deps.untilStopped();
      await running.close();
    });
  return portal;
}
