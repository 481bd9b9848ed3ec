/**
 * The client settings every command shares (STYLE.md §11: each has a B24LAB_* variable):
 *   --portal <url>       B24LAB_PORTAL        webhook URL (or OAuth through B24LAB_OAUTH_*, connection.ts)
 *   --rate-limit <plan>  B24LAB_RATE_LIMIT    standard (default, 50/2), enterprise (250/5), off, BURST/DRAIN
 *   --state <dir>        B24LAB_STATE         the state directory (default .b24lab/): the shared rate-limit
 *                                             bucket (ratelimit.sqlite) and saved OAuth tokens
 * B24LAB_STATE_DIR is read as well, for older scripts. Commands resolve flags and environment here, so
 * every process on the machine lands on the same state directory and shares one bucket per portal.
 */
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import type { Logger } from '../ui/logger.js';
import type { ClientOptions } from './client.js';
import { resolveConnection } from './connection.js';
import { parseRateLimit } from './limiter.js';

export const DEFAULT_STATE_DIR = '.b24lab';

export interface RestSettings {
  portal?: string;
  rateLimit?: string;
  state?: string;
}

export function clientOptionsFrom(
  settings: RestSettings,
  env: Record<string, string | undefined>,
  clock: Clock,
  logger?: Logger,
): ClientOptions {
  const rateLimit = settings.rateLimit ?? env.B24LAB_RATE_LIMIT ?? 'standard';
  try {
    parseRateLimit(rateLimit);
  } catch (e) {
    throw new UserError(
      `--rate-limit: ${(e as Error).message}.`,
      'Bitrix24 cloud: standard (most plans) or enterprise; box portals: off.',
    );
  }
  return {
    connection: resolveConnection(settings.portal, env),
    stateDir: settings.state ?? env.B24LAB_STATE ?? env.B24LAB_STATE_DIR ?? DEFAULT_STATE_DIR,
    rateLimit,
    clock,
    ...(logger ? { logger } : {}),
  };
}
