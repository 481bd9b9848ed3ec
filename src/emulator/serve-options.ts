import { UserError } from '../errors.js';
import { parseFaultSpec } from './faults.js';
import type { LocalPortalOptions, RateLimitName } from './start-local-portal.js';

function integer(raw: unknown, flag: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`${flag} must be a whole number from ${min} to ${max}, got "${String(raw)}".`);
  }
  return n;
}

/** Validates `portal serve` flags into start options; every problem is a UserError naming the flag. */
export function parsePortalServeOptions(raw: Record<string, unknown>): LocalPortalOptions {
  const token = String(raw.token ?? '');
  if (!/^[A-Za-z0-9_-]{4,}$/.test(token)) {
    throw new UserError('--token must be at least 4 characters of letters, digits, "-" or "_".');
  }
  const options: LocalPortalOptions = {
    port: integer(raw.port, '--port', 0, 65535),
    host: String(raw.host),
    user: integer(raw.user, '--user', 1, 1_000_000),
    token,
    rateLimit: String(raw.rateLimit) as RateLimitName,
    latencyMs: integer(raw.latency, '--latency', 0, 60_000),
    tls: raw.tls === true || raw.tls === 'true' || raw.tls === '1',
    timezoneOffsetMinutes: integer(raw.timezoneOffset, '--timezone-offset', -720, 840),
  };
  if (typeof raw.data === 'string' && raw.data) options.data = raw.data;
  if (raw.operatingLimit !== undefined) {
    const seconds = Number(raw.operatingLimit);
    if (!(seconds > 0))
      throw new UserError(
        `--operating-limit must be a positive number of seconds, got "${String(raw.operatingLimit)}".`,
      );
    options.operatingLimit = seconds;
  }
  if (typeof raw.faults === 'string' && raw.faults) {
    try {
      parseFaultSpec(raw.faults);
    } catch (e) {
      throw new UserError(`--faults: ${(e as Error).message}.`, 'Example: --faults "503=0.1,drop@3"');
    }
    options.faults = raw.faults;
  }
  return options;
}
