import { UserError } from '../errors.js';
import type { B24Client } from '../rest/client.js';

export interface PortalTime {
  /** Epoch ms. */
  now: number;
  /** The portal's UTC offset in minutes (+180 for Moscow). */
  offsetMinutes: number;
}

/**
 * Reads an ISO 8601 time with its offset, as `server.time` answers (PHP `date('c')` in the portal's
 * time zone). Example: '2025-03-03T09:00:00+03:00' -> { now: 1740981600000, offsetMinutes: 180 }.
 */
export function parsePortalTime(text: string): PortalTime | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|([+-])(\d{2}):?(\d{2}))$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const now = Date.parse(text.trim());
  if (!Number.isFinite(now)) return undefined;
  const offsetMinutes = m[2] === 'Z' ? 0 : (m[3] === '-' ? -1 : 1) * (Number(m[4]) * 60 + Number(m[5]));
  return { now, offsetMinutes };
}

/** The portal's clock: time rules run on the portal's time, not the machine's (server.time). */
export async function readPortalTime(client: B24Client): Promise<PortalTime> {
  const text = await client.call<string>('server.time');
  const parsed = typeof text === 'string' ? parsePortalTime(text) : undefined;
  if (!parsed) {
    throw new UserError(
      `server.time answered ${JSON.stringify(text)}, not an ISO 8601 time.`,
      'Check that --portal points at a Bitrix24 REST endpoint, or pass --now to set the time.',
    );
  }
  return parsed;
}
