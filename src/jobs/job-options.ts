/**
 * The options of `b24lab jobs ...`, validated (a bad flag is a UserError that names the fix). Every
 * option has a B24LAB_* variable, so a crontab line stays `b24lab jobs run sync` (STYLE.md §11):
 *   --config <dir>     B24LAB_CONFIG     the configuration directory (default config)
 *   --now <iso>        B24LAB_NOW        evaluate time rules as of this moment (default: server.time)
 *   --wait <seconds>   B24LAB_JOB_WAIT   wait for a running instance of the job (default 0: exit)
 *   --dry-run          B24LAB_DRY_RUN    print what would be done, change nothing
 *   --json             B24LAB_JSON       print the result as JSON
 * plus --portal, --rate-limit, --state (src/rest/settings.ts).
 */
import { UserError } from '../errors.js';
import type { RestSettings } from '../rest/settings.js';
import { DEFAULT_STATE_DIR } from '../rest/settings.js';

export const DEFAULT_CONFIG_DIR = 'config';

export interface RawJobOptions extends RestSettings {
  config?: string;
  now?: string;
  wait?: string;
  dryRun?: boolean | string;
  json?: boolean | string;
}

export interface JobCommandOptions {
  rest: RestSettings;
  configDir: string;
  now?: number;
  waitMs: number;
  dryRun: boolean;
  json: boolean;
}

/** Environment flags read as booleans: 1/true/yes/y. */
function flag(value: boolean | string | undefined): boolean {
  if (typeof value === 'boolean') return value;
  return value !== undefined && /^(1|true|yes|y)$/i.test(value.trim());
}

/**
 * A moment with its offset: '2025-03-19T09:00:00+03:00' or '2025-03-19T06:00:00Z'. Without an offset
 * the moment would depend on the machine's time zone, so it is refused.
 */
export function parseNow(text: string): number {
  const trimmed = text.trim();
  const ms = Date.parse(trimmed);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ||
    !Number.isFinite(ms)
  ) {
    throw new UserError(
      `--now "${text}" is not an ISO 8601 time with an offset.`,
      'Example: --now 2025-03-19T09:00:00+03:00',
    );
  }
  return ms;
}

export function parseWait(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 0;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new UserError(`--wait "${text}" is not a number of seconds (0 to 86400).`, 'Example: --wait 300');
  }
  return Math.round(seconds * 1000);
}

export function parseJobOptions(raw: RawJobOptions): JobCommandOptions {
  const rest: RestSettings = {
    ...(raw.portal !== undefined ? { portal: raw.portal } : {}),
    ...(raw.rateLimit !== undefined ? { rateLimit: raw.rateLimit } : {}),
    ...(raw.state !== undefined ? { state: raw.state } : {}),
  };
  return {
    rest,
    configDir: raw.config?.trim() || DEFAULT_CONFIG_DIR,
    ...(raw.now !== undefined && raw.now.trim() !== '' ? { now: parseNow(raw.now) } : {}),
    waitMs: parseWait(raw.wait),
    dryRun: flag(raw.dryRun),
    json: flag(raw.json),
  };
}

/** The state directory the same way the REST client finds it (src/rest/settings.ts). */
export function stateDirOf(rest: RestSettings, env: Record<string, string | undefined>): string {
  return rest.state ?? env.B24LAB_STATE ?? env.B24LAB_STATE_DIR ?? DEFAULT_STATE_DIR;
}
